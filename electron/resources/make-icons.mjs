// Renders icon.svg to the PNG sizes each platform wants (rsvg-convert, Debian `librsvg2-bin`) and
// packs them into icon.ico (Windows) and icon.icns (macOS). The outputs are committed; run this
// again after changing icon.svg: `node electron/resources/make-icons.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const svg = join(here, 'icon.svg');
const png = (size) => {
  const out = join(here, 'icons', `${size}x${size}.png`);
  execFileSync('rsvg-convert', ['-w', String(size), '-h', String(size), '-o', out, svg]);
  return readFileSync(out);
};

mkdirSync(join(here, 'icons'), { recursive: true });
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const images = new Map(sizes.map((s) => [s, png(s)]));
writeFileSync(join(here, 'icon.png'), images.get(1024));

// ICO: a header, one 16-byte directory entry per image, then the PNGs themselves.
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((s, i) => {
  const data = images.get(s);
  const at = 6 + 16 * i;
  header.writeUInt8(s === 256 ? 0 : s, at);
  header.writeUInt8(s === 256 ? 0 : s, at + 1);
  header.writeUInt16LE(1, at + 4);
  header.writeUInt16LE(32, at + 6);
  header.writeUInt32LE(data.length, at + 8);
  header.writeUInt32LE(offset, at + 12);
  offset += data.length;
});
writeFileSync(
  join(here, 'icon.ico'),
  Buffer.concat([header, ...icoSizes.map((s) => images.get(s))]),
);

// ICNS: 'icns' + total length, then chunks of OSType + length + PNG.
const icnsTypes = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];
const chunks = icnsTypes.map(([type, s]) => {
  const data = images.get(s);
  const head = Buffer.alloc(8);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(data.length + 8, 4);
  return Buffer.concat([head, data]);
});
const body = Buffer.concat(chunks);
const top = Buffer.alloc(8);
top.write('icns', 0, 'ascii');
top.writeUInt32BE(body.length + 8, 4);
writeFileSync(join(here, 'icon.icns'), Buffer.concat([top, body]));
console.log(`icons written to ${here}`);
