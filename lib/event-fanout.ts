/**
 * One kind of driver event fanned out to a connection's listeners: the
 * driver's delivery is armed with the first listener and disarmed after the
 * last, as the Connection does for domain lifecycle events.
 */
import { invalidArg } from './api-checks';
import { LifecycleEventStream } from './event-stream';

export interface FanoutHooks<DE> {
  start(sink: (event: DE) => void): Promise<void>;
  stop(): Promise<void>;
  /** Whether the connection is closed (then nothing is disarmed). */
  closed(): boolean;
  /** Registers a hook run when the connection closes. */
  onClose(hook: () => void): void;
}

export class EventFanout<DE, E> {
  readonly #listeners = new Set<(event: E) => void>();
  #armed: Promise<void> | null = null;
  readonly #hooks: FanoutHooks<DE>;
  readonly #wrap: (event: DE) => E;

  constructor(hooks: FanoutHooks<DE>, wrap: (event: DE) => E) {
    this.#hooks = hooks;
    this.#wrap = wrap;
  }

  /** Adds `listener`; resolves once delivery is armed with the function that removes it. */
  async listen(listener: (event: E) => void): Promise<() => Promise<void>> {
    if (typeof listener !== 'function') throw invalidArg('listener must be a function');
    this.#listeners.add(listener);
    try {
      if (!this.#armed) {
        const armed = this.#hooks.start((ev) => this.#dispatch(ev));
        armed.catch(() => {
          if (this.#armed === armed) this.#armed = null;
        });
        this.#armed = armed;
      }
      await this.#armed;
    } catch (err) {
      this.#listeners.delete(listener);
      throw err;
    }
    return async () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#hooks.closed()) return;
      const armed = this.#armed;
      this.#armed = null;
      if (armed)
        await armed.then(
          () => this.#hooks.stop(),
          () => undefined,
        );
    };
  }

  /** The events as an async iterable, ending with `signal`, `close()` or the connection. */
  async stream(signal?: AbortSignal): Promise<LifecycleEventStream<E>> {
    const stream = new LifecycleEventStream<E>(signal);
    const off = await this.listen((ev) => stream.push(ev));
    stream.onEnd(() => {
      off().catch((err: unknown) =>
        process.emitWarning(`xvirt: event deregistration failed: ${String((err as Error)?.message ?? err)}`),
      );
    });
    this.#hooks.onClose(() => stream.end());
    return stream;
  }

  clear(): void {
    this.#listeners.clear();
  }

  #dispatch(ev: DE): void {
    const event = this.#wrap(ev);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`xvirt event listener threw: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
}
