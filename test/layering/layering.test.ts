// Proves the layering rules of ARCHITECTURE.md fire: both ESLint and the per-layer tsconfigs.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

async function lintErrors(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

/** Type-checks one virtual file as if it lived at `filePath`, under the given layer tsconfig. */
function typeErrors(code: string, filePath: string, tsconfig: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    resolve(root, tsconfig),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  const probe = resolve(root, filePath);
  const options = {
    ...parsed.options,
    noEmit: true,
    composite: false,
    emitDeclarationOnly: false,
    declaration: false,
    incremental: false,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === probe || fileExists.call(host, f);
  host.readFile = (f) => (f === probe ? code : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === probe ? ts.createSourceFile(f, code, lang) : getSourceFile.call(host, f, lang, ...rest);
  const program = ts.createProgram([probe], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === probe)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const electronImport = "import { app } from 'electron';\nexport const name = app.getName();\n";
const nodeImport =
  "import { readFileSync } from 'node:fs';\nexport const text = readFileSync('x', 'utf8');\n";

describe('layering', () => {
  it('ESLint refuses an electron import inside electron/engine, electron/server and shared', async () => {
    for (const file of [
      'electron/engine/probe.ts',
      'electron/server/probe.ts',
      'shared/probe.ts',
    ]) {
      expect((await lintErrors(electronImport, file)).join('\n'), file).toMatch(
        /must run without Electron/,
      );
    }
  });

  it('ESLint refuses a node: import inside renderer/ and shared/', async () => {
    expect((await lintErrors(nodeImport, 'renderer/src/probe.tsx')).join('\n')).toMatch(
      /no Node built-ins/,
    );
    expect((await lintErrors(nodeImport, 'shared/probe.ts')).join('\n')).toMatch(
      /no Node built-ins/,
    );
    expect(
      (
        await lintErrors("import fs from 'fs';\nexport const f = fs;\n", 'renderer/src/probe.ts')
      ).join('\n'),
    ).toMatch(/no Node built-ins/);
  });

  it('ESLint allows electron in electron/main and node: in the engine (the rule is not blanket)', async () => {
    expect(await lintErrors(electronImport, 'electron/main/probe.ts')).toEqual([]);
    expect(await lintErrors(nodeImport, 'electron/engine/probe.ts')).toEqual([]);
  });

  it('the engine tsconfig has no electron API; the electron tsconfig has it', () => {
    expect(
      typeErrors(electronImport, 'electron/engine/probe.ts', 'tsconfig.node.json').join('\n'),
    ).toMatch(/has no exported member 'app'/);
    expect(typeErrors(electronImport, 'electron/main/probe.ts', 'tsconfig.electron.json')).toEqual(
      [],
    );
  });

  it('the renderer tsconfig has no Node types; the engine tsconfig has them', () => {
    expect(typeErrors(nodeImport, 'renderer/src/probe.ts', 'tsconfig.web.json').join('\n')).toMatch(
      /Cannot find module 'node:fs'/,
    );
    expect(typeErrors(nodeImport, 'electron/engine/probe.ts', 'tsconfig.node.json')).toEqual([]);
  });

  it('the shared tsconfig has neither Node types nor the DOM', () => {
    expect(typeErrors(nodeImport, 'shared/probe.ts', 'tsconfig.shared.json').join('\n')).toMatch(
      /Cannot find module 'node:fs'/,
    );
    expect(
      typeErrors(
        'export const t = document.title;\n',
        'shared/probe.ts',
        'tsconfig.shared.json',
      ).join('\n'),
    ).toMatch(/Cannot find name 'document'/);
  });
});

async function cycleErrors(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'engine-folders/engine-folder-cycles')
    .map((m) => m.message);
}

describe('engine folders depend one way', () => {
  it('ESLint refuses an import that closes a cycle between engine folders, naming the way back', async () => {
    const upward =
      "import { MAX_ATTEMPTS } from '../exports/runner.ts';\nexport const most = MAX_ATTEMPTS;\n";
    const errors = await cycleErrors(upward, 'electron/engine/jobs/probe.ts');
    expect(errors.join('\n')).toMatch(/Import cycle between engine folders: jobs → exports → jobs/);
    expect(errors.join('\n')).toMatch(/exports\/\S+ imports \.\.\/jobs\/job-types\.ts/);
    const storageToProviders =
      "export { placeVendorFile } from '../providers/vendor-files/vendor-file.ts';\n";
    expect(
      (await cycleErrors(storageToProviders, 'electron/engine/storage/probe.ts')).join('\n'),
    ).toMatch(/storage → providers → storage/);
  });

  it('the same imports pointing down a layer pass (the rule is not blanket)', async () => {
    const downward =
      "import { JobError } from '../jobs/job-types.ts';\nexport const E = JobError;\n";
    expect(await cycleErrors(downward, 'electron/engine/providers/probe.ts')).toEqual([]);
    expect(await cycleErrors(downward, 'electron/engine/storage/probe.ts')).toEqual([]);
    const sameFolder =
      "import { MAX_ATTEMPTS } from './runner.ts';\nexport const most = MAX_ATTEMPTS;\n";
    expect(await cycleErrors(sameFolder, 'electron/engine/exports/probe.ts')).toEqual([]);
  });
});
