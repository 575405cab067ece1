// A clock tests move by hand: timers fire in time order as advance() passes them.
import type { Clock, TimerHandle } from '../../electron/engine/clock.ts';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  canceled: boolean;
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: number | string = '2026-03-01T12:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      canceled: false,
    };
    this.timers.push(timer);
    return { cancel: () => void (timer.canceled = true) };
  }

  /** Moves time forward by ms, firing due timers in order (timers they set fire too if due). */
  advance(ms: number): void {
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
    this.current += ms;
    for (const t of this.timers) t.at += ms;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.canceled).length;
  }
}
