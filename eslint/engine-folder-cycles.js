// ESLint rule: no import cycle between the folders of electron/engine (docs/architecture.md).
// Each folder (and each file directly in the engine folder) is one node; an import from one node into
// another is an edge. An import is reported when its target can already reach the importing node,
// i.e. when it closes a cycle. The other files are read from disk (each parsed once per change of
// its mtime); the linted file's own imports come from its AST, so an editor sees unsaved edits.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** path -> { mtimeMs, specifiers } */
const parsed = new Map();

function engineFiles(root) {
  return readdirSync(root, { recursive: true })
    .filter((f) => /\.(ts|tsx|mts)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(root, f));
}

function specifiersOnDisk(file) {
  const mtimeMs = statSync(file).mtimeMs;
  const known = parsed.get(file);
  if (known && known.mtimeMs === mtimeMs) return known.specifiers;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const specifiers = info.importedFiles.map((f) => f.fileName);
  parsed.set(file, { mtimeMs, specifiers });
  return specifiers;
}

/** The node a file belongs to: its first folder under the root, or the file itself. */
function nodeOf(root, file) {
  const rel = relative(root, file);
  if (rel.startsWith('..') || rel === '') return null;
  return rel.split(sep)[0];
}

function targetNode(root, file, specifier) {
  if (!specifier.startsWith('.')) return null;
  return nodeOf(root, resolve(dirname(file), specifier));
}

/** node -> Map(target node -> one example "from -> to" for the message) */
function graphWithout(root, skipFile) {
  const graph = new Map();
  for (const file of engineFiles(root)) {
    if (file === skipFile) continue;
    const from = nodeOf(root, file);
    for (const spec of specifiersOnDisk(file)) {
      const to = targetNode(root, file, spec);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const out = graph.get(from);
      if (!out.has(to)) out.set(to, `${relative(root, file)} imports ${spec}`);
    }
  }
  return graph;
}

/** A path of nodes from `start` to `goal` (both included), or null. */
function findPath(graph, start, goal) {
  const cameFrom = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === goal) {
      const path = [];
      for (let n = goal; n !== null; n = cameFrom.get(n)) path.unshift(n);
      return path;
    }
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

export const engineFolderCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycle between the folders of electron/engine.' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' } },
        required: ['root'],
        additionalProperties: false,
      },
    ],
    messages: {
      cycle:
        'Import cycle between engine folders: {{cycle}} ({{evidence}}). Dependencies point one way (docs/architecture.md): move the shared piece down a layer.',
    },
  },
  create(context) {
    const root = resolve(context.options[0].root);
    const file = resolve(context.filename);
    const own = nodeOf(root, file);
    if (!own) return {};
    let graph = null;
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const to = targetNode(root, file, source.value);
      if (!to || to === own) return;
      graph ??= graphWithout(root, file);
      const back = findPath(graph, to, own);
      if (!back) return;
      const evidence = back
        .slice(0, -1)
        .map((n, i) => graph.get(n).get(back[i + 1]))
        .join('; ');
      context.report({
        node,
        messageId: 'cycle',
        data: { cycle: [own, ...back].join(' → '), evidence },
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

export default { rules: { 'engine-folder-cycles': engineFolderCycles } };
