// Proves `npm run check` refuses a source file over 400 lines in electron/, shared/ and
// renderer/src/ (ESLint max-lines), and that every source file today is within it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const MAX_SOURCE_LINES = 400;

async function sizeErrors(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines').map((m) => m.message);
}

const linesOf = (n: number) =>
  Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|js|mjs|cjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('no source file over 400 lines', () => {
  it('ESLint refuses 401 lines in electron/, shared/ and renderer/src/, and takes 400', async () => {
    for (const file of [
      'electron/engine/exports/probe.ts',
      'electron/main/probe.ts',
      'shared/probe.ts',
      'renderer/src/screens/probe.tsx',
    ]) {
      expect((await sizeErrors(linesOf(401), file)).join('\n'), file).toMatch(
        /too many lines \(401\)\. Maximum allowed is 400/,
      );
      expect(await sizeErrors(linesOf(400), file), file).toEqual([]);
    }
  });

  it('every source file is within the limit today', () => {
    const over = ['electron', 'shared', 'renderer/src']
      .flatMap(sources)
      .map((f) => ({ f, n: readFileSync(f, 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter(({ n }) => n > MAX_SOURCE_LINES);
    expect(over).toEqual([]);
  });
});
