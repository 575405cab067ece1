import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrate } from '../../../electron/engine/store/db.ts';
import { m0010 } from '../../../electron/engine/store/migrations/0010-exports.ts';
import { m0020 } from '../../../electron/engine/store/migrations/0020-datasets.ts';

it('0020 creates strict dataset tables whose names are unique ignoring case', () => {
  const db = new Database(':memory:');
  expect(migrate(db, [m0010, m0020])).toBe(20);
  const insert = db.prepare(
    "INSERT INTO datasets (name, status, created_at, updated_at) VALUES (?, 'ready', 1, 1)",
  );
  insert.run('leads');
  expect(() => insert.run('Leads')).toThrow(/UNIQUE/);
  expect(() =>
    db
      .prepare(
        "INSERT INTO datasets (name, status, created_at, updated_at) VALUES ('x', 'done', 1, 1)",
      )
      .run(),
  ).toThrow(/CHECK/);
  // STRICT: a wrong type is refused rather than stored.
  expect(() =>
    db
      .prepare(
        "INSERT INTO datasets (name, status, created_at, updated_at) VALUES ('y', 'ready', 'soon', 1)",
      )
      .run(),
  ).toThrow(/cannot store TEXT value in INTEGER column/);
  db.prepare("INSERT INTO datasets_state (key, value) VALUES ('demo_created', '1')").run();
  expect(db.prepare('SELECT value FROM datasets_state').get()).toEqual({ value: '1' });
  db.close();
});
