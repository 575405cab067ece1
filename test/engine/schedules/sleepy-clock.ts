// A fake clock that can sleep like a laptop: time jumps, no timer fires until the wake-up, and
// then every overdue timer fires at once, late.
import type { Clock, TimerHandle } from '../../../electron/engine/clock.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

export class SleepyClock implements Clock {
  private readonly awake: FakeClock;
  private slept = 0;

  constructor(start: string) {
    this.awake = new FakeClock(start);
  }

  now(): number {
    return this.awake.now() + this.slept;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.awake.setTimeout(fn, ms);
  }

  advance(ms: number): void {
    this.awake.advance(ms);
  }

  /**
   * Wall time moves on by ms while timers stand still (a monotonic clock does not count
   * suspend); on waking each timer still pending fires once, `late` ms of awake time later.
   */
  sleep(ms: number, late = 60_000): void {
    this.slept += ms;
    this.awake.advance(late);
  }

  pendingTimers(): number {
    return this.awake.pendingTimers();
  }
}
