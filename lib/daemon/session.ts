/**
 * One client of the daemon: its socket, framing, flow control, keepalive,
 * connection and event registrations. A client that breaks the protocol
 * (bad length word, output it will not read, keepalive silence) is dropped
 * alone; whatever it held is freed on the way out.
 */
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Connection, LifecycleEvent } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import {
  errorReplyHeader,
  eventHeader,
  FrameDecoder,
  isKeepalive,
  keepaliveHeader,
  type Message,
} from '../rpc/framing';
import { Keepalive } from '../rpc/keepalive';
import {
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  MAX_FRAME_LENGTH,
  MessageStatus,
  MessageType,
  protocolError,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  RemoteOpenFlags,
  remoteError,
  remoteErrorFrom,
  type MessageHeader,
} from '../rpc/protocol';
import { EVENT_MESSAGES, RemoteProcedure } from '../rpc/procedures';
import { encode } from '../rpc/xdr';
import { isRemoteUri, parseUri } from '../uri';
import type { DaemonConfig } from './config';
import { notOpenError, type Dispatcher, type SessionControl } from './dispatch';
import { EventRegistrations, lifecycleEventBody } from './events';
import { NetStoreEventRegistrations } from './netstore-events';
import { SessionAuth } from '../auth/session-auth';
import { peerIdentity } from '../auth/peer-identity';
import type { ListenerPolicy } from './listeners';
import { LogLevel, type Logger } from './log';
import { Outbound, type OutboundOwner, type OutputLimits } from './outbound';
import { SessionStreams } from './streams';

/**
 * Largest message a client may be part-way through sending before CONNECT_OPEN.
 * The biggest handshake call is an AUTH_SASL step carrying 65536 XDR chars (4
 * bytes each); without a bound, anyone able to connect could make the daemon
 * hold 32 MiB per socket.
 */
export const PRE_OPEN_MESSAGE_MAX = 288 * 1024;
const NO_PAYLOAD = Buffer.alloc(0);
const LEGACY_LIFECYCLE_HEADER = eventHeader(RemoteProcedure.DOMAIN_EVENT_LIFECYCLE);
const CALLBACK_LIFECYCLE_HEADER = eventHeader(RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE);

export interface SessionHost {
  readonly config: DaemonConfig;
  /** max_client_output and max_client_output_messages, one object for every client. */
  readonly outputLimits: OutputLimits;
  readonly log: Logger;
  readonly dispatcher: Dispatcher;
  /** Live resources across all clients (kept exact so tests can prove a dropped client freed its own). */
  readonly counters: { connections: number; eventSubscriptions: number };
  clientClosed(session: ClientSession, reason: string): void;
  /** True when a call may start now (max_workers); false: `resumeCalls()` is called once one may. */
  startCall(session: ClientSession): boolean;
  /** A call started with startCall finished. */
  callDone(): void;
  /** A client that started unauthenticated has passed (the host keeps count of those still waiting). */
  clientAuthenticated(session: ClientSession): void;
  /** The client's socket closed (its descriptor is free again), whether or not the session has finished closing. */
  socketClosed(session: ClientSession): void;
}

/**
 * The session a socket serves: its listeners are functions shared by every client (called with the socket as
 * `this`), not closures per client, so an idle client holds only its objects.
 */
const SESSION = Symbol('xvirtd session');
type SessionSocket = net.Socket & { [SESSION]: ClientSession };

function onSocketData(this: SessionSocket, chunk: Buffer): void {
  this[SESSION].received(chunk);
}

function onSocketClose(this: SessionSocket): void {
  this[SESSION].socketClosed();
}

function onSocketError(this: SessionSocket, err: Error): void {
  this[SESSION].socketError(err);
}

export class ClientSession implements SessionControl, OutboundOwner {
  readonly id: number;
  readonly policy: ListenerPolicy;
  // Event registrations are made on a client's first register call: most clients never make one.
  #events: EventRegistrations | null = null;
  #netstoreEvents: NetStoreEventRegistrations | null = null;
  readonly auth: SessionAuth;
  #closeCallbackRegistered = false;
  /** The connection's close is hooked (once per connection, on the first close callback registration). */
  #closeHooked = false;
  readonly #host: SessionHost;
  readonly #socket: net.Socket;
  /** Refuses, from the length word alone, a message over PRE_OPEN_MESSAGE_MAX until CONNECT_OPEN succeeds. */
  readonly #decoder = new FrameDecoder(PRE_OPEN_MESSAGE_MAX);
  /**
   * Calls decoded but not started: max_client_requests are in flight, or an open/close must finish first.
   * Made when a call has to wait, dropped once empty.
   */
  #backlog: Message[] | null = null;
  /** A CONNECT_OPEN or CONNECT_CLOSE is running: later calls wait, so they see its outcome (as on libvirtd). */
  #barrier = false;
  #conn: Connection | null = null;
  #opening = false;
  #readonly: boolean;
  #inflight = 0;
  #paused = false;
  #keepalive: Keepalive | null = null;
  readonly #out: Outbound;
  /** Streams this client opened (consoles): lib/daemon/streams.ts. Made on first use, like the registrations. */
  #streams: SessionStreams | null = null;
  #endAfterFlush = false;
  #closed: Promise<void> | null = null;

  constructor(id: number, socket: net.Socket, policy: ListenerPolicy, host: SessionHost) {
    this.id = id;
    this.policy = policy;
    this.#host = host;
    this.#socket = socket;
    this.#readonly = policy.readonly;
    this.auth = new SessionAuth(
      policy.auth,
      peerIdentity(socket, policy, id, host.log),
      host.config.security,
      host.log,
      policy.auth === 'none' ? undefined : () => host.clientAuthenticated(this),
    );
    this.#out = new Outbound(socket, host.outputLimits, this);
    (socket as SessionSocket)[SESSION] = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  // ---- SessionControl ---------------------------------------------------------

  get events(): EventRegistrations {
    return (this.#events ??= new EventRegistrations(
      (callbackId, ev) => this.#sendLifecycle(callbackId, ev),
      (delta) => {
        this.#host.counters.eventSubscriptions += delta;
      },
    ));
  }

  get streams(): SessionStreams {
    return (this.#streams ??= new SessionStreams({
      send: (header, payload) => this.#out.send(header, payload),
      backedUp: () => this.#out.backedUp,
      flowChanged: () => this.#updateFlow(),
      debug: (m) => this.#host.log.debug(`client ${this.id}: ${m}`),
    }));
  }

  /** Streams open now (without making the table for a client that has none). */
  get openStreams(): number {
    return this.#streams?.size ?? 0;
  }

  get netstoreEvents(): NetStoreEventRegistrations {
    return (this.#netstoreEvents ??= new NetStoreEventRegistrations((header, body, callbackId) =>
      this.#out.send(header, body, callbackId),
    ));
  }

  /** Whether the client registered for CONNECT_EVENT_CONNECTION_CLOSED; the connection's close is hooked then. */
  get closeCallbackRegistered(): boolean {
    return this.#closeCallbackRegistered;
  }
  set closeCallbackRegistered(on: boolean) {
    this.#closeCallbackRegistered = on;
    if (on && !this.#closeHooked && this.#conn) {
      this.#closeHooked = true;
      this.#conn.onClose((reason) => this.#connectionClosed(reason));
    }
  }

  get readonly(): boolean {
    return this.#readonly;
  }
  /** A listener whose scheme is not 'none' starts unauthenticated (lib/auth/session-auth.ts). */
  get authenticated(): boolean {
    return this.auth.authenticated;
  }
  authTypes(): number[] {
    return this.auth.types();
  }
  isOpen(): boolean {
    return this.#conn !== null;
  }
  get inflight(): number {
    return this.#inflight;
  }

  conn(): Connection {
    if (!this.#conn) throw notOpenError();
    return this.#conn;
  }

  async open(name: string | null, flags: number): Promise<void> {
    if (this.#conn || this.#opening) {
      throw new XvirtError(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'internal error: connection already open');
    }
    const text = name || this.#host.config.defaultUri;
    const uri = parseUri(text);
    // The daemon is the far end: it never chains to another daemon.
    if (isRemoteUri(uri)) throw XvirtError.of(ErrorNumber.NO_CONNECT, ErrorDomain.NONE, text);
    const readonly = this.policy.readonly || (flags & RemoteOpenFlags.RO) !== 0;
    // test:///<file> makes the daemon read a file of the client's choosing: read-write clients only.
    if (readonly && uri.driver === 'test' && uri.path !== '/default') {
      throw XvirtError.of(
        ErrorNumber.OPERATION_DENIED,
        ErrorDomain.NONE,
        `read-only clients may open test:///default only, not '${text}'`,
      );
    }
    this.#opening = true;
    try {
      // The connection layer loads with the first CONNECT_OPEN (lib/daemon/served.ts).
      const { connect } = await import('../connection');
      const conn = await connect(text, { readonly });
      if (this.#closed) {
        await conn.close();
        return;
      }
      this.#conn = conn;
      this.#decoder.maxLength = MAX_FRAME_LENGTH;
      this.#host.counters.connections++;
      this.#readonly = readonly;
      this.#host.log.info(`client ${this.id} (${this.policy.kind}) opened ${text}${readonly ? ' read-only' : ''}`);
    } finally {
      this.#opening = false;
    }
  }

  async closeAfterReply(): Promise<void> {
    this.#endAfterFlush = true;
    await this.#releaseConnection();
  }

  openStream(call: MessageHeader, source: Duplex): void {
    this.streams.attach(call, source);
  }

  startKeepalive(): void {
    const { keepaliveInterval, keepaliveCount } = this.#host.config;
    if (this.#keepalive || keepaliveInterval <= 0 || this.#closed) return;
    this.#keepalive = new Keepalive({
      intervalMs: keepaliveInterval * 1000,
      count: keepaliveCount,
      sendPing: () => this.#sendKeepalive(KeepaliveProcedure.PING),
      onDead: () => void this.close('keepalive timeout'),
    });
    this.#keepalive.start();
  }

  internalError(procedure: number, err: unknown): void {
    this.#host.log.warn(
      `client ${this.id}: procedure ${procedure} failed unexpectedly: ${(err as Error)?.stack ?? String(err)}`,
    );
  }

  // ---- input --------------------------------------------------------------------

  /** The socket's data (onSocketData). */
  received(chunk: Buffer): void {
    if (this.#closed) return;
    let messages: Message[];
    try {
      messages = this.#decoder.push(chunk);
    } catch (err) {
      // A bad length word leaves no way to find the next message: drop this client only.
      void this.close(`protocol error: ${(err as Error).message}${this.#conn ? '' : ' (before CONNECT_OPEN)'}`);
      return;
    }
    // Any complete message is traffic for keepalive: once per chunk, as the client does (a partial one is not).
    if (messages.length > 0) this.#keepalive?.received();
    for (const m of messages) this.#handle(m);
    this.#updateFlow();
  }

  #handle(msg: Message): void {
    if (this.#closed) return;
    const h = msg.header;
    if (h.program === KEEPALIVE_PROGRAM) {
      if (isKeepalive(msg, KeepaliveProcedure.PING)) this.#sendKeepalive(KeepaliveProcedure.PONG);
      else if (!isKeepalive(msg, KeepaliveProcedure.PONG))
        this.#reject(msg, protocolError(`Cannot find program ${h.program} version ${h.version}`));
      return;
    }
    if (h.program !== REMOTE_PROGRAM || h.version !== REMOTE_PROTOCOL_VERSION) {
      this.#reject(msg, protocolError(`Cannot find program ${h.program} version ${h.version}`));
    } else if (h.type === MessageType.STREAM || h.type === MessageType.STREAM_HOLE) {
      this.#streamMessage(msg);
    } else if (h.type !== MessageType.CALL) {
      this.#reject(msg, protocolError(`Unexpected message type ${h.type}`));
    } else if (h.status !== MessageStatus.OK) {
      this.#reject(msg, protocolError(`Unexpected message status ${h.status}`));
    } else if (this.#backlog === null && this.#mayStart(msg)) {
      this.#dispatch(msg);
    } else {
      (this.#backlog ??= []).push(msg);
    }
  }

  /** Stream data goes to its stream (lib/daemon/streams.ts); a stray one is dropped, a stray hole refused (libvirtd). */
  #streamMessage(msg: Message): void {
    try {
      if (!this.streams.handle(msg) && msg.header.type === MessageType.STREAM_HOLE) {
        this.#reject(msg, protocolError(`Unexpected message type ${msg.header.type}`));
      }
    } catch (err) {
      // libvirtd drops a client that sends what its stream cannot take (a hole in a plain stream).
      void this.close(`protocol error: ${(err as Error).message}`);
    }
  }

  /** Answers a message we cannot serve; only calls get answers (a reply to a reply would confuse the peer). */
  #reject(msg: Message, err: XvirtError): void {
    const t = msg.header.type;
    const answered = [MessageType.CALL, MessageType.CALL_WITH_FDS, MessageType.STREAM, MessageType.STREAM_HOLE];
    if (answered.includes(t)) {
      this.#out.send(errorReplyHeader(msg.header), encode(remoteError, remoteErrorFrom(err), 'remote_error'));
    } else {
      this.#host.log.debug(`client ${this.id}: ignoring message type ${t}: ${err.message}`);
    }
  }

  /** Whether `msg` may start now (the request limit, barriers, max_workers); if so its worker is taken. */
  #mayStart(msg: Message): boolean {
    if (this.#inflight >= this.#host.config.maxClientRequests || this.#barrier || this.#closed) return false;
    const proc = msg.header.procedure;
    const barrier = proc === RemoteProcedure.CONNECT_OPEN || proc === RemoteProcedure.CONNECT_CLOSE;
    // A barrier call waits for the calls before it, too.
    if ((barrier && this.#inflight > 0) || !this.#host.startCall(this)) return false;
    this.#barrier = barrier;
    return true;
  }

  /** Starts waiting calls, in order, as far as #mayStart allows. */
  #drain(): void {
    const backlog = this.#backlog;
    if (!backlog) return;
    while (backlog.length > 0 && this.#mayStart(backlog[0]!)) this.#dispatch(backlog.shift()!);
    if (backlog.length === 0 && this.#backlog === backlog) this.#backlog = null;
  }

  /** The daemon has a worker free again for this client's waiting calls. */
  resumeCalls(): void {
    this.#drain();
    this.#updateFlow();
  }

  #dispatch(msg: Message): void {
    this.#inflight++;
    this.#host.dispatcher.call(this, msg.header, msg.payload);
  }

  /** SessionControl: a call's reply, from the dispatcher. */
  reply(header: MessageHeader, payload: Buffer): void {
    this.#inflight--;
    this.#host.callDone();
    this.#barrier = false;
    this.#out.send(header, payload);
    this.#streams?.replied(header);
    this.#drain();
    this.#updateFlow();
  }

  /** Reads only while the client has room for more calls and reads what we send. */
  #updateFlow(): void {
    if (this.#closed) return;
    const busy =
      this.#inflight >= this.#host.config.maxClientRequests ||
      this.#backlog !== null ||
      this.#out.backedUp ||
      (this.#streams?.blocked ?? false);
    this.#streams?.resume();
    if (busy && !this.#paused) {
      this.#paused = true;
      this.#socket.pause();
    } else if (!busy && this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  // ---- output -------------------------------------------------------------------

  #sendKeepalive(procedure: KeepaliveProcedure): void {
    this.#out.send(keepaliveHeader(procedure), NO_PAYLOAD);
  }

  // ---- OutboundOwner ----------------------------------------------------------------

  outputOverflow(reason: string): void {
    void this.close(`client is not reading: ${reason}`);
  }

  afterWrite(): void {
    this.#updateFlow();
  }

  afterFlush(): void {
    if (this.#endAfterFlush && this.#inflight === 0) {
      // Once the last reply is handed to the kernel, close the descriptor: a peer that never
      // half-closes must not keep the socket (and the daemon's shutdown) waiting.
      this.#socket.end(() => this.#socket.destroy());
      void this.close('client closed the connection');
    }
    this.#updateFlow();
  }

  /** The event's body is shared by every subscriber (events.ts); a callback registration adds its id in front. */
  #sendLifecycle(callbackId: number | null, ev: LifecycleEvent): void {
    const body = lifecycleEventBody(ev);
    if (callbackId === null) this.#out.send(LEGACY_LIFECYCLE_HEADER, body);
    else this.#out.send(CALLBACK_LIFECYCLE_HEADER, body, callbackId);
  }

  #connectionClosed(reason: number): void {
    if (this.#closed || !this.closeCallbackRegistered) return;
    const proc = RemoteProcedure.CONNECT_EVENT_CONNECTION_CLOSED;
    this.#out.send(eventHeader(proc), encode(EVENT_MESSAGES[proc], { reason }, 'msg'));
  }

  // ---- teardown -----------------------------------------------------------------

  /** The socket closed (onSocketClose): its descriptor is free; whatever the client held goes. */
  socketClosed(): void {
    this.#host.socketClosed(this);
    void this.close('peer disconnected');
  }

  socketError(err: Error): void {
    this.#host.log.debug(`client ${this.id}: socket error: ${err.message}`);
  }

  async #releaseConnection(): Promise<void> {
    this.#streams?.closeAll();
    const conn = this.#conn;
    this.#conn = null;
    this.#closeCallbackRegistered = false;
    this.#closeHooked = false;
    const dropFailed = (err: unknown): void =>
      this.#host.log.warn(`client ${this.id}: dropping events: ${String(err)}`);
    await this.#events?.clear().catch(dropFailed);
    await this.#netstoreEvents?.clear().catch(dropFailed);
    if (!conn) return;
    this.#host.counters.connections--;
    await conn.close().catch((err) => this.#host.log.warn(`client ${this.id}: closing connection: ${err}`));
  }

  /** Drops the client and frees everything it holds. Idempotent. */
  close(reason: string): Promise<void> {
    this.#closed ??= (async () => {
      this.#keepalive?.stop();
      this.#keepalive = null;
      this.#backlog = null;
      this.#out.close();
      if (!this.#endAfterFlush) this.#socket.destroy();
      const routine = reason === 'peer disconnected' || reason === 'client closed the connection';
      this.#host.log.log(routine ? LogLevel.DEBUG : LogLevel.INFO, `client ${this.id}: ${reason}`);
      await this.#releaseConnection();
      this.#host.clientClosed(this, reason);
    })();
    return this.#closed;
  }
}
