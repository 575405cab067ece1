// Where a worker's entry file is: beside this module when run from source (.ts), or a bundle
// entry of the same name in the bundle's folder (electron-vite's main build lists the entries;
// this module itself may land one level down, in a shared chunk).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `from` is the import.meta.url of the module that sits beside the worker's source file. */
export function workerUrl(name: string, from: string): URL {
  if (from.endsWith('.ts')) return new URL(`./${name}.ts`, from);
  const beside = new URL(`./${name}.js`, from);
  const above = new URL(`../${name}.js`, from);
  return existsSync(fileURLToPath(beside)) || !existsSync(fileURLToPath(above)) ? beside : above;
}
