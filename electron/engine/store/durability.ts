// Group commit for the SQLite store: commits that need not wait for the disk one by one.
//
// A commit with `synchronous = FULL` ends with an fsync of the WAL, on the thread that commits:
// the engine's main thread. A small export makes four or five commits (accepted, started, its
// progress and events, completed); on a busy disk each fsync holds the main thread for 0.5-2 ms,
// and the worker slots wait behind it. A *lazy* commit (store/db.ts `immediate(..., { lazy })`)
// is written to the WAL with `synchronous = NORMAL` instead: in the OS's cache at once, on the disk
// at the next fdatasync of the WAL, which runs on libuv's pool and covers every lazy commit made
// before it started (one fdatasync for a burst of them: a group commit). Up to two run at once, so
// a commit made while one runs waits for one sync of its own, not for the end of the other first.
//
// What that keeps:
// - A process that dies (killed, crashed) loses nothing: a commit is in the OS's cache the moment
//   it returns, as before. SQLite's WAL is never left inconsistent by NORMAL.
// - Nothing anyone is told can be lost to a power cut either: what tells the outside world about a
//   change waits for `whenDurable` (the HTTP response, server/durable-replies.ts; /v1/events,
//   event-log.ts). A power cut before that loses only changes nobody has heard of, as a power cut a
//   moment earlier would have.
// - Order: a later FULL commit syncs the WAL, so it makes every lazy commit before it durable too;
//   code that deletes a file after a FULL commit is still safe. Callbacks run in the order given.
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type { StoreDb } from './store-db.ts';

interface Waiter {
  /** The lazy commits that must be on disk before `fn` runs. */
  readonly seq: number;
  readonly fn: (err: Error | null) => void;
}

interface State {
  readonly walPath: string;
  fd: number | null;
  /** Lazy commits made so far. */
  seq: number;
  /** Lazy commits known to be on disk. */
  synced: number;
  /** Syncs running now, and the most commits one of them covers. */
  inFlight: number;
  inFlightCovers: number;
  /** The store closed: the descriptor goes once no sync uses it. */
  closed: boolean;
  readonly waiters: Waiter[];
  readonly onError: (err: Error) => void;
}

const states = new WeakMap<StoreDb, State>();
/** Syncs of one store's WAL running at once (each on a thread of libuv's pool). */
const MAX_IN_FLIGHT = 2;

/**
 * Enables lazy commits on a SQLite store in WAL mode (openDatabase does it). Without this (a
 * PostgreSQL store, whose commits are durable on their own), `lazy` is ignored.
 */
export function enableLazyCommits(db: StoreDb, file: string, onError?: (err: Error) => void): void {
  states.set(db, {
    walPath: `${file}-wal`,
    fd: null,
    seq: 0,
    synced: 0,
    inFlight: 0,
    inFlightCovers: 0,
    closed: false,
    waiters: [],
    onError: onError ?? (() => undefined),
  });
}

/** True when lazy commits are on for this store. */
export function lazyCommitsOn(db: StoreDb): boolean {
  return states.has(db);
}

/** A lazy commit was just made (store/db.ts). */
export function noteLazyCommit(db: StoreDb): void {
  const s = states.get(db);
  if (s) s.seq++;
}

/**
 * The lazy commits made so far: a mark for `whenDurable(db, fn, mark)`, when what is told was read
 * at that point and later commits are none of its business.
 */
export function commitMark(db: StoreDb): number {
  return states.get(db)?.seq ?? 0;
}

/** True when every lazy commit made so far (or up to `mark`) is on disk (nothing to wait for). */
export function isDurable(db: StoreDb, mark?: number): boolean {
  const s = states.get(db);
  if (!s) return true;
  return mark === undefined ? s.synced >= s.seq && s.waiters.length === 0 : s.synced >= mark;
}

/**
 * Runs `fn` once every commit made so far, or up to `mark` (commitMark), is on disk: at once when
 * it already is, else after the next fdatasync of the WAL that covers it. Calls without a mark run
 * in the order given; a call with a mark may run before calls made earlier that wait for later
 * commits. `err` is set when the WAL could not be synced (the commits are made, but their
 * durability is not known).
 */
export function whenDurable(db: StoreDb, fn: (err: Error | null) => void, mark?: number): void {
  const s = states.get(db);
  if (!s || isDurable(db, mark)) {
    fn(null);
    return;
  }
  s.waiters.push({ seq: Math.min(mark ?? s.seq, s.seq), fn });
  syncIfNeeded(s);
}

/**
 * Starts a sync of every lazy commit made so far now, with nobody waiting yet: the caller will
 * tell of them shortly (a response still being shaped), and the sync runs meanwhile.
 */
export function syncSoon(db: StoreDb): void {
  const s = states.get(db);
  if (s) syncUpTo(s, s.seq);
}

/** whenDurable as a promise; it rejects when the WAL could not be synced. */
export function durable(db: StoreDb): Promise<void> {
  if (isDurable(db)) return Promise.resolve();
  return new Promise((resolve, reject) =>
    whenDurable(db, (err) => (err ? reject(err) : resolve())),
  );
}

/** Before the store closes: syncs now, on this thread, and runs whatever waited. */
export function settleLazyCommits(db: StoreDb): void {
  const s = states.get(db);
  if (!s) return;
  if (s.synced < s.seq) {
    let err: Error | null = null;
    try {
      fdatasyncSync(walFd(s));
      s.synced = s.seq;
    } catch (e) {
      err = e as Error;
      s.onError(err);
    }
    runWaiters(s, err);
  }
  s.closed = true;
  if (s.fd !== null && s.inFlight === 0) closeSync(s.fd);
  if (s.inFlight === 0) s.fd = null;
  states.delete(db);
}

function walFd(s: State): number {
  // The WAL exists from the first write until the store closes, under the same inode (SQLite
  // restarts it in place after a checkpoint): one descriptor serves every sync.
  s.fd ??= openSync(s.walPath, 'r+');
  return s.fd;
}

/**
 * Starts a sync for the latest commit a waiter waits for, unless one already running covers it.
 * A commit made while a sync runs does not wait for that one to end first: a second one starts
 * beside it (an fdatasync covers what was written before it began, whichever ends first), so a
 * response waits for one sync, not one and a half on average.
 */
function syncIfNeeded(s: State): void {
  let wanted = 0;
  for (const w of s.waiters) wanted = Math.max(wanted, w.seq);
  syncUpTo(s, wanted);
}

/** Starts a sync when commits up to `seq` are neither on disk nor in a sync running now. */
function syncUpTo(s: State, seq: number): void {
  if (seq > Math.max(s.synced, s.inFlightCovers) && s.inFlight < MAX_IN_FLIGHT) startSync(s);
}

function startSync(s: State): void {
  const covers = s.seq;
  let fd: number;
  try {
    fd = walFd(s);
  } catch (err) {
    s.onError(err as Error);
    runWaiters(s, err as Error);
    return;
  }
  s.inFlight++;
  s.inFlightCovers = Math.max(s.inFlightCovers, covers);
  fdatasync(fd, (err) => {
    s.inFlight--;
    if (s.inFlight === 0) s.inFlightCovers = 0;
    if (s.closed) {
      // Closed meanwhile: everything was synced and run then; the descriptor goes with the last.
      if (s.inFlight === 0 && s.fd !== null) closeSync(s.fd);
      if (s.inFlight === 0) s.fd = null;
      return;
    }
    if (err) s.onError(err);
    else s.synced = Math.max(s.synced, covers);
    runWaiters(s, err);
    // Commits made while this sync ran wait for the next one.
    syncIfNeeded(s);
  });
}

/**
 * Runs the waiters this sync covered, in the order they came; after a failed sync, all of them
 * (with the error). Waiters without a mark wait for ever later commits, so they keep their order;
 * one with an earlier mark may pass them.
 */
function runWaiters(s: State, err: Error | null): void {
  if (s.waiters.length === 0) return;
  const ready = err !== null ? s.waiters.splice(0) : [];
  if (err === null) {
    let kept = 0;
    for (const w of s.waiters) {
      if (w.seq <= s.synced) ready.push(w);
      else s.waiters[kept++] = w;
    }
    s.waiters.length = kept;
  }
  for (const w of ready) {
    try {
      w.fn(err);
    } catch (e) {
      s.onError(e as Error);
    }
  }
}
