/**
 * The client's end of one libvirt stream (lib/rpc/stream.ts has the
 * messages) as a Node Duplex: bytes written become data messages, data
 * messages from the server are read, the server's EOF ends the readable
 * side. end() sends libvirt's finish and completes when the server answers
 * it; destroy() before that sends an abort. A server error destroys the
 * stream with that error. Like libvirt's client, data that arrives before
 * it is read is buffered.
 */
import { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { Message } from './framing';
import { errorFromRemote, MessageStatus, type MessageHeader } from './protocol';
import { decodeServerPacket, streamChunks, streamHeader, type StreamId } from './stream';

/** Queues one message on the connection; `sent` runs once it is handed to the socket. */
export type StreamSend = (header: MessageHeader, payload: Uint8Array, sent: () => void) => void;

interface StreamLink {
  send: StreamSend;
  /** The stream is done: later messages for it are dropped (as libvirt's client drops them). */
  forget(stream: RemoteStream): void;
}

/** A connection's open streams, by the serial of the call that opened each. */
export class ClientStreams {
  readonly #open = new Map<number, RemoteStream>();
  readonly #link: StreamLink;

  constructor(send: StreamSend) {
    this.#link = {
      send,
      forget: (stream) => {
        if (this.#open.get(stream.id.serial) === stream) this.#open.delete(stream.id.serial);
      },
    };
  }

  /** A stream for the call `id`; `register`: route the server's messages to it. */
  open(id: StreamId, register: boolean): RemoteStream {
    const stream = new RemoteStream(id, this.#link);
    if (register) this.#open.set(id.serial, stream);
    return stream;
  }

  /** A STREAM message from the server; one for no open stream (after an abort) is dropped, as libvirt does. */
  deliver(msg: Message): void {
    const stream = this.#open.get(msg.header.serial);
    if (stream && stream.id.procedure === msg.header.procedure) stream.receive(msg);
  }

  /** The connection died: every stream fails with `err`. */
  lost(err: XvirtError): void {
    const streams = [...this.#open.values()];
    this.#open.clear();
    for (const stream of streams) stream.connectionLost(err);
  }
}

const EMPTY = Buffer.alloc(0);

export class RemoteStream extends Duplex {
  readonly id: StreamId;
  readonly #link: StreamLink;
  /** Our finish is out; called with the server's answer. */
  #finishing: ((err: Error | null) => void) | null = null;
  /** Finish or abort sent, or the server failed the stream: nothing more goes out. */
  #over = false;

  constructor(id: StreamId, link: StreamLink) {
    super({ allowHalfOpen: false });
    this.id = id;
    this.#link = link;
  }

  /** A STREAM message of ours from the server. A malformed one fails the stream (the connection stays). */
  receive(msg: Message): void {
    let packet;
    try {
      packet = decodeServerPacket(msg);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    switch (packet.kind) {
      case 'data':
        // Copied: the message is a view of the socket's chunk.
        this.push(Buffer.from(packet.bytes));
        break;
      case 'eof':
        this.push(null);
        break;
      case 'ok': {
        const done = this.#finishing;
        this.#finishing = null;
        this.#link.forget(this);
        done?.(null);
        break;
      }
      case 'error': {
        this.#over = true;
        this.#link.forget(this);
        const err = errorFromRemote(packet.error);
        const done = this.#finishing;
        this.#finishing = null;
        if (done) done(err);
        else this.destroy(err);
        break;
      }
    }
  }

  /** The call that was to open the stream failed: the server has no stream to abort. */
  abandon(): void {
    this.#over = true;
    this.destroy();
  }

  /** The connection died: the stream fails with its error. */
  connectionLost(err: XvirtError): void {
    this.#over = true;
    const done = this.#finishing;
    this.#finishing = null;
    if (done) done(err);
    else this.destroy(err);
  }

  override _read(): void {
    // Data is pushed as it arrives; nothing to ask for.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.#over) {
      cb(XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.STREAMS, 'the stream is already finished'));
      return;
    }
    const pieces = streamChunks(chunk);
    if (pieces.length === 0) {
      cb();
      return;
    }
    const last = pieces.length - 1;
    pieces.forEach((p, i) =>
      this.#link.send(streamHeader(this.id, MessageStatus.CONTINUE), p, i === last ? () => cb() : () => undefined),
    );
  }

  /** end(): libvirt's finish; done when the server answers OK. */
  override _final(cb: (err?: Error | null) => void): void {
    if (this.#over) {
      cb();
      return;
    }
    this.#over = true;
    this.#finishing = (err) => cb(err);
    this.#link.send(streamHeader(this.id, MessageStatus.OK), EMPTY, () => undefined);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.#over) {
      // Abort; its OK answer finds no stream and is dropped.
      this.#over = true;
      this.#link.send(streamHeader(this.id, MessageStatus.ERROR), EMPTY, () => undefined);
    }
    this.#link.forget(this);
    this.#finishing = null;
    cb(err);
  }
}
