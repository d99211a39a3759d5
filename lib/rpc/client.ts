/**
 * The client end of a libvirt RPC connection over any duplex byte stream
 * (unix socket, TCP, later TLS or an ssh pipe): numbers calls, keeps many in
 * flight, matches replies by serial, hands event messages to a callback,
 * answers and sends keepalives, carries libvirt streams (openStream). When
 * the connection dies every pending call is rejected, and every open stream
 * destroyed, with an error naming the endpoint.
 */
import type { Duplex } from 'node:stream';
import { CloseReason } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { FrameDecoder, isKeepalive, keepaliveHeader, OutgoingFrames, type Message } from './framing';
import { Keepalive } from './keepalive';
import { ClientStreams, type RemoteStream } from './client-stream';
import { PROCEDURES, procedureName, type CallableProcedure, type ProcedureArgs, type ProcedureRet } from './procedures';
import {
  errorFromRemote,
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  MessageStatus,
  MessageType,
  protocolError,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  remoteError,
} from './protocol';
import { decode, encode, type Codec } from './xdr';

export interface RpcClientOptions {
  /** What the stream is connected to, for error messages: a socket path or host:port. */
  endpoint: string;
  /** An event MESSAGE of REMOTE_PROGRAM arrived (payload still XDR). */
  onEvent?: (procedure: number, payload: Buffer) => void;
  /** The connection died on its own (not through close()); called at most once. */
  onClosed?: (reason: CloseReason, error: XvirtError) => void;
}

/** Turns a successful reply's payload into the call's result; `what` names the reply in errors. */
export type ReplyDecoder<T> = (payload: Buffer, what: string) => T;

interface PendingCall {
  procedure: number;
  ret: Codec<unknown>;
  /** Replaces decode(ret, ...) for this call (see callEncoded). */
  decodeRet: ReplyDecoder<unknown> | undefined;
  resolve: (value: unknown) => void;
  reject: (err: XvirtError) => void;
}

/**
 * A procedure's args already in XDR (from encodeArgs): a caller that sends
 * the same args again and again (getInfo polling one domain) encodes them once.
 */
export type EncodedArgs<P extends CallableProcedure> = Buffer & { readonly [encodedFor]: P };
declare const encodedFor: unique symbol;

/** Encodes `args` for `procedure`; throws the codec's XvirtError if they do not fit its schema. */
export function encodeArgs<P extends CallableProcedure>(procedure: P, args: ProcedureArgs<P>): EncodedArgs<P> {
  const spec = PROCEDURES[procedure] as unknown as { args: Codec<ProcedureArgs<P>> };
  return encode(spec.args, args, 'args') as EncodedArgs<P>;
}

const retLabels = new Map<number, string>();

/** 'DOMAIN_GET_INFO ret': names a reply in decoding errors; built once per procedure, not once per reply. */
function retLabel(procedure: number): string {
  let label = retLabels.get(procedure);
  if (label === undefined) {
    label = `${procedureName(procedure)} ret`;
    retLabels.set(procedure, label);
  }
  return label;
}

const SERIAL_MODULUS = 2 ** 32;
/** How long a closing connection waits for the peer (CONNECT_CLOSE's reply, the socket's end). */
export const CLOSE_GRACE_MS = 2000;

const EMPTY = Buffer.alloc(0);

export class RpcClient {
  readonly endpoint: string;
  readonly #stream: Duplex;
  readonly #opts: RpcClientOptions;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, PendingCall>();
  /** Messages queued for the next write (see #scheduleFlush). */
  readonly #out = new OutgoingFrames();
  #flushScheduled = false;
  /** Run once the next flush is handed to the stream (stream data's write callbacks). */
  #afterFlush: Array<() => void> = [];
  readonly #streams = new ClientStreams((header, payload, sent) => {
    if (this.#deadError) {
      sent();
      return;
    }
    this.#out.push(header, payload);
    this.#afterFlush.push(sent);
    this.#scheduleFlush();
  });
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
    let payload: EncodedArgs<P>;
    try {
      payload = encodeArgs(procedure, args);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.callEncoded(procedure, payload);
  }

  /**
   * call() with args encoded beforehand by encodeArgs() for the same
   * procedure, and optionally a decoder specialised for its reply (it must
   * accept and refuse exactly what the procedure's ret codec does).
   */
  callEncoded<P extends CallableProcedure>(
    procedure: P,
    payload: EncodedArgs<P>,
    decodeRet?: ReplyDecoder<ProcedureRet<P>>,
  ): Promise<ProcedureRet<P>> {
    if (this.#deadError) return Promise.reject(this.#deadError);
    const serial = this.#nextSerial;
    try {
      this.#out.push(
        {
          program: REMOTE_PROGRAM,
          version: REMOTE_PROTOCOL_VERSION,
          procedure,
          type: MessageType.CALL,
          serial,
          status: MessageStatus.OK,
        },
        payload,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    this.#nextSerial = (serial + 1) % SERIAL_MODULUS;
    this.#scheduleFlush();
    const ret = PROCEDURES[procedure].ret as Codec<unknown>;
    return new Promise<ProcedureRet<P>>((resolve, reject) => {
      this.#pending.set(serial, { procedure, ret, decodeRet, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /**
   * Calls a stream-opening `procedure` (DOMAIN_OPEN_CONSOLE...) and resolves
   * with the stream once the server accepted it. The stream is registered
   * before the call goes out, as libvirt's client does: data the server sends
   * right after its reply is never lost.
   */
  openStream<P extends CallableProcedure>(procedure: P, args: ProcedureArgs<P>): Promise<RemoteStream> {
    const serial = this.#nextSerial;
    const reply = this.call(procedure, args);
    // Not registered when the call failed at once (dead connection, bad args): nothing went out.
    const stream = this.#streams.open({ procedure, serial }, this.#pending.has(serial));
    return reply.then(
      () => stream,
      (err: unknown) => {
        stream.abandon();
        throw err;
      },
    );
  }

  /** Starts pinging an idle server (only once it said it supports keepalive). */
  startKeepalive(intervalMs: number, count: number): void {
    if (this.#keepalive || this.#deadError) return;
    this.#keepalive = new Keepalive({
      intervalMs,
      count,
      sendPing: () => this.#sendKeepalive(KeepaliveProcedure.PING),
      onDead: () => {
        const secs = (intervalMs * (count + 1)) / 1000;
        this.#die(
          CloseReason.KEEPALIVE,
          this.#systemError(`no response from the server for ${secs} s (keepalive timeout)`),
        );
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
      this.#stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#stream.end();
    });
  }

  #sendKeepalive(procedure: KeepaliveProcedure): void {
    if (this.#deadError) return;
    this.#out.push(keepaliveHeader(procedure), EMPTY);
    this.#scheduleFlush();
  }

  /**
   * Messages are written once per tick, after the callbacks that queued them
   * have run: with many calls in flight, one reply chunk's callbacks issue
   * many calls, and one write for all of them saves a syscall and a write
   * request each. nextTick runs after the current microtasks (the awaits
   * that make the next calls), before any I/O, so a lone call is not delayed.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const bytes = this.#out.take();
    const sent = this.#afterFlush;
    this.#afterFlush = [];
    const run = (): void => {
      for (const cb of sent) cb();
    };
    // Stream writers wait for the socket to take their bytes: a fast writer cannot queue without bound.
    if (bytes && !this.#deadError && this.#stream.writable && !this.#stream.write(bytes) && sent.length > 0) {
      this.#stream.once('drain', run);
    } else {
      run();
    }
  };

  #systemError(detail: string, cause?: unknown): XvirtError {
    return XvirtError.of(
      ErrorNumber.SYSTEM_ERROR,
      ErrorDomain.RPC,
      `connection to ${this.endpoint} lost: ${detail}`,
      cause === undefined ? {} : { cause },
    );
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
    if (messages.length > 0) this.#keepalive?.received();
    for (const msg of messages) {
      if (this.#deadError) return;
      this.#dispatch(msg);
    }
  }

  #dispatch(msg: Message): void {
    const h = msg.header;
    if (h.program === KEEPALIVE_PROGRAM) {
      if (isKeepalive(msg, KeepaliveProcedure.PING)) this.#sendKeepalive(KeepaliveProcedure.PONG);
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
    } else if (h.type === MessageType.STREAM || h.type === MessageType.STREAM_HOLE) {
      this.#streams.deliver(msg);
    } else {
      // We send no fds, so nothing else can be an answer to us.
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
    try {
      if (h.status === MessageStatus.OK) {
        const what = retLabel(h.procedure);
        call.resolve(call.decodeRet ? call.decodeRet(msg.payload, what) : decode(call.ret, msg.payload, what));
      } else if (h.status === MessageStatus.ERROR) {
        call.reject(errorFromRemote(decode(remoteError, msg.payload, `${procedureName(h.procedure)} error`)));
      } else {
        call.reject(protocolError(`reply to ${procedureName(h.procedure)} has unexpected status ${h.status}`));
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
    this.#streams.lost(error);
    for (const cb of this.#afterFlush.splice(0)) cb();
  }
}
