/**
 * The connection to xvirt-proxy, in the native addon (native/proxy_channel.c):
 * one synchronous exchange per batch of requests, bounded by a timeout.
 * docs/proxy.md ("Speed") says why blocking the event loop for it is
 * acceptable. Failures come back as ConnectionLost (the batch may be sent
 * again) or as a typed XvirtError naming the socket.
 */
import * as util from 'node:util';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { loadAddon, type NativeProxyChannel } from '../../native';

/** Longest wait for the next byte of a reply before the helper counts as stuck (its own xenstore wait is shorter). */
export const EXCHANGE_TIMEOUT_MS = 2000;

/** A request lost because the connection went away before its reply: safe to send again. */
export class ConnectionLost extends Error {}

/** A failed connect, with Node's errno naming (err.code 'ENOENT', 'ECONNREFUSED', ...). */
function connectError(errno: number): NodeJS.ErrnoException {
  const [code, description] = util.getSystemErrorMap().get(-errno) ?? [`errno ${errno}`, 'unknown error'];
  return Object.assign(new Error(`${description} (${code})`), { code, errno: -errno, syscall: 'connect' });
}

export class ProxyChannel {
  readonly #native: NativeProxyChannel;
  readonly #socket: string;
  /** Where replies land; grows to the largest batch of replies seen, never shrinks. */
  #replies = Buffer.allocUnsafe(4096);

  private constructor(native: NativeProxyChannel, socket: string) {
    this.#native = native;
    this.#socket = socket;
  }

  /** Connects without waiting (a helper with a full backlog is EAGAIN); throws the errno error. */
  static connect(socket: string): ProxyChannel {
    const { ProxyChannel: Native } = loadAddon();
    if (typeof Native !== 'function') {
      throw XvirtError.of(
        ErrorNumber.NO_SUPPORT,
        ErrorDomain.PROXY,
        'the native addon predates the proxy channel: rebuild it (npx node-gyp rebuild)',
      );
    }
    const native = new Native();
    const errno = native.connect(socket, EXCHANGE_TIMEOUT_MS);
    if (errno !== 0) throw connectError(errno);
    return new ProxyChannel(native, socket);
  }

  /**
   * Sends requests[0, length) (whole requests) and returns every reply, in
   * order: a view valid until the next exchange. On failure the connection
   * is closed.
   */
  exchange(requests: Buffer, length: number): Buffer {
    let n: number;
    try {
      n = this.#native.exchange(requests, length, this.#replies);
    } catch (err) {
      throw this.#failure(err as Error & { code?: string });
    }
    if (n > this.#replies.length) {
      this.#replies = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(n)));
      this.#native.take(this.#replies);
    }
    return this.#replies.subarray(0, n);
  }

  close(): void {
    this.#native.close();
  }

  #failure(err: Error & { code?: string }): Error {
    const where = `xvirt-proxy at ${this.#socket}`;
    switch (err.code) {
      case 'PC_ELOST':
        return new ConnectionLost(err.message);
      case 'PC_ETIMEOUT':
        return XvirtError.of(
          ErrorNumber.OPERATION_TIMEOUT,
          ErrorDomain.PROXY,
          `${where} timed out: ${err.message}; the connection is dropped (the next call connects again)`,
        );
      case 'PC_EPROTO':
        return XvirtError.of(ErrorNumber.RPC, ErrorDomain.PROXY, `${where} sent ${err.message}`);
      case 'PC_ENOMEM':
        return XvirtError.of(ErrorNumber.NO_MEMORY, ErrorDomain.PROXY, `${where}: ${err.message}`);
      case 'PC_ESYSTEM':
        return XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.PROXY, `${where}: ${err.message}`, { cause: err });
      default:
        return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.PROXY, `${where}: ${err.message}`, { cause: err });
    }
  }
}
