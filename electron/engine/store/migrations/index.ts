// The ordered list of migrations. Landed migrations are never edited: add a new file instead.
import { m0010 } from './0010-exports.ts';
import { m0020 } from './0020-datasets.ts';
import { m0030 } from './0030-keys-settings.ts';
import { m0040 } from './0040-providers.ts';
import { m0050 } from './0050-schedules.ts';
import { m0060 } from './0060-export-timeline.ts';
import { m0070 } from './0070-schedule-runs.ts';
import { m0090 } from './0090-event-log.ts';
import { m0110 } from './0110-schedule-keys-marks.ts';
import { m0120 } from './0120-exports-one-request.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /**
   * The same change in PostgreSQL's words, for the rare migration no rule of
   * postgres/dialect.ts can translate (SQLite's JSON functions); otherwise `up` is translated.
   */
  readonly postgres?: string;
}

export const migrations: readonly Migration[] = [
  m0010,
  m0020,
  m0030,
  m0040,
  m0050,
  m0060,
  m0070,
  m0090,
  m0110,
  m0120,
];
