/**
 * libvirt's stream messages (virsh console, volume upload/download...): once
 * a stream-opening CALL has its REPLY, both sides exchange messages of type
 * STREAM carrying that call's program, version, procedure and serial. The
 * status says what a message is, and means slightly different things in
 * each direction:
 *
 * | status   | client to server          | server to client                    |
 * |----------|---------------------------|-------------------------------------|
 * | CONTINUE | data (raw bytes, no XDR)  | data; an empty payload is EOF       |
 * | OK       | finish (empty), awaits OK | the answer to a finish or an abort  |
 * | ERROR    | abort (empty), awaits OK  | the stream failed: a remote_error   |
 *
 * Data messages are never answered. Pure encoders and decoders; no I/O here.
 */
import { encodeMessage, type Message } from './framing';
import {
  MessageStatus,
  MessageType,
  protocolError,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  remoteError,
  type MessageHeader,
  type RemoteError,
} from './protocol';
import { decode, encode } from './xdr';

/**
 * VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: libvirt sends stream data in pieces of
 * at most this many bytes (the old payload limit, kept so that old peers accept them).
 */
export const STREAM_CHUNK_MAX = 262120;

/** What identifies a stream: the procedure and serial of the call that opened it. */
export interface StreamId {
  procedure: number;
  serial: number;
}

/** The header of a STREAM message of `id` with `status` (REMOTE_PROGRAM). */
export function streamHeader(id: StreamId, status: MessageStatus): MessageHeader {
  return {
    program: REMOTE_PROGRAM,
    version: REMOTE_PROTOCOL_VERSION,
    procedure: id.procedure,
    type: MessageType.STREAM,
    serial: id.serial,
    status,
  };
}

/**
 * `bytes` as payloads of at most STREAM_CHUNK_MAX bytes (views, no copy).
 * Empty input gives no chunk: an empty data message would mean EOF.
 */
export function streamChunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += STREAM_CHUNK_MAX) out.push(bytes.subarray(at, at + STREAM_CHUNK_MAX));
  return out;
}

/** One data message (either direction); `bytes` must fit in one chunk, and is EOF when empty (server side). */
export function encodeStreamData(id: StreamId, bytes: Uint8Array): Buffer {
  if (bytes.length > STREAM_CHUNK_MAX) {
    throw protocolError(`stream data of ${bytes.length} bytes exceeds the ${STREAM_CHUNK_MAX}-byte chunk`);
  }
  return encodeMessage(streamHeader(id, MessageStatus.CONTINUE), bytes);
}

/** Client: finish (no more data, wants OK). Server: the OK answering a finish or an abort. */
export function encodeStreamOk(id: StreamId): Buffer {
  return encodeMessage(streamHeader(id, MessageStatus.OK));
}

/** Client: abort the stream (empty ERROR). */
export function encodeStreamAbort(id: StreamId): Buffer {
  return encodeMessage(streamHeader(id, MessageStatus.ERROR));
}

/** Server: the stream failed, with `error`. */
export function encodeStreamError(id: StreamId, error: RemoteError): Buffer {
  return encodeMessage(streamHeader(id, MessageStatus.ERROR), encode(remoteError, error, 'remote_error'));
}

/** A STREAM message a client received from the server. */
export type ServerPacket =
  | { kind: 'data'; bytes: Buffer }
  | { kind: 'eof' }
  /** The answer to our finish or abort. */
  | { kind: 'ok' }
  | { kind: 'error'; error: RemoteError };

/** A STREAM message a server received from a client. */
export type ClientPacket = { kind: 'data'; bytes: Buffer } | { kind: 'finish' } | { kind: 'abort' };

function checkStream(msg: Message): void {
  const { type, status } = msg.header;
  if (type === MessageType.STREAM_HOLE) throw protocolError('unexpected stream hole (the stream is not sparse)');
  if (type !== MessageType.STREAM) throw protocolError(`message type ${type} is not a stream message`);
  if (status !== MessageStatus.OK && status !== MessageStatus.ERROR && status !== MessageStatus.CONTINUE) {
    throw protocolError(`stream message with unknown status ${status as number}`); // any number off the wire
  }
}

/** What a server's STREAM message means to the client; a malformed one throws (RPC error). */
export function decodeServerPacket(msg: Message): ServerPacket {
  checkStream(msg);
  switch (msg.header.status) {
    case MessageStatus.CONTINUE:
      return msg.payload.length === 0 ? { kind: 'eof' } : { kind: 'data', bytes: msg.payload };
    case MessageStatus.OK:
      if (msg.payload.length !== 0) throw protocolError('stream OK message with a payload');
      return { kind: 'ok' };
    default:
      return { kind: 'error', error: decode(remoteError, msg.payload, 'stream error') };
  }
}

/** What a client's STREAM message asks of the server; a malformed one throws (RPC error). */
export function decodeClientPacket(msg: Message): ClientPacket {
  checkStream(msg);
  const status = msg.header.status;
  if (status === MessageStatus.CONTINUE) return { kind: 'data', bytes: msg.payload };
  // libvirt ignores a finish's or an abort's payload; they are empty as sent.
  return status === MessageStatus.OK ? { kind: 'finish' } : { kind: 'abort' };
}

/** Whether `msg` belongs to stream `id` (program, version, procedure and serial match). */
export function isStreamOf(msg: Message, id: StreamId): boolean {
  const h = msg.header;
  return (
    h.program === REMOTE_PROGRAM &&
    h.version === REMOTE_PROTOCOL_VERSION &&
    h.procedure === id.procedure &&
    h.serial === id.serial
  );
}
