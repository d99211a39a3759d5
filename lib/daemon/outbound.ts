/**
 * One client's outgoing messages. Everything queued during one turn of the
 * event loop leaves in a single write (pipelined replies cost one syscall,
 * not one each), and what the socket has not yet taken is bounded: past
 * `limit` bytes the client counts as not reading and `onOverflow` runs.
 */
import type * as net from 'node:net';

/** Queued bytes past which the session stops reading the client (its replies back up). */
export const OUTPUT_HIGH_WATER = 1 << 20;

export class Outbound {
  readonly #socket: net.Socket;
  readonly #limit: number;
  readonly #onOverflow: () => void;
  readonly #afterFlush: () => void;
  #queue: Buffer[] = [];
  #queued = 0;
  #scheduled = false;
  #closed = false;

  constructor(socket: net.Socket, limit: number, onOverflow: () => void, afterFlush: () => void) {
    this.#socket = socket;
    this.#limit = limit;
    this.#onOverflow = onOverflow;
    this.#afterFlush = afterFlush;
  }

  /** Whether enough is waiting that reading more requests would only add to it. */
  get backedUp(): boolean {
    return this.#socket.writableLength + this.#queued >= OUTPUT_HIGH_WATER;
  }

  send(message: Buffer): void {
    if (this.#closed) return;
    if (this.#socket.writableLength + this.#queued + message.length > this.#limit) {
      this.#onOverflow();
      return;
    }
    this.#queue.push(message);
    this.#queued += message.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // setImmediate runs after the I/O callbacks of this turn: replies to every call read in it batch up.
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    const queue = this.#queue;
    this.#queue = [];
    this.#queued = 0;
    if (queue.length === 1) this.#socket.write(queue[0]!);
    else if (queue.length > 1) this.#socket.write(Buffer.concat(queue));
    this.#afterFlush();
  }

  /** Drops anything not yet written; later sends are ignored. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
  }
}
