// The datasets repo keeps records in memory (an export's request reads its dataset every time):
// each write forgets what it changed, and a read inside a transaction is never kept.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createDatasetsRepo,
  type DatasetRecord,
} from '../../../electron/engine/datasets/datasets-repo.ts';
import { immediate } from '../../../electron/engine/store/db.ts';
import { storeKind } from '../../helpers/test-store.ts';
import { harness, type Harness } from './helpers.ts';

let h: Harness;
afterEach(() => h.cleanup());

const record = (name: string, at: number): DatasetRecord => ({
  name,
  status: 'importing',
  columns: [{ name: 'a', type: 'integer' }],
  timeColumn: null,
  rowCount: null,
  progressPct: 0,
  bytesDone: 0,
  bytesTotal: 100,
  source: '/a.csv',
  error: null,
  createdAt: at,
  updatedAt: at,
});

describe('datasets repo cache', () => {
  it('reads a record anew after each change, and keeps nothing a rolled-back write showed', () => {
    h = harness();
    const repo = createDatasetsRepo(h.ctx.db);
    const at = h.ctx.clock.now();
    repo.insert(record('a', at));
    expect(repo.get('a')!.status).toBe('importing');
    repo.update('a', { status: 'ready', rowCount: 5, progressPct: 100, updatedAt: at + 1 });
    expect(repo.get('a')).toMatchObject({ status: 'ready', rowCount: 5 });
    // Kept in memory on a store of its own (never on one other engines share).
    if (storeKind() === 'sqlite') expect(repo.get('a')).toBe(repo.get('a'));

    expect(() =>
      immediate(h.ctx.db, () => {
        repo.update('a', { rowCount: 7, updatedAt: at + 2 });
        expect(repo.get('a')!.rowCount).toBe(7);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(repo.get('a')!.rowCount).toBe(5);

    expect(repo.delete('a')).toBe(true);
    expect(repo.get('a')).toBeNull();
    repo.insert({ ...record('a', at + 3), columns: [{ name: 'b', type: 'text' }] });
    expect(repo.get('a')!.columns).toEqual([{ name: 'b', type: 'text' }]);
  });
});
