/**
 * One connection to xvirt-proxy. Calls are batched: the first call queues a
 * microtask, and when it runs one synchronous native exchange (./channel)
 * writes every call made until then and reads every reply, which are then
 * matched in order by serial and decoded. The connection is opened on first use (starting the helper when
 * nothing answers) and again after the helper exits idle; every request is a
 * read, so one lost to a vanished helper is sent again (twice at most).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { toXvirtError } from '../../native';
import { ConnectionLost, ProxyChannel } from './channel';
import { startHelper, type ProxyPaths } from './helper';
import { REQUEST_LEN, Status, decodeReplies, encodeRequest, type Reply, type Request } from './protocol';

interface Pending {
  req: Omit<Request, 'serial'>;
  serial: number;
  decode: PayloadDecoder<unknown>;
  /** What a NO_DOMAIN reply resolves to instead of failing, when given. */
  otherwise: (() => unknown) | undefined;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** How many times it was lost with its connection. */
  lost: number;
}

const BATCH_REQUESTS = 64;
/**
 * How often a request lost with its connection is sent again. Every request
 * is a side-effect-free read; two races can each lose it: the helper exiting
 * (idle, or killed) under a request, and then a dying helper still accepting
 * the reconnect into its backlog until its listener closes.
 */
const RESENDS = 2;

const CORE_STATUS: Record<number, string> = {
  [Status.ENOPRIVCMD]: 'XC_ENOPRIVCMD',
  [Status.EACCESS]: 'XC_EACCESS',
  [Status.EUNSUPPORTED]: 'XC_EUNSUPPORTED',
  [Status.ENODOMAIN]: 'XC_ENODOMAIN',
  [Status.EHYPERCALL]: 'XC_EHYPERCALL',
  [Status.ESYSTEM]: 'XC_ESYSTEM',
  [Status.EINVAL]: 'XC_EINVAL',
};

/** Decodes the payload at bytes [start, end) of `data` (a buffer the next exchange reuses: copy what you keep). */
export type PayloadDecoder<T> = (data: Buffer, start: number, end: number) => T;

/** A PayloadDecoder for a decoder of a whole payload buffer (a view: off the getInfo path). */
export const wholePayload =
  <T>(decode: (payload: Buffer) => T): PayloadDecoder<T> =>
  (data, start, end) =>
    decode(data.subarray(start, end));

/** The error a non-zero reply status stands for (the same numbers the direct path gives). */
export function statusError(data: Buffer, reply: Reply): XvirtError {
  const message = data.toString('utf8', reply.start, reply.end);
  const code = CORE_STATUS[reply.status];
  if (code) return toXvirtError({ code, message });
  if (reply.status === Status.ENOXENSTORE) return XvirtError.of(ErrorNumber.NO_XENSTORE, ErrorDomain.PROXY, message);
  return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.PROXY, `xvirt-proxy status ${reply.status}: ${message}`);
}

function isNotServed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/**
 * The flush is a plain promise job, not process.nextTick: calls made together
 * (synchronously, or by promise chains moving in step, like many pollers
 * awaiting the same batch) still share it, and it avoids the tick queue's
 * per-callback bookkeeping, which under emulation costs more than the round trip.
 */
const QUEUED = Promise.resolve();

const closedError = () => XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.PROXY, 'the proxy connection is closed');

export class ProxyClient {
  readonly #paths: ProxyPaths;
  #channel: ProxyChannel | null = null;
  #connecting: Promise<ProxyChannel> | null = null;
  /** The calls waiting for the flush, in request order; their requests are in #batch. */
  #pending: Pending[] = [];
  #serial = 0;
  #closed = false;
  /** Reused: the exchange is synchronous, so nothing holds on to it. */
  #batch: Buffer = Buffer.allocUnsafe(REQUEST_LEN * BATCH_REQUESTS);

  constructor(paths: ProxyPaths) {
    this.#paths = paths;
  }

  /**
   * Sends `req` (its serial is assigned here) and resolves with what
   * `decode` makes of a successful reply's payload; rejects with XvirtError.
   * `decode` runs before the next exchange reuses the payload's memory: it
   * must copy what it keeps. With `otherwise`, a reply saying there is no
   * such domain resolves with `otherwise()` (a value or a promise) instead.
   */
  call<T>(req: Omit<Request, 'serial'>, decode: PayloadDecoder<T>, otherwise?: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#submit({
        req,
        serial: 0,
        decode,
        otherwise,
        resolve: resolve as (value: unknown) => void,
        reject,
        lost: 0,
      });
    });
  }

  close(): void {
    this.#closed = true;
    this.#channel?.close();
    this.#channel = null;
  }

  #submit(p: Pending): void {
    if (this.#closed) return p.reject(closedError());
    if (!this.#channel) {
      this.#connect().then(() => this.#submit(p), p.reject);
      return;
    }
    const n = this.#pending.length;
    if (n === 0) void QUEUED.then(this.#flushBound);
    if ((n + 1) * REQUEST_LEN > this.#batch.length) {
      const bigger = Buffer.allocUnsafe(this.#batch.length * 2);
      this.#batch.copy(bigger);
      this.#batch = bigger;
    }
    p.serial = this.#serial = (this.#serial + 1) >>> 0;
    encodeRequest(this.#batch, n * REQUEST_LEN, p.req, p.serial);
    this.#pending.push(p);
  }

  /** Sends the waiting calls in one exchange and settles each with its reply. */
  readonly #flushBound = (): void => {
    const batch = this.#pending;
    this.#pending = [];
    const channel = this.#channel;
    if (!channel) {
      for (const p of batch) p.reject(closedError()); // close() came between the call and the flush
      return;
    }
    let data: Buffer;
    let replies: Reply[];
    try {
      data = channel.exchange(this.#batch, batch.length * REQUEST_LEN);
      replies = decodeReplies(data);
      if (replies.length !== batch.length) {
        throw XvirtError.of(
          ErrorNumber.RPC,
          ErrorDomain.PROXY,
          `xvirt-proxy at ${this.#paths.socket} sent ${replies.length} replies to ${batch.length} requests`,
        );
      }
      for (let i = 0; i < batch.length; i++) {
        const r = replies[i]!;
        if (r.serial !== batch[i]!.serial || r.command !== batch[i]!.req.command) {
          throw XvirtError.of(
            ErrorNumber.RPC,
            ErrorDomain.PROXY,
            `xvirt-proxy at ${this.#paths.socket} answered serial ${r.serial} command ${r.command} out of turn`,
          );
        }
      }
    } catch (err) {
      this.#drop(channel);
      for (const p of batch) this.#failed(p, err as Error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const r = replies[i]!;
      if (r.status !== Status.OK && !(r.status === Status.ENODOMAIN && p.otherwise)) {
        p.reject(statusError(data, r));
        continue;
      }
      try {
        p.resolve(r.status === Status.OK ? p.decode(data, r.start, r.end) : p.otherwise!());
      } catch (err) {
        p.reject(err as Error);
      }
    }
  };

  /** A lost request goes again (on a new connection), up to RESENDS times; anything else fails the call. */
  #failed(p: Pending, err: Error): void {
    if (!(err instanceof ConnectionLost)) return p.reject(err);
    if (++p.lost > RESENDS) {
      return p.reject(
        XvirtError.of(
          ErrorNumber.RPC,
          ErrorDomain.PROXY,
          `xvirt-proxy at ${this.#paths.socket} closed the connection ${p.lost} times before answering: ${err.message}`,
        ),
      );
    }
    this.#submit(p);
  }

  #drop(channel: ProxyChannel): void {
    channel.close();
    if (this.#channel === channel) this.#channel = null;
  }

  #connect(): Promise<ProxyChannel> {
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<ProxyChannel> {
    let channel: ProxyChannel;
    try {
      channel = ProxyChannel.connect(this.#paths.socket);
    } catch (err) {
      if (!isNotServed(err)) throw this.#dialError(err);
      await startHelper(this.#paths.helper);
      channel = await this.#dialRetrying();
    }
    if (this.#closed) {
      channel.close();
      throw closedError();
    }
    this.#channel = channel;
    return channel;
  }

  /** After a start: a helper that lost the race to another one may report ready before that one listens. */
  async #dialRetrying(): Promise<ProxyChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return ProxyChannel.connect(this.#paths.socket);
      } catch (err) {
        if (!isNotServed(err) || attempt >= 20) throw this.#dialError(err);
        await new Promise((r) => setTimeout(r, 5 * (attempt + 1)));
      }
    }
  }

  #dialError(err: unknown): XvirtError {
    if (err instanceof XvirtError) return err; // e.g. the addon is not built
    return XvirtError.of(
      ErrorNumber.NO_CONNECT,
      ErrorDomain.PROXY,
      `cannot connect to xvirt-proxy at ${this.#paths.socket}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
