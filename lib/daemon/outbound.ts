/**
 * One client's outgoing messages. Everything queued during one turn of the
 * event loop leaves in a single write (pipelined replies cost one syscall,
 * not one each), and what the socket has not yet taken is bounded: past
 * `limits` (bytes or messages) the client counts as not reading and
 * the owner's `outputOverflow` runs. A message that finds nothing pending always goes, so a
 * reading client can receive a reply larger than the byte cap.
 * Frames are built in place (OutgoingFrames): a reply's payload is copied
 * once, into the bytes that are written.
 */
import type * as net from 'node:net';
import { frameLength, OutgoingFrames } from '../rpc/framing';
import type { MessageHeader } from '../rpc/protocol';

/** Queued bytes past which the session stops reading the client (its replies back up). */
export const OUTPUT_HIGH_WATER = 1 << 20;
/**
 * Reading also stops once a quarter of the message cap is pending: one 64 KiB
 * read holds at most ~2,340 header-only calls (PINGs), whose replies then still
 * fit under the default 4096, so a client that pipelines without reading is
 * throttled, and only unsolicited events can push it over its cap.
 */
const MESSAGE_HIGH_WATER_SHARE = 4;
/**
 * A turn's frames start in a slab this small (from Node's shared buffer pool),
 * released once written, so an idle client holds none.
 */
const CLIENT_SLAB_SIZE = 2048;

export interface OutputLimits {
  bytes: number;
  messages: number;
}

/**
 * Who hears about one Outbound (the session: an object with methods, not three
 * closures per client). `afterWrite`: the socket passed a write to the kernel,
 * so `backedUp` may have turned false (the socket's 'drain' comes before the
 * write's callback, too early to tell).
 */
export interface OutboundOwner {
  /** More is queued than `limits` allow: the client is not reading. */
  outputOverflow(reason: string): void;
  /** A turn's messages were handed to the socket. */
  afterFlush(): void;
  afterWrite(): void;
}

export class Outbound {
  readonly #socket: net.Socket;
  /** Shared by every client of a daemon. */
  readonly #limits: OutputLimits;
  readonly #owner: OutboundOwner;
  readonly #frames = new OutgoingFrames(CLIENT_SLAB_SIZE);
  /** Messages queued here or handed to the socket and not yet flushed to the kernel. */
  #pendingMessages = 0;
  /** Of those, the ones already handed to the socket. */
  #writtenMessages = 0;
  #scheduled = false;
  #closed = false;

  constructor(socket: net.Socket, limits: OutputLimits, owner: OutboundOwner) {
    this.#socket = socket;
    this.#limits = limits;
    this.#owner = owner;
  }

  /** Whether enough is waiting that reading more requests would only add to it. */
  get backedUp(): boolean {
    return (
      this.#socket.writableLength + this.#frames.queued >= OUTPUT_HIGH_WATER ||
      this.#pendingMessages * MESSAGE_HIGH_WATER_SHARE >= this.#limits.messages
    );
  }

  /**
   * Queues one message; a payload too large for the protocol throws (RPC error) and queues nothing.
   * `leadingInt`: an XDR int sent before `payload` (OutgoingFrames.push).
   */
  send(header: MessageHeader, payload: Uint8Array, leadingInt?: number): void {
    if (this.#closed) return;
    const pending = this.#socket.writableLength + this.#frames.queued;
    if (pending > 0) {
      if (pending + frameLength(payload.length + (leadingInt === undefined ? 0 : 4)) > this.#limits.bytes) {
        this.#owner.outputOverflow(`more than ${this.#limits.bytes} bytes queued`);
        return;
      }
      // Messages count only while the socket holds bytes the kernel did not take: a burst queued in one
      // turn for a client that keeps up (many events at once) is not a backlog.
      if (this.#socket.writableLength > 0 && this.#pendingMessages >= this.#limits.messages) {
        this.#owner.outputOverflow(`more than ${this.#limits.messages} messages queued`);
        return;
      }
    }
    this.#frames.push(header, payload, leadingInt);
    this.#pendingMessages++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // setImmediate runs after the I/O callbacks of this turn: replies to every call read in it batch up.
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    const bytes = this.#frames.take();
    this.#frames.release();
    if (bytes) {
      // One callback per write (not per message) tells when its messages have left.
      const taken = this.#pendingMessages - this.#writtenMessages;
      this.#writtenMessages += taken;
      this.#socket.write(bytes, () => {
        this.#pendingMessages -= taken;
        this.#writtenMessages -= taken;
        this.#owner.afterWrite();
      });
    }
    this.#owner.afterFlush();
  }

  /** Drops anything not yet written; later sends are ignored. */
  close(): void {
    this.#closed = true;
    this.#frames.take();
  }
}
