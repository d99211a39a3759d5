/**
 * A xenstore client over xenstored's unix socket: reads, writes, removals
 * and watches, many requests in flight on one connection.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { XsDecoder, XsType, encodeMessage, nulStrings, splitStrings, type XsMessage } from './xenstore-wire';

/** Where xenstored listens: $XENSTORED_PATH, then the usual run directories. */
export function xenstoreSocketPaths(): string[] {
  const env = process.env.XENSTORED_PATH;
  return env ? [env] : ['/run/xenstored/socket', '/var/run/xenstored/socket'];
}

interface Pending {
  resolve: (msg: XsMessage) => void;
  reject: (err: Error) => void;
  what: string;
}

export type WatchCallback = (path: string) => void;

export class XenstoreClient {
  readonly #socket: net.Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #watches = new Map<string, WatchCallback>();
  #nextReqId = 1;
  #closed = false;
  #closeListeners: Array<(err: Error | null) => void> = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    const decoder = new XsDecoder();
    socket.on('data', (chunk: Buffer) => {
      let messages: XsMessage[];
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        this.#fail(err as Error);
        return;
      }
      for (const m of messages) this.#dispatch(m);
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(null));
  }

  /** Connects to the first xenstored socket that exists. */
  static async connect(paths: string[] = xenstoreSocketPaths()): Promise<XenstoreClient> {
    const path = paths.find((p) => fs.existsSync(p));
    if (!path) {
      throw XvirtError.of(
        ErrorNumber.NO_XENSTORE,
        ErrorDomain.XENSTORE,
        `xenstored is not running: no socket at ${paths.join(' or ')}`,
      );
    }
    const socket = net.createConnection(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) =>
        reject(
          XvirtError.of(
            ErrorNumber.NO_XENSTORE,
            ErrorDomain.XENSTORE,
            `cannot connect to xenstored at ${path}: ${err.message}`,
            { cause: err },
          ),
        ),
      );
    });
    return new XenstoreClient(socket);
  }

  /** Called once when the connection ends (err null on a clean close). */
  onClose(listener: (err: Error | null) => void): void {
    this.#closeListeners.push(listener);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The value at `path`, or null when it does not exist. */
  async read(path: string): Promise<string | null> {
    try {
      return (await this.#request(XsType.READ, nulStrings(path), `read ${path}`)).payload.toString('utf8');
    } catch (err) {
      if ((err as { xsErrno?: string }).xsErrno === 'ENOENT') return null;
      throw err;
    }
  }

  async write(path: string, value: string): Promise<void> {
    await this.#request(XsType.WRITE, Buffer.concat([nulStrings(path), Buffer.from(value, 'utf8')]), `write ${path}`);
  }

  /** Removes `path` and everything below it; a missing path is not an error. */
  async remove(path: string): Promise<void> {
    try {
      await this.#request(XsType.RM, nulStrings(path), `rm ${path}`);
    } catch (err) {
      if ((err as { xsErrno?: string }).xsErrno !== 'ENOENT') throw err;
    }
  }

  /** Calls `cb` for each change under `path` (xenstored also fires once right after registration). */
  async watch(path: string, token: string, cb: WatchCallback): Promise<void> {
    this.#watches.set(token, cb);
    try {
      await this.#request(XsType.WATCH, nulStrings(path, token), `watch ${path}`);
    } catch (err) {
      this.#watches.delete(token);
      throw err;
    }
  }

  async unwatch(path: string, token: string): Promise<void> {
    this.#watches.delete(token);
    if (!this.#closed) await this.#request(XsType.UNWATCH, nulStrings(path, token), `unwatch ${path}`);
  }

  close(): void {
    if (this.#closed) return;
    this.#socket.destroy();
    this.#fail(null);
  }

  #request(type: XsType, payload: Buffer, what: string): Promise<XsMessage> {
    if (this.#closed) {
      return Promise.reject(
        XvirtError.of(ErrorNumber.NO_XENSTORE, ErrorDomain.XENSTORE, `xenstore connection is closed (${what})`),
      );
    }
    const reqId = this.#nextReqId;
    this.#nextReqId = (this.#nextReqId % 0x7fffffff) + 1;
    return new Promise((resolve, reject) => {
      this.#pending.set(reqId, { resolve, reject, what });
      this.#socket.write(encodeMessage(type, reqId, payload));
    });
  }

  #dispatch(m: XsMessage): void {
    if (m.type === XsType.WATCH_EVENT) {
      const [path, token] = splitStrings(m.payload);
      const cb = token === undefined ? undefined : this.#watches.get(token);
      if (cb && path !== undefined) cb(path);
      return;
    }
    const p = this.#pending.get(m.reqId);
    if (!p) return; // a reply to nothing we asked: ignore rather than misattribute it
    this.#pending.delete(m.reqId);
    if (m.type === XsType.ERROR) {
      const code = splitStrings(m.payload)[0] ?? 'EIO';
      const number =
        code === 'ENOENT'
          ? ErrorNumber.NO_DOMAIN
          : code === 'EACCES'
            ? ErrorNumber.ACCESS_DENIED
            : ErrorNumber.OPERATION_FAILED;
      p.reject(
        Object.assign(XvirtError.of(number, ErrorDomain.XENSTORE, `xenstore ${p.what}: ${code}`), { xsErrno: code }),
      );
      return;
    }
    p.resolve(m);
  }

  #fail(err: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = XvirtError.of(
      ErrorNumber.NO_XENSTORE,
      ErrorDomain.XENSTORE,
      `xenstore connection lost${err ? `: ${err.message}` : ''}`,
      { cause: err ?? undefined },
    );
    for (const p of this.#pending.values()) p.reject(reason);
    this.#pending.clear();
    for (const l of this.#closeListeners.splice(0)) l(err);
  }
}
