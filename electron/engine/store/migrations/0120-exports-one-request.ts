// An export's request is stored once, in request_json. The per-part copies (columns, filter,
// params, destination) go; a row whose request lacks a part its copy holds gets the part written
// into the request first, so nothing stored is lost.
import type { Migration } from './index.ts';

const parts = [
  ['columns', 'columns_json'],
  ['filter', 'filter_json'],
  ['params', 'params_json'],
  ['destination', 'destination_json'],
] as const;

export const m0120: Migration = {
  version: 120,
  name: 'exports-one-request',
  up: parts
    .map(
      ([key, col]) => `
    UPDATE exports SET request_json = json_set(request_json, '$.${key}', json(${col}))
      WHERE ${col} IS NOT NULL AND json_type(request_json, '$.${key}') IS NULL;
    ALTER TABLE exports DROP COLUMN ${col};`,
    )
    .join(''),
  postgres: parts
    .map(
      ([key, col]) => `
    UPDATE exports SET request_json = jsonb_set(request_json::jsonb, '{${key}}', ${col}::jsonb)::text
      WHERE ${col} IS NOT NULL AND (request_json::jsonb -> '${key}') IS NULL;
    ALTER TABLE exports DROP COLUMN ${col};`,
    )
    .join(''),
};
