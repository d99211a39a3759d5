/**
 * One client's open streams (virsh console...): each bridges a driver's
 * Duplex to libvirt's STREAM messages (lib/rpc/stream.ts) for the call that
 * opened it, with libvirtd's rules:
 * - data flows only after the opening call's reply is out;
 * - the source's end is sent as EOF (an empty data message), also when it
 *   was closed under us (a forced console open elsewhere): the client then
 *   finishes or aborts, and either gets an empty OK;
 * - a source error is sent as a STREAM ERROR and the stream is gone;
 * - messages for no open stream are dropped (data is never answered);
 * - flow control: the source is paused while the client's output is backed
 *   up, and the client is not read while a sink's buffer is full;
 * - the client going away destroys every source (the console is free again).
 */
import type { Duplex } from 'node:stream';
import type { Message } from '../rpc/framing';
import { MessageStatus, remoteError, remoteErrorFrom, type MessageHeader } from '../rpc/protocol';
import { decodeClientPacket, streamChunks, streamHeader, type StreamId } from '../rpc/stream';
import { encode } from '../rpc/xdr';

export interface StreamHost {
  /** Queues one message to the client. */
  send(header: MessageHeader, payload: Uint8Array): void;
  /** The client's output is backed up: stop reading sources. */
  backedUp(): boolean;
  /** A sink filled up or drained: the session re-decides whether to read the client. */
  flowChanged(): void;
  debug(message: string): void;
}

interface OpenStream {
  id: StreamId;
  source: Duplex;
  started: boolean;
  /** Finished, aborted or failed: the source's events no longer matter. */
  closed: boolean;
  eofSent: boolean;
  /** The source's write buffer is full. */
  full: boolean;
  /** The source failed before the reply went out: sent once it has. */
  error: Error | null;
}

const EMPTY = Buffer.alloc(0);

export class SessionStreams {
  readonly #host: StreamHost;
  readonly #open = new Map<number, OpenStream>();
  #shut = false;

  constructor(host: StreamHost) {
    this.#host = host;
  }

  /** Some sink cannot take more: the client's input should wait. */
  get blocked(): boolean {
    for (const s of this.#open.values()) if (s.full) return true;
    return false;
  }

  get size(): number {
    return this.#open.size;
  }

  /** The call `call` opened `source`; it starts once that call's reply is out (replied). */
  attach(call: MessageHeader, source: Duplex): void {
    const stream: OpenStream = {
      id: { procedure: call.procedure, serial: call.serial },
      source,
      started: false,
      closed: false,
      eofSent: false,
      full: false,
      error: null,
    };
    source.on('error', (err) => this.#sourceFailed(stream, err));
    if (this.#shut || this.#open.has(call.serial)) {
      stream.closed = true;
      source.destroy();
      return;
    }
    this.#open.set(call.serial, stream);
  }

  /** A reply went out: if it opened a stream, data may flow now; if it was an error, there is none. */
  replied(header: MessageHeader): void {
    const stream = this.#open.get(header.serial);
    if (!stream || stream.started || stream.id.procedure !== header.procedure) return;
    if (header.status !== MessageStatus.OK) {
      this.#drop(stream);
      return;
    }
    stream.started = true;
    if (stream.error) {
      this.#sourceFailed(stream, stream.error);
      return;
    }
    const { source } = stream;
    source.on('data', (chunk: Buffer) => {
      if (stream.closed) return;
      for (const piece of streamChunks(chunk)) this.#host.send(streamHeader(stream.id, MessageStatus.CONTINUE), piece);
      if (this.#host.backedUp()) source.pause();
    });
    source.once('end', () => this.#sendEof(stream));
    // Closed without an end: destroyed under us (a forced open elsewhere), a hangup to the client.
    source.once('close', () => this.#sendEof(stream));
    if (source.destroyed) this.#sendEof(stream);
    else source.resume();
  }

  /** The client's output drained: paused sources may read again. */
  resume(): void {
    if (this.#host.backedUp()) return;
    for (const s of this.#open.values()) if (s.started && !s.closed && s.source.isPaused()) s.source.resume();
  }

  /**
   * A STREAM or STREAM_HOLE message from the client; false if it is for no
   * open stream (dropped). Throws (RPC error) on one its stream cannot take.
   */
  handle(msg: Message): boolean {
    const stream = this.#open.get(msg.header.serial);
    if (!stream || stream.id.procedure !== msg.header.procedure || !stream.started) {
      this.#host.debug(`dropping a stream message for no open stream (serial ${msg.header.serial})`);
      return false;
    }
    const packet = decodeClientPacket(msg);
    if (packet.kind === 'data') {
      this.#write(stream, packet.bytes);
    } else if (packet.kind === 'finish') {
      this.#finish(stream);
    } else {
      this.#drop(stream);
      this.#host.send(streamHeader(stream.id, MessageStatus.OK), EMPTY);
    }
    return true;
  }

  /** The client is gone or its connection closed: every source is destroyed. */
  closeAll(): void {
    this.#shut = true;
    for (const s of [...this.#open.values()]) this.#drop(s);
  }

  #write(stream: OpenStream, bytes: Buffer): void {
    const { source } = stream;
    if (stream.closed || bytes.length === 0 || source.destroyed || source.writableEnded) return;
    // Copied: the message is a view of the socket's chunk, which is reused.
    if (!source.write(Buffer.from(bytes)) && !stream.full) {
      stream.full = true;
      source.once('drain', () => {
        stream.full = false;
        this.#host.flowChanged();
      });
      this.#host.flowChanged();
    }
  }

  /** libvirt's finish: the sink gets everything written so far, then OK (or the error it met). */
  #finish(stream: OpenStream): void {
    const { source, id } = stream;
    stream.closed = true;
    this.#open.delete(id.serial);
    source.pause();
    if (source.destroyed || source.writableFinished) {
      source.destroy();
      this.#host.send(streamHeader(id, MessageStatus.OK), EMPTY);
      return;
    }
    source.end((err?: Error | null) => {
      source.destroy();
      if (err) this.#sendError(id, err);
      else this.#host.send(streamHeader(id, MessageStatus.OK), EMPTY);
    });
  }

  #sendEof(stream: OpenStream): void {
    if (stream.closed || stream.eofSent || !stream.started) return;
    stream.eofSent = true;
    this.#host.send(streamHeader(stream.id, MessageStatus.CONTINUE), EMPTY);
  }

  #sourceFailed(stream: OpenStream, err: Error): void {
    if (stream.closed) return;
    if (!stream.started) {
      stream.error = err;
      return;
    }
    this.#drop(stream);
    this.#sendError(stream.id, err);
  }

  #sendError(id: StreamId, err: Error): void {
    this.#host.send(streamHeader(id, MessageStatus.ERROR), encode(remoteError, remoteErrorFrom(err), 'remote_error'));
  }

  #drop(stream: OpenStream): void {
    stream.closed = true;
    stream.full = false;
    if (this.#open.get(stream.id.serial) === stream) this.#open.delete(stream.id.serial);
    stream.source.destroy();
  }
}
