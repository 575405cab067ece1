// Figures of the last reliability run, merged into test-results/reliability-summary.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const file = join(
  resolve(import.meta.dirname, '../..'),
  'test-results',
  'reliability-summary.json',
);

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(join(file, '..'), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first figures of this run
  }
  all[name] = { ...figures, at: new Date().toISOString() };
  writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  console.log(`${name}: ${JSON.stringify(figures)}`);
}
