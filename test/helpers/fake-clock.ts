// The tests' one clock, in three modes.
// - By hand (the default): timers fire in time order as advance() passes them.
// - Auto-firing (`FakeClock.autoFiring()`): each timer up to a limit fires by itself on the next
//   turn of the event loop, earliest first, and now() jumps to its due time, so code that waits
//   "30 s" runs at once yet sees 30 s pass; longer timers never fire (an engine's hourly sweeps
//   would race time ahead).
// - Real timers (`FakeClock.realTimers()`): timers wait real time and now() is the system clock,
//   plus whatever advance() added: for a test against something that keeps real time itself (a
//   server's sockets, another Export Manager), which still needs to pass an expiry without sleeping.
// Any mode can also jump its wall clock (jumpWall) or sleep like a laptop (sleep).
import { systemClock, type Clock, type TimerHandle } from '../../electron/engine/clock.ts';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  canceled: boolean;
}

export interface FakeClockOptions {
  /** Timers up to this many ms fire by themselves; unset, only advance() fires timers. */
  readonly autoFireUpToMs?: number;
  /** Timers wait real time; now() is the system clock plus what advance() added. */
  readonly realTimers?: boolean;
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  private readonly autoFireUpToMs: number | null;
  private scheduled = false;
  /** Real-timers mode: ms added to the system clock; null in the other modes. */
  private realOffset: number | null;

  constructor(start: number | string = '2026-03-01T12:00:00Z', options: FakeClockOptions = {}) {
    this.current = typeof start === 'number' ? start : Date.parse(start);
    this.autoFireUpToMs = options.autoFireUpToMs ?? null;
    this.realOffset = options.realTimers ? 0 : null;
  }

  /** A clock whose timers (up to 10 min) fire by themselves: backoffs and polls cost no real time. */
  static autoFiring(start?: number | string, upToMs = 10 * 60_000): FakeClock {
    return new FakeClock(start, { autoFireUpToMs: upToMs });
  }

  /** The system clock and real timers, which advance() moves ahead without waiting. */
  static realTimers(): FakeClock {
    return new FakeClock(0, { realTimers: true });
  }

  now(): number {
    return this.realOffset === null ? this.current : systemClock.now() + this.realOffset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (this.realOffset !== null) return systemClock.setTimeout(fn, ms);
    const timer: Timer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      canceled: false,
    };
    if (this.autoFireUpToMs === null) this.timers.push(timer);
    else if (ms <= this.autoFireUpToMs) {
      this.timers.push(timer);
      this.fireNextSoon();
    }
    return { cancel: () => void (timer.canceled = true) };
  }

  /**
   * Moves time forward by ms, firing due timers in order (timers they set fire too if due). An
   * auto-firing or real-timers clock only moves time (e.g. past a link's expiry): its timers fire
   * by themselves.
   */
  advance(ms: number): void {
    if (this.realOffset !== null) {
      this.realOffset += ms;
      return;
    }
    if (this.autoFireUpToMs !== null) {
      this.current += ms;
      return;
    }
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.canceled);
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /** Jumps to a moment without firing timers in between one by one: like a laptop waking up. */
  set(ms: number | string): void {
    const to = typeof ms === 'number' ? ms : Date.parse(ms);
    this.advance(Math.max(0, to - this.current));
  }

  /**
   * Sets the wall clock by ms (back when negative) as a user or NTP would: timers wait elapsed
   * time, as Node's do, so each pending one moves with the wall clock.
   */
  jumpWall(ms: number): void {
    if (this.realOffset !== null) {
      this.realOffset += ms;
      return;
    }
    this.current += ms;
    for (const t of this.timers) t.at += ms;
  }

  /**
   * The laptop sleeps for ms: wall time moves on while timers stand still (a monotonic clock does
   * not count suspend); on waking each timer due within `late` ms of awake time fires, late.
   */
  sleep(ms: number, late = 60_000): void {
    this.jumpWall(ms);
    this.advance(late);
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.canceled).length;
  }

  private fireNextSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers = this.timers.filter((t) => !t.canceled);
      if (this.timers.length === 0) return;
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0]!;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = Math.max(this.current, next.at);
      next.fn();
      if (this.timers.length > 0) this.fireNextSoon();
    });
  }
}
