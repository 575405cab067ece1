// Streams the records of a run's file: CSV (with its header) or JSONL, plain, gzip or zstd.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { CsvParser } from '../datasets/csv-parser.ts';

export type Row = Record<string, unknown>;

function decoded(path: string): Readable {
  const source = createReadStream(path);
  if (path.endsWith('.gz')) return source.pipe(zlib.createGunzip());
  if (path.endsWith('.zst')) return source.pipe(zlib.createZstdDecompress());
  return source;
}

/** Calls `onRow` for every record; resolves with the file's columns (a CSV's header). */
export async function readRows(path: string, onRow: (row: Row) => void): Promise<string[]> {
  const text = decoded(path);
  text.setEncoding('utf8');
  let header: string[] | null = null;
  if (/\.(jsonl|ndjson)(\.gz|\.zst)?$/.test(path)) {
    let rest = '';
    const cols = new Set<string>();
    const take = (line: string) => {
      if (!line.trim()) return;
      const row = JSON.parse(line) as Row;
      for (const k of Object.keys(row)) cols.add(k);
      onRow(row);
    };
    for await (const chunk of text as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      lines.forEach(take);
    }
    take(rest);
    return [...cols];
  }
  const parser = new CsvParser((fields) => {
    if (!header) header = fields;
    else onRow(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
  });
  for await (const chunk of text as AsyncIterable<string>) parser.push(chunk);
  parser.end();
  return header ?? [];
}
