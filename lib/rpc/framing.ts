/**
 * Message framing for libvirt's RPC, shared by client and server: a 4-byte
 * big-endian length that counts itself, the 24-byte header, then the XDR
 * payload. The encoders here build complete messages; FrameDecoder
 * (lib/rpc/frame-decoder.ts, re-exported) turns any split of a stream back into them. No I/O here.
 */
import {
  EVENT_SERIAL,
  HEADER_SIZE,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KEEPALIVE_SERIAL,
  KeepaliveProcedure,
  LENGTH_WORD_SIZE,
  MAX_FRAME_LENGTH,
  MessageStatus,
  MessageType,
  protocolError,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  remoteError,
  type MessageHeader,
  type RemoteError,
} from './protocol';
import { encode, type Codec } from './xdr';

import type { Message } from './frame-decoder';
import { writeWord } from './frame-words';

export { decodeHeader, FrameDecoder, type Message } from './frame-decoder';

/** Writes the length word and the 24-byte header at `offset` of `out`. */
function writeFrameHead(out: Buffer, offset: number, length: number, header: MessageHeader): void {
  writeWord(out, length, offset);
  writeWord(out, header.program, offset + 4);
  writeWord(out, header.version, offset + 8);
  writeWord(out, header.procedure, offset + 12);
  writeWord(out, header.type, offset + 16);
  writeWord(out, header.serial, offset + 20);
  writeWord(out, header.status, offset + 24);
}

/** The whole frame's length for a payload of `payloadLength` bytes; throws if it exceeds the protocol maximum. */
export function frameLength(payloadLength: number): number {
  const length = LENGTH_WORD_SIZE + HEADER_SIZE + payloadLength;
  if (length > MAX_FRAME_LENGTH) {
    throw protocolError(`message of ${length} bytes exceeds the maximum of ${MAX_FRAME_LENGTH}`);
  }
  return length;
}

/** A complete message: length word, header, payload. Fails if it would exceed the protocol maximum. */
export function encodeMessage(header: MessageHeader, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const length = frameLength(payload.length);
  const out = Buffer.allocUnsafe(length);
  writeFrameHead(out, 0, length, header);
  out.set(payload, LENGTH_WORD_SIZE + HEADER_SIZE);
  return out;
}

/** Default slab size for OutgoingFrames: a tick's worth of small calls (128 getInfo calls are ~10 KiB). */
const SLAB_SIZE = 64 * 1024;

const EMPTY_SLAB = Buffer.alloc(0);

/**
 * Messages queued for one write. A client with many calls in flight makes
 * them in bursts (one reply's callback issues the next call); writing each
 * on its own costs a syscall and a write request per call, so they are
 * gathered here and handed to the stream together by take(). Frames are
 * built in place in a slab (header written directly, payload copied once),
 * so queueing allocates nothing per message. Bytes returned by take() are
 * never written again: the next frames go after them, or into a new slab.
 */
export class OutgoingFrames {
  readonly #slabSize: number;
  #slab = EMPTY_SLAB;
  /** Start of the bytes not yet taken. */
  #start = 0;
  #end = 0;

  /**
   * `slabSize`: the smallest slab allocated. A daemon with thousands of mostly
   * idle clients keeps one slab each, so it asks for a small one; bursts
   * larger than a slab get one twice their size either way.
   */
  constructor(slabSize = SLAB_SIZE) {
    this.#slabSize = slabSize;
  }

  /** Bytes queued and not yet taken. */
  get queued(): number {
    return this.#end - this.#start;
  }

  /**
   * Queues one message. Fails (queueing nothing) if it would exceed the protocol maximum. `leadingInt`, when
   * given, is an XDR int written before `payload`: a body shared by many messages that differ only in a leading
   * field (an event's callbackID) is encoded once and never copied into a per-message buffer first.
   */
  push(header: MessageHeader, payload: Uint8Array, leadingInt?: number): void {
    const lead = leadingInt === undefined ? 0 : 4;
    const length = frameLength(lead + payload.length);
    const at = this.#reserve(length);
    writeFrameHead(this.#slab, at, length, header);
    const body = at + LENGTH_WORD_SIZE + HEADER_SIZE;
    if (leadingInt !== undefined) writeWord(this.#slab, leadingInt, body);
    this.#slab.set(payload, body + lead);
  }

  /** Everything queued since the last take(), as one buffer; null if nothing is. */
  take(): Buffer | null {
    if (this.#end === this.#start) return null;
    const bytes = this.#slab.subarray(this.#start, this.#end);
    this.#start = this.#end;
    return bytes;
  }

  /**
   * Lets go of the slab when nothing is queued, so an idle owner holds none;
   * the next push() starts a fresh one. (Bytes already taken stay valid.)
   */
  release(): void {
    if (this.#end !== this.#start) return;
    this.#slab = EMPTY_SLAB;
    this.#start = 0;
    this.#end = 0;
  }

  #reserve(n: number): number {
    if (this.#end + n > this.#slab.length) {
      // Queued bytes move to the new slab; taken ones stay where they were handed out.
      // Doubling keeps a burst larger than a slab from copying its queue on every push.
      const queued = this.#end - this.#start;
      const next = Buffer.allocUnsafe(Math.max(this.#slabSize, 2 * (queued + n)));
      this.#slab.copy(next, 0, this.#start, this.#end);
      this.#slab = next;
      this.#start = 0;
      this.#end = queued;
    }
    const at = this.#end;
    this.#end += n;
    return at;
  }
}

// ---- builders ----------------------------------------------------------------

/** A CALL to `procedure` of REMOTE_PROGRAM (or another program). */
export function encodeCall<A>(
  procedure: number,
  serial: number,
  argsCodec: Codec<A>,
  args: A,
  program = REMOTE_PROGRAM,
  version = REMOTE_PROTOCOL_VERSION,
): Buffer {
  const header = { program, version, procedure, type: MessageType.CALL, serial, status: MessageStatus.OK };
  return encodeMessage(header, encode(argsCodec, args, 'args'));
}

/** The header of a successful REPLY to `call`: same program, version, procedure and serial. */
export function replyHeader(call: MessageHeader): MessageHeader {
  return { ...call, type: MessageType.REPLY, status: MessageStatus.OK };
}

/**
 * The header of an ERROR reply to `call`. Errors to STREAM packets stay type
 * STREAM; errors to CALL and CALL_WITH_FDS go back as plain REPLY (libvirt's rule).
 */
export function errorReplyHeader(call: MessageHeader): MessageHeader {
  const type = call.type === MessageType.STREAM ? MessageType.STREAM : MessageType.REPLY;
  return { ...call, type, status: MessageStatus.ERROR };
}

/** The header of an asynchronous event MESSAGE of REMOTE_PROGRAM (serial 1, as libvirtd sends). */
export function eventHeader(procedure: number): MessageHeader {
  return {
    program: REMOTE_PROGRAM,
    version: REMOTE_PROTOCOL_VERSION,
    procedure,
    type: MessageType.MESSAGE,
    serial: EVENT_SERIAL,
    status: MessageStatus.OK,
  };
}

/** A successful REPLY to `call`. */
export function encodeReply<R>(call: MessageHeader, retCodec: Codec<R>, ret: R): Buffer {
  return encodeMessage(replyHeader(call), encode(retCodec, ret, 'ret'));
}

/** An ERROR reply to `call` (see errorReplyHeader). */
export function encodeErrorReply(call: MessageHeader, error: RemoteError): Buffer {
  return encodeMessage(errorReplyHeader(call), encode(remoteError, error, 'remote_error'));
}

/** An asynchronous event MESSAGE of REMOTE_PROGRAM. */
export function encodeEvent<M>(procedure: number, msgCodec: Codec<M>, msg: M): Buffer {
  return encodeMessage(eventHeader(procedure), encode(msgCodec, msg, 'msg'));
}

/** A keepalive PING or PONG: type MESSAGE, serial 0, empty payload, 28 bytes. */
export function encodeKeepalive(procedure: KeepaliveProcedure): Buffer {
  return encodeMessage(keepaliveHeader(procedure));
}

/** The header of a keepalive PING or PONG (its payload is empty). */
export function keepaliveHeader(procedure: KeepaliveProcedure): MessageHeader {
  return {
    program: KEEPALIVE_PROGRAM,
    version: KEEPALIVE_PROTOCOL_VERSION,
    procedure,
    type: MessageType.MESSAGE,
    serial: KEEPALIVE_SERIAL,
    status: MessageStatus.OK,
  };
}

/** True for a keepalive message of `procedure` (a well-formed one: MESSAGE, empty payload). */
export function isKeepalive(msg: Message, procedure: KeepaliveProcedure): boolean {
  const h = msg.header;
  return (
    h.program === KEEPALIVE_PROGRAM &&
    h.version === KEEPALIVE_PROTOCOL_VERSION &&
    h.procedure === procedure &&
    h.type === MessageType.MESSAGE &&
    msg.payload.length === 0
  );
}
