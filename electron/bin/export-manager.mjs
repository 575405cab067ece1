#!/usr/bin/env node
// The `export-manager` command: runs electron/cli.ts on a Node that can (see node24.mjs).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeIsNewEnough, pickNode } from './node24.mjs';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));

if (nodeIsNewEnough()) {
  const { main } = await import(cli);
  await main(process.argv.slice(2), process.env).catch((err) => {
    console.error(`Export Manager cannot start: ${err.message}`);
    process.exit(1);
  });
} else {
  const node = pickNode();
  if (!node) {
    console.error(
      `Export Manager needs Node 24 (this is ${process.version}). Run "npm install" in ${fileURLToPath(new URL('../../', import.meta.url))} or install Node 24.`,
    );
    process.exit(1);
  }
  const child = spawn(node, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
