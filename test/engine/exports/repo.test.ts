import { storeKind } from '../../helpers/test-store.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportStatus } from '../../../shared/schemas/exports.ts';
import {
  canTransition,
  createExportsRepo,
  listQuery,
  type ExportRow,
  type ListFilter,
} from '../../../electron/engine/exports/exports-repo.ts';
import { expirySql } from '../../../electron/engine/exports/exports-table.ts';
import { newId } from '../../../electron/engine/ids.ts';
import { makeContext, type TestContext } from '../../helpers/context.ts';
import { exportRow } from '../../helpers/export-row.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const row = (over: Partial<ExportRow> = {}): ExportRow =>
  exportRow({ created_at: ctx.clock.now(), ...over });

const statuses: ExportStatus[] = [
  'pending',
  'processing',
  'completed',
  'failed',
  'canceled',
  'expired',
];
const allowed = new Set([
  'pending>processing',
  'pending>canceled',
  'pending>failed',
  'processing>completed',
  'processing>failed',
  'processing>canceled',
  'completed>expired',
]);

describe('exports repo', () => {
  it('allows exactly the state machine transitions, from every status to every status', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    for (const from of statuses) {
      for (const to of statuses) {
        const r = row({ status: from });
        repo.insert(r);
        const ok = repo.transition(r.id, to, ctx.clock.now());
        expect(ok, `${from} -> ${to}`).toBe(allowed.has(`${from}>${to}`));
        expect(canTransition(from, to)).toBe(ok);
        expect(repo.get(r.id)!.status).toBe(ok ? to : from);
      }
    }
  });

  it('puts a job back in the queue only through requeue, and only from processing', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    for (const from of statuses) {
      const r = row({ status: from });
      repo.insert(r);
      expect(repo.requeue(r.id, ctx.clock.now()), from).toBe(from === 'processing');
    }
  });

  it('ends an attempt only for the lease that holds it, when the owner is given', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const r = row({ status: 'processing', lease_owner: 'newer', attempts: 2 });
    repo.insert(r);
    // A process whose attempt was taken over cannot complete or fail the newer one.
    expect(repo.transition(r.id, 'completed', ctx.clock.now(), {}, 'older')).toBe(false);
    expect(repo.transition(r.id, 'failed', ctx.clock.now(), {}, null)).toBe(false);
    expect(repo.get(r.id)!.status).toBe('processing');
    expect(repo.transition(r.id, 'completed', ctx.clock.now(), {}, 'newer')).toBe(true);
    expect(repo.get(r.id)!.status).toBe('completed');
  });

  it('appends every transition to the history with its time, and returns it in the API shape', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const r = row();
    repo.insert(r);
    const t0 = ctx.clock.now();
    ctx.clock.advance(1000);
    repo.transition(r.id, 'processing', ctx.clock.now(), { lease_owner: 'me' });
    ctx.clock.advance(1000);
    repo.requeue(r.id, ctx.clock.now());
    ctx.clock.advance(1000);
    repo.transition(r.id, 'processing', ctx.clock.now());
    ctx.clock.advance(1000);
    expect(repo.transition(r.id, 'pending', ctx.clock.now())).toBe(false);
    repo.transition(r.id, 'completed', ctx.clock.now(), { expires_at: ctx.clock.now() + 5000 });
    expect(repo.transition(r.id, 'failed', ctx.clock.now())).toBe(false);
    const exp = repo.toExport(repo.mustGet(r.id));
    expect(exp.history).toEqual([
      { status: 'pending', at: new Date(t0).toISOString() },
      { status: 'processing', at: new Date(t0 + 1000).toISOString() },
      { status: 'pending', at: new Date(t0 + 2000).toISOString() },
      { status: 'processing', at: new Date(t0 + 3000).toISOString() },
      { status: 'completed', at: new Date(t0 + 4000).toISOString() },
    ]);
    expect(exp.status).toBe('completed');
    expect(exp.updated_at).toBe(new Date(t0 + 4000).toISOString());
    expect(exp.expires_at).toBe(new Date(t0 + 9000).toISOString());
    expect(repo.mustGet(r.id).lease_owner).toBe('me');
  });

  it('pages newest first by (created_at, id), ties included, with every filter', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const ids: { id: string; at: number; i: number }[] = [];
    const provider = newId(ctx.clock.now());
    for (let i = 0; i < 12; i++) {
      // Pairs share a created_at: the id breaks the tie, and a page boundary may fall between them.
      if (i % 2 === 0) ctx.clock.advance(1000);
      const r = row({
        name: i % 3 === 0 ? `Texas leads ${i}` : `other ${i}`,
        status: i % 4 === 0 ? 'failed' : 'pending',
        ...(i % 2 === 0
          ? { dataset: 'leads' }
          : { source_type: 'provider', dataset: null, provider_id: provider, provider_type: 'x' }),
        schedule_id: i < 6 ? 'sched-1' : null,
      });
      repo.insert(r);
      ids.push({ id: r.id, at: r.created_at, i });
    }
    // Ids minted in one millisecond are random in their tail: the id, not insertion, breaks ties.
    const byAge = [...ids].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    expect(byAge.map((x) => x.at)).toEqual(ids.map((x) => x.at));
    const newest = byAge.reverse();
    const newestFirst = newest.map((x) => x.id);
    const where = (keep: (i: number) => boolean) =>
      newest.filter((x) => keep(x.i)).map((x) => x.id);
    const all = (f: Omit<ListFilter, 'limit' | 'cursor'>, limit: number) => {
      const seen: string[] = [];
      let cursor: ListFilter['cursor'];
      for (;;) {
        const page = repo.list({ ...f, limit, cursor });
        const items = page.slice(0, limit);
        seen.push(...items.map((r) => r.id));
        if (page.length <= limit) return seen;
        const last = items[items.length - 1]!;
        cursor = { createdAt: last.created_at, id: last.id };
      }
    };
    expect(all({}, 5)).toEqual(newestFirst);
    expect(all({}, 1)).toEqual(newestFirst);
    expect(all({ status: 'failed' }, 2)).toEqual(where((i) => i % 4 === 0));
    expect(all({ source: 'dataset' }, 4)).toEqual(where((i) => i % 2 === 0));
    expect(all({ source: 'leads' }, 4)).toEqual(all({ source: 'dataset' }, 4));
    expect(all({ source: provider }, 4)).toEqual(all({ source: 'provider' }, 4));
    expect(all({ source: 'nope' }, 4)).toEqual([]);
    expect(all({ scheduleId: 'sched-1' }, 4)).toEqual(where((i) => i < 6));
    expect(all({ q: 'texas' }, 2)).toEqual(where((i) => i % 3 === 0));
  });

  // SQLite's planner, read through EXPLAIN QUERY PLAN; PostgreSQL plans by table statistics.
  it.runIf(storeKind() === 'sqlite')(
    'answers every list query from an index in page order, never sorting the table',
    () => {
      ctx = makeContext();
      const cursor = { createdAt: 1, id: '01930000-0000-7000-8000-000000000001' };
      const filters: ListFilter[] = [
        { limit: 50 },
        { limit: 50, cursor },
        { limit: 50, status: 'completed', cursor },
        { limit: 50, source: 'leads', cursor },
        { limit: 50, source: '01930000-0000-7000-8000-00000000000a' },
        { limit: 50, scheduleId: 'sched', cursor },
        { limit: 50, q: 'texas', source: 'dataset' },
        { limit: 50, sort: 'created_asc', cursor },
        { limit: 50, status: ['pending', 'processing'], cursor },
      ];
      for (const f of filters) {
        const { sql, params } = listQuery(f);
        const plan = ctx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as {
          detail: string;
        }[];
        const text = plan.map((p) => p.detail).join(' | ');
        expect(text, JSON.stringify(f)).not.toMatch(/TEMP B-TREE/);
        expect(text, JSON.stringify(f)).toMatch(/USING INDEX exports_by_/);
      }
      const byStatus = listQuery({ limit: 50, status: 'failed' });
      const plan = ctx.db.prepare(`EXPLAIN QUERY PLAN ${byStatus.sql}`).all(byStatus.params);
      expect(JSON.stringify(plan)).toMatch(/exports_by_status/);
    },
  );

  it('finds the next expiry and the expired among completed exports only', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const t0 = ctx.clock.now();
    expect(repo.nextExpiry()).toBeNull();
    const make = (status: ExportStatus, expiresIn: number | null) => {
      const r = row({ status, expires_at: expiresIn === null ? null : t0 + expiresIn });
      repo.insert(r);
      return r.id;
    };
    make('pending', null);
    make('failed', 1_000); // not completed: never the next expiry
    const later = make('completed', 9_000);
    const sooner = make('completed', 5_000);
    make('expired', 2_000);
    expect(repo.nextExpiry()).toBe(t0 + 5_000);
    expect(repo.dueForExpiry(t0 + 4_999)).toEqual([]);
    expect(repo.dueForExpiry(t0 + 5_000).map((r) => r.id)).toEqual([sooner]);
    expect(new Set(repo.dueForExpiry(t0 + 10_000).map((r) => r.id))).toEqual(
      new Set([sooner, later]),
    );
  });

  it.runIf(storeKind() === 'sqlite')(
    'asks for expiries through the expiry index, not by reading every completed export',
    () => {
      ctx = makeContext();
      const { due, first } = expirySql('sqlite');
      for (const sql of [due, first]) {
        const plan = ctx.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql === due ? [0] : []));
        expect(JSON.stringify(plan), sql).toMatch(/USING (COVERING )?INDEX exports_by_expiry/);
      }
    },
  );

  it('shapes a page of exports as one by one, reading child lists a chunk at a time', () => {
    ctx = makeContext();
    const repo = createExportsRepo(ctx.db);
    const ids: string[] = [];
    // 120 exports: more than two chunks, some with files, history and timeline lines, some bare.
    for (let i = 0; i < 120; i++) {
      const r = row({ status: 'processing', name: `page ${i}`, created_at: 1000 + i });
      repo.insert(r);
      ids.push(r.id);
      if (i % 3 === 0) {
        repo.setFiles(r.id, [
          { filename: `a${i}.csv.gz`, byte_size: i, sha256: 'a'.repeat(64), row_count: i },
          { filename: `b${i}.csv.gz`, byte_size: 2 * i, sha256: 'b'.repeat(64), row_count: null },
        ]);
        repo.transition(r.id, 'completed', 2000 + i);
      }
      if (i % 4 === 0) repo.note(r.id, 'recreated_as', `line ${i}`, 3000 + i);
    }
    const page = repo.list({ limit: 200, sort: 'created_asc' });
    expect(page).toHaveLength(120);
    // Counted on a fresh repo, so no shape or child list is cached yet.
    const counted = createExportsRepo(countingStore(ctx.db));
    const before = statements.count;
    const many = counted.toExports(page);
    const used = statements.count - before;
    const one = page.map((r) => createExportsRepo(ctx.db).toExport(r));
    expect(many).toEqual(one);
    expect(many.map((e) => e.id)).toEqual(ids);
    expect(many[3]!.files.map((f) => f.filename)).toEqual(['a3.csv.gz', 'b3.csv.gz']);
    expect(many[4]!.timeline.map((t) => t.text)).toEqual(['line 4']);
    expect(many[3]!.history.map((h) => h.status)).toEqual(['processing', 'completed']);
    // Three statements per chunk of 50 (files, history, timeline), not three per export.
    expect(used).toBeLessThanOrEqual(9);
  });
});

const statements = { count: 0 };
/** The store with every statement run counted. */
function countingStore(db: TestContext['db']): TestContext['db'] {
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key !== 'prepare') return Reflect.get(target, key, receiver) as unknown;
      return (sql: string) => {
        const stmt = target.prepare(sql);
        return new Proxy(stmt, {
          get(s, k, r) {
            const v = Reflect.get(s, k, r) as unknown;
            if (typeof v !== 'function' || !['run', 'get', 'all', 'iterate'].includes(String(k)))
              return typeof v === 'function' ? v.bind(s) : v;
            return (...args: unknown[]) => {
              statements.count += 1;
              return (v as (...a: unknown[]) => unknown).apply(s, args);
            };
          },
        });
      };
    },
  });
}
