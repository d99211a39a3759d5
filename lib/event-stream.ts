/**
 * A bounded queue of events (domain lifecycle events, network and pool events)
 * consumed with `for await`. `E` is the event type: the stream knows nothing of
 * connection.ts, which imports it.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';
import { checkSignal } from './api-checks';

/** Events kept for a consumer that is not reading; past this the stream fails rather than eat memory. */
const MAX_QUEUED = 65536;

export class LifecycleEventStream<E> implements AsyncIterable<E> {
  readonly #queue: E[] = [];
  #waiter: ((r: IteratorResult<E>) => void) | null = null;
  #failWaiter: ((err: Error) => void) | null = null;
  #ended = false;
  #error: Error | null = null;
  readonly #endHooks: Array<() => void> = [];

  /** `signal` ends the stream when it aborts; anything but an AbortSignal or undefined is INVALID_ARG. */
  constructor(signal?: AbortSignal) {
    checkSignal(signal, 'options.signal');
    if (signal) {
      if (signal.aborted) this.end();
      else signal.addEventListener('abort', () => this.end(), { once: true });
    }
  }

  /** @internal */
  push(event: E): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = this.#failWaiter = null;
      w({ value: event, done: false });
      return;
    }
    if (this.#queue.length >= MAX_QUEUED) {
      this.#error = XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.NONE,
        `lifecycle event stream overflowed (${MAX_QUEUED} unread events)`,
      );
      this.end();
      return;
    }
    this.#queue.push(event);
  }

  /** @internal */
  onEnd(hook: () => void): void {
    if (this.#ended) hook();
    else this.#endHooks.push(hook);
  }

  /** Stops the stream; pending and future `next()` calls finish. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const h of this.#endHooks.splice(0)) h();
    if (this.#waiter) {
      const w = this.#waiter,
        f = this.#failWaiter!;
      this.#waiter = this.#failWaiter = null;
      if (this.#error) f(this.#error);
      else w({ value: undefined, done: true });
    }
  }

  close(): void {
    this.end();
  }

  next(): Promise<IteratorResult<E>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.#ended)
      return this.#error ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    return {
      next: () => this.next(),
      return: async () => {
        this.end();
        return { value: undefined, done: true };
      },
    };
  }
}
