// The SQL of the exports list: one page in a chosen order under filters, and counts by status.
import type { ExportStatus } from '../../../shared/schemas/exports.ts';
import { isUuid } from '../ids.ts';

export const listSorts = ['created_desc', 'created_asc', 'name_asc', 'name_desc'] as const;
export type ListSort = (typeof listSorts)[number];

/** Where the next page starts: after this row in the chosen order. */
export interface ListCursor {
  createdAt: number;
  name?: string | undefined;
  id: string;
}

export interface ListFilter {
  /** One status, or several (the queue is pending + processing). */
  status?: ExportStatus | readonly ExportStatus[] | undefined;
  sort?: ListSort | undefined;
  source?: string | undefined;
  scheduleId?: string | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: ListCursor | undefined;
}

/** The filters a page and the counts share: source, schedule and name search. */
function filterWhere(f: Omit<ListFilter, 'limit' | 'cursor' | 'status' | 'sort'>) {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.source === 'dataset' || f.source === 'provider') {
    where.push('source_type = @source');
    params.source = f.source;
  } else if (f.source) {
    // Provider ids are UUIDs; dataset names start with a letter. One column keeps an index.
    where.push(isUuid(f.source) ? 'provider_id = @source' : 'dataset = @source');
    params.source = f.source;
  }
  if (f.scheduleId) {
    where.push('schedule_id = @schedule');
    params.schedule = f.scheduleId;
  }
  if (f.q) {
    // A substring match written the same for SQLite and PostgreSQL: LIKE with the text escaped.
    where.push("lower(name) LIKE lower(@q) ESCAPE '\\'");
    params.q = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return { where, params };
}

/** Counts by status under the shared filters: one grouped scan, no rows read out. */
export function countsQuery(f: Omit<ListFilter, 'limit' | 'cursor' | 'status' | 'sort'>) {
  const { where, params } = filterWhere(f);
  const sql = `SELECT status, count(*) AS n FROM exports ${where.length ? 'WHERE ' + where.join(' AND ') : ''} GROUP BY status`;
  return { sql, params };
}

/** The SQL of one page in the chosen order (newest first by default) and its parameters. */
export function listQuery(f: ListFilter): { sql: string; params: Record<string, unknown> } {
  const { where, params } = filterWhere(f);
  params.limit = f.limit + 1;
  const statuses =
    f.status === undefined ? [] : typeof f.status === 'string' ? [f.status] : f.status;
  if (statuses.length === 1) {
    where.push('status = @status');
    params.status = statuses[0];
  } else if (statuses.length > 1) {
    // Several statuses: walk the created index and filter (an IN on the status index would need
    // a sort of every match); an expression keeps SQLite off the status index (`|| ''`, where
    // SQLite's idiom, a unary +, is no text operator in PostgreSQL).
    where.push(`(status || '') IN (${statuses.map((_, i) => `@status${i}`).join(', ')})`);
    statuses.forEach((st, i) => (params[`status${i}`] = st));
  }
  const sort = f.sort ?? 'created_desc';
  const desc = sort.endsWith('_desc');
  const cmp = desc ? '<' : '>';
  const dir = desc ? 'DESC' : 'ASC';
  if (f.cursor) {
    if (sort.startsWith('name')) {
      where.push(`(name, id) ${cmp} (@cName, @cId)`);
      params.cName = f.cursor.name ?? '';
    } else {
      where.push(`(created_at, id) ${cmp} (@cAt, @cId)`);
      params.cAt = f.cursor.createdAt;
    }
    params.cId = f.cursor.id;
  }
  const order = sort.startsWith('name') ? `name ${dir}, id ${dir}` : `created_at ${dir}, id ${dir}`;
  const sql = `SELECT * FROM exports ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT @limit`;
  return { sql, params };
}
