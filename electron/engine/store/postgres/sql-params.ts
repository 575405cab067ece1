// Statement parameters as the repos write them (SQLite's `?`, `@name`, `:name`, `$name`), turned
// into PostgreSQL's numbered `$1 … $n`, and the values a call passes put in that order. Quoted
// strings, quoted names and comments are left alone.

export interface PgStatementText {
  readonly text: string;
  /** For each $k: the index of a positional value, or the name of a named one. */
  readonly slots: readonly (number | string)[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function toPgParams(sql: string): PgStatementText {
  let out = '';
  const slots: (number | string)[] = [];
  const named = new Map<string, number>();
  let positional = 0;
  let i = 0;
  const copyUntil = (end: string, from: number): number => {
    const stop = sql.indexOf(end, from);
    const to = stop < 0 ? sql.length : stop + end.length;
    out += sql.slice(i, to);
    return to;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: the scan simply resumes after it.
      i = copyUntil(c, i + 1);
    } else if (c === '-' && sql[i + 1] === '-') {
      i = copyUntil('\n', i);
    } else if (c === '/' && sql[i + 1] === '*') {
      i = copyUntil('*/', i + 2);
    } else if (c === ':' && sql[i + 1] === ':') {
      out += '::';
      i += 2;
    } else if (c === '?') {
      slots.push(positional++);
      out += `$${slots.length}`;
      i++;
    } else if (c === '@' || c === ':' || (c === '$' && !/[0-9]/.test(sql[i + 1] ?? ''))) {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(sql);
      if (!m) {
        out += c;
        i++;
        continue;
      }
      let slot = named.get(m[0]);
      if (slot === undefined) {
        slots.push(m[0]);
        slot = slots.length;
        named.set(m[0], slot);
      }
      out += `$${slot}`;
      i += 1 + m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, slots };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !Buffer.isBuffer(v) &&
  !(v instanceof Uint8Array);

/** The values of one call (`run(a, b)`, `run([a, b])`, `run({ now })`) in $1 … $n order. */
export function bindValues(statement: PgStatementText, args: readonly unknown[]): unknown[] {
  const positional: unknown[] = [];
  let named: Record<string, unknown> | undefined;
  for (const a of args) {
    if (Array.isArray(a)) positional.push(...(a as unknown[]));
    else if (isPlainObject(a)) named = a;
    else positional.push(a);
  }
  const used = statement.slots.filter((s) => typeof s === 'number').length;
  if (positional.length !== used)
    throw new RangeError(
      `The statement takes ${used} positional parameter(s) and was given ${positional.length}.`,
    );
  return statement.slots.map((s) => {
    if (typeof s === 'number') return toPgValue(positional[s]);
    if (!named || !(s in named)) throw new RangeError(`Missing named parameter "${s}".`);
    return toPgValue(named[s]);
  });
}

function toPgValue(v: unknown): unknown {
  if (v === undefined) return null; // as better-sqlite3 binds it
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean')
    throw new TypeError('Booleans are stored as 0 or 1 in this store; pass a number.');
  return v;
}
