/**
 * One connection to xvirt-proxy: requests pipelined on one socket, replies
 * matched in order by serial. The socket is opened on first use (starting
 * the helper when nothing answers) and again after the helper exits idle;
 * every request is a read, so one lost to a vanished helper is sent again once.
 */
import * as net from 'node:net';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { toXvirtError } from '../../native';
import { startHelper, type ProxyPaths } from './helper';
import { Command, REQUEST_LEN, ReplyDecoder, Status, encodeRequest, type Reply, type Request } from './protocol';

interface Pending {
  serial: number;
  command: Command;
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

const BATCH_REQUESTS = 64;

function checked(reply: Reply): Reply {
  if (reply.status !== Status.OK) throw statusError(reply);
  return reply;
}

/** A request lost because the connection went away before its reply: safe to send again. */
class ConnectionLost extends Error {}

const CORE_STATUS: Record<number, string> = {
  [Status.ENOPRIVCMD]: 'XC_ENOPRIVCMD', [Status.EACCESS]: 'XC_EACCESS', [Status.EUNSUPPORTED]: 'XC_EUNSUPPORTED',
  [Status.ENODOMAIN]: 'XC_ENODOMAIN', [Status.EHYPERCALL]: 'XC_EHYPERCALL', [Status.ESYSTEM]: 'XC_ESYSTEM',
  [Status.EINVAL]: 'XC_EINVAL',
};

/** The error a non-zero reply status stands for (the same numbers the direct path gives). */
export function statusError(reply: Reply): XvirtError {
  const message = reply.payload.toString('utf8');
  const code = CORE_STATUS[reply.status];
  if (code) return toXvirtError({ code, message });
  if (reply.status === Status.ENOXENSTORE) return XvirtError.of(ErrorNumber.NO_XENSTORE, ErrorDomain.PROXY, message);
  return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.PROXY, `xvirt-proxy status ${reply.status}: ${message}`);
}

function isNotServed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

export class ProxyClient {
  readonly #paths: ProxyPaths;
  #socket: net.Socket | null = null;
  #connecting: Promise<net.Socket> | null = null;
  #pending: Pending[] = [];
  #serial = 0;
  #closed = false;
  /** Requests of the current tick, written in one go (a fresh buffer per write: the socket keeps it). */
  #batch: Buffer = Buffer.alloc(0);
  #batchLen = 0;

  constructor(paths: ProxyPaths) {
    this.#paths = paths;
  }

  /** Sends `req` (its serial is assigned here); resolves with the reply, rejects with XvirtError. */
  call(req: Omit<Request, 'serial'>): Promise<Reply> {
    // Promise chains rather than async/await: this is the getInfo hot path.
    return this.#send(req).then(checked, (err) => {
      if (!(err instanceof ConnectionLost)) throw err;
      return this.#send(req).then(checked, (again) => {
        if (again instanceof ConnectionLost) {
          throw XvirtError.of(ErrorNumber.RPC, ErrorDomain.PROXY, `xvirt-proxy closed the connection twice: ${again.message}`);
        }
        throw again;
      });
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = null;
  }

  #send(req: Omit<Request, 'serial'>): Promise<Reply> {
    if (this.#closed) return Promise.reject(XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.PROXY, 'the proxy connection is closed'));
    const socket = this.#socket;
    if (!socket) return this.#connect().then(() => this.#send(req));
    const serial = this.#serial = (this.#serial + 1) >>> 0;
    if (this.#batchLen === 0) {
      this.#batch = Buffer.allocUnsafe(REQUEST_LEN * BATCH_REQUESTS);
      process.nextTick(this.#flushBound, socket);
    } else if (this.#batchLen === this.#batch.length) {
      const bigger = Buffer.allocUnsafe(this.#batch.length * 2);
      this.#batch.copy(bigger);
      this.#batch = bigger;
    }
    encodeRequest(this.#batch, this.#batchLen, req, serial);
    this.#batchLen += REQUEST_LEN;
    if (this.#pending.length === 0) socket.ref();
    return new Promise((resolve, reject) => {
      this.#pending.push({ serial, command: req.command, resolve, reject });
    });
  }

  /** Writes the requests of this tick in one go (one syscall for many pipelined calls). */
  readonly #flushBound = (socket: net.Socket): void => {
    const data = this.#batch.subarray(0, this.#batchLen);
    this.#batchLen = 0;
    if (!socket.destroyed) socket.write(data);
  };

  #connect(): Promise<net.Socket> {
    this.#connecting ??= this.#open().finally(() => { this.#connecting = null; });
    return this.#connecting;
  }

  async #open(): Promise<net.Socket> {
    let socket: net.Socket;
    try {
      socket = await this.#dial();
    } catch (err) {
      if (!isNotServed(err)) throw this.#dialError(err);
      await startHelper(this.#paths.helper);
      socket = await this.#dialRetrying();
    }
    if (this.#closed) {
      socket.destroy();
      throw XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.PROXY, 'the proxy connection is closed');
    }
    this.#attach(socket);
    return socket;
  }

  #dial(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection(this.#paths.socket);
      s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
      s.once('error', reject);
    });
  }

  /** After a start: a helper that lost the race to another one may report ready before that one listens. */
  async #dialRetrying(): Promise<net.Socket> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#dial();
      } catch (err) {
        if (!isNotServed(err) || attempt >= 20) throw this.#dialError(err);
        await new Promise((r) => setTimeout(r, 5 * (attempt + 1)));
      }
    }
  }

  #dialError(err: unknown): XvirtError {
    return XvirtError.of(ErrorNumber.NO_CONNECT, ErrorDomain.PROXY,
      `cannot connect to xvirt-proxy at ${this.#paths.socket}: ${(err as Error).message}`, { cause: err });
  }

  #attach(socket: net.Socket): void {
    const decoder = new ReplyDecoder();
    socket.setNoDelay(true);
    socket.unref(); // an idle connection must not keep the process alive; #send refs it while replies are due
    socket.on('data', (chunk: Buffer) => {
      let replies: Reply[];
      try {
        replies = decoder.push(chunk);
      } catch (err) {
        this.#drop(socket, err as Error);
        return;
      }
      for (const r of replies) {
        const p = this.#pending.shift();
        if (!p || p.serial !== r.serial || p.command !== r.command) {
          if (p) this.#pending.unshift(p);
          this.#drop(socket, XvirtError.of(ErrorNumber.RPC, ErrorDomain.PROXY,
            `xvirt-proxy answered serial ${r.serial} command ${r.command} out of turn`));
          return;
        }
        p.resolve(r);
      }
      if (this.#pending.length === 0) socket.unref();
    });
    socket.on('error', () => { /* 'close' follows and fails what is pending */ });
    socket.on('close', () => this.#drop(socket, new ConnectionLost('the helper closed the connection')));
    this.#socket = socket;
  }

  /** Fails what is pending on `socket` (lost requests are retried by call()). */
  #drop(socket: net.Socket, err: Error): void {
    if (this.#socket === socket) this.#socket = null;
    socket.destroy();
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(err);
  }
}
