// Time-ordered ids (UUIDv7) for exports, providers, schedules and keys.
import { v7 } from 'uuid';

/** A UUIDv7; pass the engine clock's time so ids sort with the fake clock in tests too. */
export const newId = (msecs?: number): string => (msecs === undefined ? v7() : v7({ msecs }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);
