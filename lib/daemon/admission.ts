/**
 * xvirtd's admission control: who may hold a connection slot. Every accepted
 * socket is counted against its listener from accept to close (TLS ones from
 * the raw TCP accept, before the handshake), so:
 *  - max_clients bounds all of them together;
 *  - TCP and TLS together may never take the last `unix_clients_reserve`
 *    slots, nor the descriptors they need: a remote flood leaves local root its
 *    management socket (libvirtd lets it take everything);
 *  - max_anonymous_clients bounds the clients not yet authenticated, TLS
 *    handshakes in progress included.
 * A refused socket is closed at once; refusals are logged at most once a second
 * per listener and reason, with the count of those not logged.
 */
import type * as net from 'node:net';
import type { ListenerKind } from './listeners';
import type { Logger } from './log';

/** Descriptors the daemon keeps for itself (listeners, log, definitions, driver files) beyond its clients. */
export const OWN_DESCRIPTORS = 64;

export interface AdmissionLimits {
  maxClients: number;
  /** Slots of max_clients that only the unix sockets may use. */
  unixClientsReserve: number;
  maxAnonymousClients: number;
  /** RLIMIT_NOFILE soft limit after raising it; Infinity when unknown or unlimited. */
  fileLimit: number;
}

const LOCAL: ReadonlySet<ListenerKind> = new Set(['unix-rw', 'unix-ro']);

export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #log: Logger;
  readonly #held = new Map<ListenerKind, number>();
  #total = 0;
  #remote = 0;
  #handshakes = 0;
  /** Refusals not yet logged, per "listener: reason", and when that key was last logged. */
  readonly #quiet = new Map<string, { last: number; missed: number }>();
  readonly #inHandshake = new WeakSet<net.Socket>();

  constructor(limits: AdmissionLimits, log: Logger) {
    this.#limits = limits;
    this.#log = log;
  }

  /** Slots all listeners share: max_clients, or fewer when the descriptors would run out first. */
  get capacity(): number {
    return Math.max(1, Math.min(this.#limits.maxClients, this.#limits.fileLimit - OWN_DESCRIPTORS));
  }

  /** Slots only the unix sockets may use: unix_clients_reserve, at most half the capacity (TCP/TLS keep the rest). */
  get unixReserve(): number {
    return Math.min(this.#limits.unixClientsReserve, Math.floor(this.capacity / 2));
  }

  /** Slots TCP and TLS may hold together. */
  get remoteCapacity(): number {
    return this.capacity - this.unixReserve;
  }

  /** TLS connections accepted whose handshake has not finished. */
  get handshakes(): number {
    return this.#handshakes;
  }

  held(kind: ListenerKind): number {
    return this.#held.get(kind) ?? 0;
  }

  /**
   * Why a new socket on `kind` must be refused, or null to admit it. `anonymous`: clients
   * already connected without having authenticated (handshakes are added here), or null
   * when the listener needs no authentication.
   */
  refusal(kind: ListenerKind, anonymous: number | null): string | null {
    if (this.#total >= this.capacity) {
      return this.capacity < this.#limits.maxClients
        ? `open-file limit (${this.#limits.fileLimit}) leaves room for ${this.capacity} clients`
        : `max_clients (${this.#limits.maxClients}) reached`;
    }
    if (!LOCAL.has(kind) && this.#remote >= this.remoteCapacity) {
      return `TCP/TLS clients hold ${this.#remote} slots; the last ${this.unixReserve} are kept for the unix sockets`;
    }
    if (anonymous !== null && anonymous + this.#handshakes >= this.#limits.maxAnonymousClients) {
      return `max_anonymous_clients (${this.#limits.maxAnonymousClients}) not yet authenticated`;
    }
    return null;
  }

  /**
   * Counts a client against `kind` until `release(kind)`, which its session calls when its socket closes (the
   * session's own close listener: no listener or closure per client here).
   */
  hold(kind: ListenerKind): void {
    this.#held.set(kind, this.held(kind) + 1);
    this.#total++;
    if (!LOCAL.has(kind)) this.#remote++;
  }

  /** A client's socket on `kind`, counted by `hold`, has closed. */
  release(kind: ListenerKind): void {
    this.#held.set(kind, this.held(kind) - 1);
    this.#total--;
    if (!LOCAL.has(kind)) this.#remote--;
  }

  /**
   * Counts a TLS socket from its TCP accept, as a handshake until `handshakeDone`, and releases it when that raw
   * socket closes (the session on the TLS socket over it does not release it).
   */
  holdTls(raw: net.Socket): void {
    this.hold('tls');
    this.#handshakes++;
    this.#inHandshake.add(raw);
    raw.once('close', () => {
      this.release('tls');
      this.handshakeDone(raw);
    });
  }

  /** The TLS handshake of a held socket finished (or failed). Idempotent. */
  handshakeDone(socket: net.Socket): void {
    if (this.#inHandshake.delete(socket)) this.#handshakes--;
  }

  /** Closes a refused socket and logs why, at most once a second per listener and reason. */
  refuse(socket: net.Socket, kind: ListenerKind, why: string, now = Date.now()): void {
    socket.destroy();
    this.#warnLimited(
      `${kind}: ${why}`,
      now,
      (missed) =>
        `refusing ${kind} client: ${why}${missed ? ` (${missed} more refused for this since the last line)` : ''}`,
    );
  }

  /** Logs a failed accept on `kind` (the listener goes on), at most once a second per listener and error. */
  acceptFailed(kind: ListenerKind, error: string, now = Date.now()): void {
    this.#warnLimited(
      `${kind} accept: ${error}`,
      now,
      (missed) => `accepting a ${kind} client failed: ${error}${missed ? ` (${missed} more since the last line)` : ''}`,
    );
  }

  /** Warns with `line(missed)` unless `key` was logged within the last second (then counts it as missed). */
  #warnLimited(key: string, now: number, line: (missed: number) => string): void {
    const q = this.#quiet.get(key);
    if (q && now - q.last < 1000) {
      q.missed++;
      return;
    }
    this.#quiet.set(key, { last: now, missed: 0 });
    this.#log.warn(line(q?.missed ?? 0));
  }
}
