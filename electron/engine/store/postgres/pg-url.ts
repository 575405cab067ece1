// Whether a --store value names PostgreSQL (kept apart from pg-migrate.ts, which loads `pg`).
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
