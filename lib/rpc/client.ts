/**
 * The client end of a libvirt RPC connection over any duplex byte stream
 * (unix socket, TCP, later TLS or an ssh pipe): numbers calls, keeps many in
 * flight, matches replies by serial, hands event messages to a callback,
 * answers and sends keepalives. When the stream dies every pending call is
 * rejected with an error naming the endpoint.
 */
import type { Duplex } from 'node:stream';
import { CloseReason } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { encodeCall, encodeKeepalive, FrameDecoder, isKeepalive, type Message } from './framing';
import { Keepalive } from './keepalive';
import { PROCEDURES, procedureName, type CallableProcedure, type ProcedureArgs, type ProcedureRet } from './procedures';
import {
  errorFromRemote, KEEPALIVE_PROGRAM, KeepaliveProcedure, MessageStatus, MessageType, protocolError, REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION, remoteError,
} from './protocol';
import { decode, type Codec } from './xdr';

export interface RpcClientOptions {
  /** What the stream is connected to, for error messages: a socket path or host:port. */
  endpoint: string;
  /** An event MESSAGE of REMOTE_PROGRAM arrived (payload still XDR). */
  onEvent?: (procedure: number, payload: Buffer) => void;
  /** The connection died on its own (not through close()); called at most once. */
  onClosed?: (reason: CloseReason, error: XvirtError) => void;
}

interface PendingCall {
  procedure: number;
  ret: Codec<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: XvirtError) => void;
}

const SERIAL_MODULUS = 2 ** 32;
/** How long a closing connection waits for the peer (CONNECT_CLOSE's reply, the socket's end). */
export const CLOSE_GRACE_MS = 2000;

export class RpcClient {
  readonly endpoint: string;
  readonly #stream: Duplex;
  readonly #opts: RpcClientOptions;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, PendingCall>();
  #nextSerial = 0;
  #keepalive: Keepalive | null = null;
  /** Set once the connection is finished, by us or by the peer. */
  #deadError: XvirtError | null = null;

  constructor(stream: Duplex, opts: RpcClientOptions) {
    this.endpoint = opts.endpoint;
    this.#stream = stream;
    this.#opts = opts;
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('end', () => this.#die(CloseReason.EOF, this.#systemError('end of file from the server')));
    stream.on('close', () => this.#die(CloseReason.EOF, this.#systemError('connection closed by the server')));
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // A reset or broken pipe is the peer going away (a daemon killed mid-call): report it as EOF.
      const hungUp = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      this.#die(hungUp ? CloseReason.EOF : CloseReason.ERROR, this.#systemError(err.message, err));
    });
  }

  get alive(): boolean {
    return this.#deadError === null;
  }

  /** Calls `procedure` of REMOTE_PROGRAM; resolves with the decoded result, rejects with the server's error. */
  call<P extends CallableProcedure>(procedure: P, args: ProcedureArgs<P>): Promise<ProcedureRet<P>> {
    if (this.#deadError) return Promise.reject(this.#deadError);
    const spec = PROCEDURES[procedure] as { args: Codec<ProcedureArgs<P>>; ret: Codec<unknown> };
    const serial = this.#nextSerial;
    let bytes: Buffer;
    try {
      bytes = encodeCall(procedure, serial, spec.args, args);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#nextSerial = (serial + 1) % SERIAL_MODULUS;
    return new Promise<ProcedureRet<P>>((resolve, reject) => {
      this.#pending.set(serial, { procedure, ret: spec.ret, resolve: resolve as (v: unknown) => void, reject });
      this.#stream.write(bytes);
    });
  }

  /** Starts pinging an idle server (only once it said it supports keepalive). */
  startKeepalive(intervalMs: number, count: number): void {
    if (this.#keepalive || this.#deadError) return;
    this.#keepalive = new Keepalive({
      intervalMs,
      count,
      sendPing: () => this.#send(encodeKeepalive(KeepaliveProcedure.PING)),
      onDead: () => {
        const secs = (intervalMs * (count + 1)) / 1000;
        this.#die(CloseReason.KEEPALIVE, this.#systemError(`no response from the server for ${secs} s (keepalive timeout)`));
        this.#stream.destroy();
      },
    });
    this.#keepalive.start();
  }

  /** Closes the stream from our side; pending calls fail with INVALID_CONN. Never reports onClosed. */
  async close(): Promise<void> {
    if (this.#deadError) return;
    this.#finish(XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.RPC, `connection to ${this.endpoint} was closed`));
    if (this.#stream.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#stream.destroy(), CLOSE_GRACE_MS);
      this.#stream.once('close', () => { clearTimeout(timer); resolve(); });
      this.#stream.end();
    });
  }

  #send(bytes: Buffer): void {
    if (!this.#deadError && this.#stream.writable) this.#stream.write(bytes);
  }

  #systemError(detail: string, cause?: unknown): XvirtError {
    return XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, `connection to ${this.endpoint} lost: ${detail}`,
      cause === undefined ? {} : { cause });
  }

  #onData(chunk: Buffer): void {
    if (this.#deadError) return;
    let messages: Message[];
    try {
      messages = this.#decoder.push(chunk);
    } catch (err) {
      this.#die(CloseReason.ERROR, err as XvirtError);
      this.#stream.destroy();
      return;
    }
    for (const msg of messages) {
      if (this.#deadError) return;
      this.#keepalive?.received();
      this.#dispatch(msg);
    }
  }

  #dispatch(msg: Message): void {
    const h = msg.header;
    if (h.program === KEEPALIVE_PROGRAM) {
      if (isKeepalive(msg, KeepaliveProcedure.PING)) this.#send(encodeKeepalive(KeepaliveProcedure.PONG));
      return;
    }
    if (h.program !== REMOTE_PROGRAM || h.version !== REMOTE_PROTOCOL_VERSION) {
      this.#violation(`message for unknown program 0x${h.program.toString(16)} version ${h.version}`);
      return;
    }
    if (h.type === MessageType.MESSAGE) {
      this.#opts.onEvent?.(h.procedure, msg.payload);
    } else if (h.type === MessageType.REPLY) {
      this.#reply(msg);
    } else {
      // We send no fds and open no streams, so nothing else can be an answer to us.
      this.#violation(`unexpected message type ${h.type} for ${procedureName(h.procedure)}`);
    }
  }

  #reply(msg: Message): void {
    const h = msg.header;
    const call = this.#pending.get(h.serial);
    if (!call || call.procedure !== h.procedure) {
      this.#violation(`reply with serial ${h.serial} for ${procedureName(h.procedure)} matches no call in flight`);
      return;
    }
    this.#pending.delete(h.serial);
    const what = procedureName(h.procedure);
    try {
      if (h.status === MessageStatus.OK) {
        call.resolve(decode(call.ret, msg.payload, `${what} ret`));
      } else if (h.status === MessageStatus.ERROR) {
        call.reject(errorFromRemote(decode(remoteError, msg.payload, `${what} error`)));
      } else {
        call.reject(protocolError(`reply to ${what} has unexpected status ${h.status}`));
      }
    } catch (err) {
      call.reject(err as XvirtError);
    }
  }

  /** The server broke the protocol: the stream cannot be trusted any more. */
  #violation(detail: string): void {
    this.#die(CloseReason.ERROR, protocolError(`from ${this.endpoint}: ${detail}`));
    this.#stream.destroy();
  }

  #die(reason: CloseReason, error: XvirtError): void {
    if (this.#deadError) return;
    this.#finish(error);
    this.#opts.onClosed?.(reason, error);
  }

  #finish(error: XvirtError): void {
    this.#deadError = error;
    this.#keepalive?.stop();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(error);
  }
}
