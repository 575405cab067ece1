// The typed event bus: the engine emits, SSE clients, the tray and notifications listen.
import type { EventMap, EventName } from '../../shared/events.ts';

type Listener<K extends EventName> = (data: EventMap[K]) => void;
type AnyListener = <K extends EventName>(name: K, data: EventMap[K]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly anyListeners = new Set<AnyListener>();

  on<K extends EventName>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn as Listener<EventName>);
    return () => set.delete(fn as Listener<EventName>);
  }

  onAny(fn: AnyListener): () => void {
    this.anyListeners.add(fn);
    return () => this.anyListeners.delete(fn);
  }

  emit<K extends EventName>(name: K, data: EventMap[K]): void {
    // A failing listener must not stop the others nor the engine that emitted.
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        fn(data);
      } catch {
        /* listener errors are the listener's business */
      }
    }
    for (const fn of this.anyListeners) {
      try {
        fn(name, data);
      } catch {
        /* ditto */
      }
    }
  }

  listenerCount(): number {
    let n = this.anyListeners.size;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
