// An export's request as stored: request_json is the one copy of what was asked for (columns,
// filter, params, destination); the row's other columns are what the engine made of it.
import type { ExportCreate } from '../../../shared/schemas/exports.ts';
import type { ExportRow } from './exports-table.ts';

export const storedRequest = (row: Pick<ExportRow, 'request_json'>): ExportCreate =>
  JSON.parse(row.request_json) as ExportCreate;
