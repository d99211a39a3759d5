/**
 * libvirt's keepalive logic, for either end of a connection: when nothing
 * has been received for `intervalMs`, send a PING; after `count` PINGs in a
 * row go unanswered by any traffic, declare the peer dead. Any received
 * message counts as a sign of life (the peer need not answer with PONG).
 * Answering the peer's PINGs is the caller's job (see encodeKeepalive).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

export interface KeepaliveOptions {
  /** Idle time before a PING, in milliseconds (libvirt's virsh: 5000). */
  intervalMs: number;
  /** Unanswered PINGs before the peer is declared dead (virsh: 6, libvirtd: 5). */
  count: number;
  sendPing: () => void;
  onDead: () => void;
}

export class Keepalive {
  readonly #opts: KeepaliveOptions;
  #lastReceived = Date.now();
  #countdown: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: KeepaliveOptions) {
    if (!Number.isInteger(opts.intervalMs) || opts.intervalMs <= 0) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.RPC,
        `keepalive interval must be a positive integer (ms), got ${opts.intervalMs}`,
      );
    }
    if (!Number.isInteger(opts.count) || opts.count < 0) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.RPC,
        `keepalive count must be a non-negative integer, got ${opts.count}`,
      );
    }
    this.#opts = opts;
    this.#countdown = opts.count;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer) return;
    this.received();
    this.#schedule(this.#opts.intervalMs);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Call on every message from the peer. */
  received(): void {
    this.#lastReceived = Date.now();
    this.#countdown = this.#opts.count;
  }

  #schedule(delay: number): void {
    // unref: a keepalive timer alone must not keep the process running.
    this.#timer = setTimeout(() => this.#tick(), delay).unref();
  }

  #tick(): void {
    const idle = Date.now() - this.#lastReceived;
    if (idle < this.#opts.intervalMs) {
      this.#schedule(this.#opts.intervalMs - idle);
      return;
    }
    if (this.#countdown === 0) {
      this.#timer = null;
      this.#opts.onDead();
      return;
    }
    this.#countdown--;
    this.#schedule(this.#opts.intervalMs);
    this.#opts.sendPing();
  }
}
