/**
 * Fan-out of one kind of event to every connection sharing a driver's state
 * (a test:///default state, or a real host's networks and pools).
 * Delivery is deferred to a microtask, so listeners never run in the middle
 * of a state change, and one queue keeps the order the changes happened in.
 */
export class EventHub<E> {
  readonly #sinks = new Set<(event: E) => void>();
  #queue: E[] = [];
  #scheduled = false;

  subscribe(sink: (event: E) => void): void {
    this.#sinks.add(sink);
  }
  unsubscribe(sink: (event: E) => void): void {
    this.#sinks.delete(sink);
  }

  emit(event: E): void {
    if (this.#sinks.size === 0) return;
    this.#queue.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const events = this.#queue;
    this.#queue = [];
    for (const ev of events) {
      for (const sink of this.#sinks) {
        try {
          sink(ev);
        } catch (err) {
          process.emitWarning(`xvirt driver event sink threw: ${(err as Error)?.stack ?? String(err)}`);
        }
      }
    }
  }
}

/**
 * One connection's subscription to a hub: subscribing again replaces the
 * sink, and release() drops it from the hub it was given (so a connection
 * that never subscribed does not need the hub, or its state, at all).
 */
export class HubSubscription<E> {
  #hub: EventHub<E> | null = null;
  #sink: ((event: E) => void) | null = null;

  subscribe(hub: EventHub<E>, sink: (event: E) => void): void {
    this.release();
    hub.subscribe(sink);
    this.#hub = hub;
    this.#sink = sink;
  }

  /** Whether a sink is subscribed. */
  get active(): boolean {
    return this.#sink !== null;
  }

  release(): void {
    if (this.#hub && this.#sink) this.#hub.unsubscribe(this.#sink);
    this.#hub = null;
    this.#sink = null;
  }
}
