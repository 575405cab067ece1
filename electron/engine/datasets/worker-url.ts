// Where a worker's entry file is: beside this module when run from source (.ts), or a bundle
// entry of the same name in the bundle's folder (electron-vite's main build lists the entries;
// this module itself may land one level down, in a shared chunk).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerUrl(name: string): URL {
  if (import.meta.url.endsWith('.ts')) return new URL(`./${name}.ts`, import.meta.url);
  const beside = new URL(`./${name}.js`, import.meta.url);
  const above = new URL(`../${name}.js`, import.meta.url);
  return existsSync(fileURLToPath(beside)) || !existsSync(fileURLToPath(above)) ? beside : above;
}
