import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { startServer, type RunningServer } from '../../electron/server/serve.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import type { EventLogLimits } from '../../electron/engine/event-log.ts';
import { tempDir } from '../helpers/context.ts';

// The event stream over a real port: ids from the store, replay after a reconnect (also across a
// restart of the server on the same data folder), reload when the log no longer has what was
// missed, and a clean end of every stream on shutdown.

const KEY = 'em_events_test_key_0123456789';
const servers: RunningServer[] = [];
let dir = '';
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function start(eventLogLimits?: EventLogLimits) {
  dir ||= tempDir();
  const s = await startServer({
    dataDir: dir,
    port: 0,
    demoRows: 0,
    envKey: KEY,
    logger: silentLogger,
    staticDir: null,
    ...(eventLogLimits ? { eventLogLimits } : {}),
  });
  servers.push(s);
  return s;
}

interface Sse {
  id: number | null;
  event: string;
  data: string;
}

/** Opens the stream and reads messages until `until` holds or the stream ends. */
async function read(
  s: RunningServer,
  opts: { lastEventId?: string; query?: string; until: (m: Sse[]) => boolean; during?: () => void },
): Promise<{ messages: Sse[]; ended: boolean; status: number }> {
  const ac = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${KEY}` };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = opts.lastEventId;
  const res = await fetch(`${s.url}/v1/events${opts.query ?? ''}`, { headers, signal: ac.signal });
  if (res.status !== 200) return { messages: [], ended: true, status: res.status };
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  const messages: Sse[] = [];
  let ended = false;
  let first = true;
  while (!opts.until(messages)) {
    const chunk = await reader.read();
    if (chunk.done) {
      ended = true;
      break;
    }
    text += dec.decode(chunk.value);
    let cut: number;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      const event = field('event');
      if (event !== undefined) {
        const id = field('id');
        messages.push({ id: id === undefined ? null : Number(id), event, data: field('data')! });
      }
    }
    if (first) {
      first = false;
      opts.during?.();
    }
  }
  if (!ended) ac.abort();
  return { messages, ended, status: 200 };
}

describe('GET /v1/events', () => {
  it('a client reconnecting with Last-Event-ID gets the completion it missed, also after a restart', async () => {
    let s = await start();
    const seen = await read(s, {
      until: (m) => m.length === 2,
      during: () => {
        s.engine.ctx.events.emit('export.deleted', { id: 'one' });
        s.engine.ctx.events.emit('export.deleted', { id: 'two' });
      },
    });
    const ids = seen.messages.map((m) => m.id!);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    const last = ids[1]!;

    // While the client is away: an export completes, and the server restarts.
    s.engine.ctx.events.emit('export.deleted', { id: 'missed-before-restart' });
    await s.close();
    servers.splice(0);
    s = await start();
    s.engine.ctx.events.emit('export.deleted', { id: 'missed-after-restart' });

    const resumed = await read(s, { lastEventId: String(last), until: (m) => m.length === 2 });
    expect(resumed.messages.map((m) => JSON.parse(m.data) as { id: string })).toEqual([
      { id: 'missed-before-restart' },
      { id: 'missed-after-restart' },
    ]);
    const newIds = resumed.messages.map((m) => m.id!);
    expect(newIds[0]).toBeGreaterThan(last);
    expect(newIds[1]).toBeGreaterThan(newIds[0]!);

    // The query form does the same for clients that cannot set headers.
    const viaQuery = await read(s, {
      query: `?lastEventId=${newIds[0]}`,
      until: (m) => m.length === 1,
    });
    expect(viaQuery.messages[0]).toMatchObject({ id: newIds[1], event: 'export.deleted' });
  });

  it('tells the client to reload when what it missed has left the bounded log', async () => {
    const s = await start({ maxEvents: 3, maxAgeMs: 24 * 3600_000 });
    const first = await read(s, {
      until: (m) => m.length === 1,
      during: () => s.engine.ctx.events.emit('export.deleted', { id: 'a' }),
    });
    const old = first.messages[0]!.id!;
    // Far more than the log keeps (pruning runs every 100 appends).
    for (let i = 0; i < 150; i++) s.engine.ctx.events.emit('export.deleted', { id: `x${i}` });
    const res = await read(s, { lastEventId: String(old), until: (m) => m.length === 1 });
    expect(res.messages[0]!.event).toBe('reload');
    expect(res.messages[0]!.id).toBe(s.engine.eventLog.lastId());
    // An id this server never handed out is a reload too, never silence.
    const future = await read(s, { lastEventId: '999999', until: (m) => m.length === 1 });
    expect(future.messages[0]!.event).toBe('reload');
    const bad = await read(s, { query: '?lastEventId=abc', until: () => true });
    expect(bad.status).toBe(400);
  });

  it('ends open streams cleanly when the server shuts down', async () => {
    const s = await start();
    const pending = read(s, {
      until: () => false,
      during: () => void setTimeout(() => void s.close(), 50),
    });
    const res = await pending;
    servers.splice(0);
    expect(res.ended).toBe(true);
    expect(res.messages.at(-1)!.event).toBe('shutdown');
  });
});
