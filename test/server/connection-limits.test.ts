// The descriptor budget: idle floods are cut, bursts of real clients are not.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  defaultMaxConnections,
  descriptorLimit,
  limitConnections,
} from '../../electron/server/connection-limits.ts';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

function fakeServer(): Server & EventEmitter {
  return new EventEmitter() as unknown as Server & EventEmitter;
}

describe('the open-file limit', () => {
  it('reads the soft limit from /proc/self/limits and keeps half for sockets, 64 to 4,096', () => {
    const dir = mkdtempSync(join(tmpdir(), 'em-limits-'));
    const file = join(dir, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
        'Max open files            256                  1024                 files     \n',
    );
    expect(descriptorLimit(file)).toBe(256);
    expect(descriptorLimit(join(dir, 'missing'))).toBeNull();
    rmSync(dir, { recursive: true });
    expect(defaultMaxConnections(256)).toBe(128);
    expect(defaultMaxConnections(100)).toBe(64);
    expect(defaultMaxConnections(1_048_576)).toBe(4096);
    expect(defaultMaxConnections(null)).toBe(1024);
  });
});

describe('unproven connections', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const limits = { maxConnections: 1000, maxUnproven: 4, headersMs: 10_000, idleMs: 5_000 };

  it('a burst of clients whose heads are still queued is never cut, however many', () => {
    const server = fakeServer();
    limitConnections(server, limits);
    const burst = Array.from({ length: 50 }, () => new FakeSocket());
    for (const so of burst) server.emit('connection', so as unknown as Socket);
    expect(burst.filter((so) => so.destroyed)).toHaveLength(0);
    // Their requests arrive: nothing was lost.
    for (const so of burst) server.emit('request', { socket: so });
    server.emit('close');
  });

  it('past the grace period, a new connection (or one dropped at the cap) closes the oldest idle one', () => {
    const server = fakeServer();
    limitConnections(server, limits);
    const idle = Array.from({ length: 4 }, () => new FakeSocket());
    for (const so of idle) server.emit('connection', so as unknown as Socket);
    vi.advanceTimersByTime(2_000);
    const fresh = new FakeSocket();
    server.emit('connection', fresh as unknown as Socket);
    expect(idle.map((so) => so.destroyed)).toEqual([true, false, false, false]);
    server.emit('drop', {});
    expect(idle.map((so) => so.destroyed)).toEqual([true, true, false, false]);
    expect(fresh.destroyed).toBe(false);
    // The header deadline closes the rest, the fresh one last.
    vi.advanceTimersByTime(8_500);
    expect(idle.every((so) => so.destroyed)).toBe(true);
    expect(fresh.destroyed).toBe(false);
    vi.advanceTimersByTime(2_000);
    expect(fresh.destroyed).toBe(true);
    server.emit('close');
  });
});
