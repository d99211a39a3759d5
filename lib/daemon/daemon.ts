/**
 * The daemon: listeners, the set of clients, clean shutdown. One event loop serves every client; each client is a
 * ClientSession that owns its connection, event registrations and buffers.
 */
import type * as net from 'node:net';
import type { DaemonConfig } from './config';
import { closeListeners, openListeners, type Listener, type ListenerPolicy } from './listeners';
import type { Dispatcher } from './dispatch';
import { Admission } from './admission';
import type { OutputLimits } from './outbound';
import { raiseFileLimit } from '../native-sockets';
import { HeapTrimmer } from './heap-trim';
import { Logger } from './log';
import type { ClientSession, SessionHost } from './session';

export interface DaemonStats {
  clients: number;
  /** Calls being served. */
  inflight: number;
  /** Open streams (consoles) across all clients. */
  streams: number;
  /** Calls decoded and ready but waiting for one of max_workers. */
  waitingForWorker: number;
  /** TLS connections accepted whose handshake has not finished. */
  tlsHandshakes: number;
  /** Open hypervisor connections (one per client that called CONNECT_OPEN). */
  connections: number;
  /** Connections subscribed to lifecycle events on behalf of a client. */
  eventSubscriptions: number;
  /** Times the C heap's free pages were given back to the kernel (after start, and after clients left). */
  heapTrims: number;
}

export class Daemon implements SessionHost {
  readonly config: DaemonConfig;
  readonly log: Logger;
  readonly outputLimits: OutputLimits;
  #dispatcher: Dispatcher | null = null;
  readonly clients = new Set<ClientSession>();
  readonly counters = { connections: 0, eventSubscriptions: 0, heapTrims: 0 };
  #listeners: Listener[] = [];
  #nextClientId = 1;
  #stopping: Promise<void> | null = null;
  #admission: Admission | null = null;
  /** Calls running across all clients, against max_workers. */
  #workers = 0;
  /** Clients with calls waiting for a worker, in the order they asked. */
  readonly #waiting = new Set<ClientSession>();
  readonly #heapTrim = new HeapTrimmer(() => {
    this.counters.heapTrims++;
  });
  /** Clients connected and not yet authenticated, kept as a count: an accept must not walk every client. */
  #unauthenticated = 0;

  constructor(config: DaemonConfig, log: Logger = new Logger(config.logLevel)) {
    this.config = config;
    this.log = log;
    this.outputLimits = { bytes: config.maxClientOutput, messages: config.maxClientOutputMessages };
  }

  /** The procedure table and handlers (lib/daemon/served.ts), loaded with the first call any client makes. */
  get dispatcher(): Dispatcher {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (this.#dispatcher ??= (require('./served') as typeof import('./served')).DISPATCHER);
  }

  /** Addresses actually listened on (TCP port 0 resolves to the chosen port). */
  get addresses(): Array<{ kind: string; address: string }> {
    return this.#listeners.map((l) => ({ kind: l.policy.kind, address: l.address }));
  }

  async start(): Promise<void> {
    this.#admission = new Admission(
      {
        maxClients: this.config.maxClients,
        unixClientsReserve: this.config.unixClientsReserve,
        maxAnonymousClients: this.config.security.maxAnonymousClients,
        fileLimit: this.#raiseFileLimit(),
      },
      this.log,
    );
    this.#listeners = await openListeners(
      this.config,
      {
        onConnection: (socket, policy) => this.#accept(socket, policy),
        gate: (raw, policy) => this.#gateTls(raw, policy),
        acceptFailed: (err, policy) => this.#admission!.acceptFailed(policy.kind, err.message),
      },
      this.log,
    );
    this.log.info(`listening on ${this.addresses.map((a) => `${a.kind} ${a.address}`).join(', ')}`);
    this.#heapTrim.schedule();
  }

  /** What the daemon holds right now, for tests and the log. */
  stats(): DaemonStats {
    let inflight = 0;
    let streams = 0;
    for (const c of this.clients) {
      inflight += c.inflight;
      streams += c.openStreams;
    }
    return {
      clients: this.clients.size,
      inflight,
      streams,
      waitingForWorker: this.#waiting.size,
      tlsHandshakes: this.#admission?.handshakes ?? 0,
      ...this.counters,
    };
  }

  /** Raises RLIMIT_NOFILE to its hard limit; returns the soft limit the clients must fit in (Infinity: unknown). */
  #raiseFileLimit(): number {
    try {
      const lim = raiseFileLimit();
      if (lim) {
        this.log.info(`open-file limit ${lim.soft} (hard ${lim.hard})`);
        return lim.soft;
      }
      this.log.warn('cannot raise the open-file limit: the native addon is not loaded');
    } catch (err) {
      this.log.warn(`cannot read the open-file limit: ${(err as Error).message}`);
    }
    return Infinity;
  }

  /** SessionHost: a call may start when fewer than max_workers run; else the session is woken later. */
  startCall(session: ClientSession): boolean {
    this.#heapTrim.callStarted();
    if (this.#workers < this.config.maxWorkers) {
      this.#workers++;
      this.#waiting.delete(session);
      return true;
    }
    this.#waiting.add(session);
    return false;
  }

  /** SessionHost: a call finished; the longest-waiting client may start its next one. */
  callDone(): void {
    this.#workers--;
    for (const next of this.#waiting) {
      if (this.#workers >= this.config.maxWorkers) return;
      this.#waiting.delete(next);
      next.resumeCalls();
    }
  }

  /** A TLS socket at TCP accept: held (as a handshake, which counts as anonymous) or refused. */
  #gateTls(raw: net.Socket, policy: ListenerPolicy): boolean {
    const admission = this.#admission!;
    const why = this.#stopping ? 'daemon shutting down' : admission.refusal(policy.kind, this.#unauthenticated);
    if (why) {
      admission.refuse(raw, policy.kind, why);
      return false;
    }
    admission.holdTls(raw);
    return true;
  }

  #accept(socket: net.Socket, policy: ListenerPolicy): void {
    const admission = this.#admission!;
    if (policy.kind === 'tls') {
      // Held since its TCP accept (#gateTls); the TLSSocket wraps that raw socket.
      admission.handshakeDone((socket as unknown as { _parent: net.Socket })._parent);
      if (this.#stopping) {
        socket.destroy();
        return;
      }
    } else {
      // The unauthenticated are counted only on a listener that requires authentication (libvirtd's rule).
      const why = this.#stopping
        ? 'daemon shutting down'
        : admission.refusal(policy.kind, policy.auth === 'none' ? null : this.#unauthenticated);
      if (why) {
        admission.refuse(socket, policy.kind, why);
        return;
      }
      admission.hold(policy.kind);
    }
    // The session code, and the RPC codecs and procedure tables it brings, load with the first client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ClientSession } = require('./session') as typeof import('./session');
    const session = new ClientSession(this.#nextClientId++, socket, policy, this);
    this.clients.add(session);
    if (!session.authenticated) this.#unauthenticated++;
    const peer = session.auth.identity.unixPeer;
    if (peer)
      this.log.info(
        `client ${session.id} connected on ${policy.kind}: pid ${peer.pid} uid ${peer.uid} gid ${peer.gid}`,
      );
    else this.log.debug(`client ${session.id} connected on ${policy.kind}`);
  }

  /** SessionHost: a client that started unauthenticated has passed (one already gone was counted out on close). */
  clientAuthenticated(session: ClientSession): void {
    if (this.clients.has(session)) this.#unauthenticated--;
  }

  /** SessionHost: the client's descriptor is closed; a TLS one is released with its raw socket (holdTls). */
  socketClosed(session: ClientSession): void {
    if (session.policy.kind !== 'tls') this.#admission?.release(session.policy.kind);
  }

  /** Called by a session once it has closed and freed its resources. */
  clientClosed(session: ClientSession, reason: string): void {
    this.#waiting.delete(session);
    if (this.clients.delete(session)) {
      if (!session.authenticated) this.#unauthenticated--;
      this.log.debug(`client ${session.id} closed: ${reason}`);
    }
    // What the client held (buffers, its connection, its socket's memory) is being freed: hand it back once quiet.
    this.#heapTrim.schedule();
  }

  /** Stops listening, disconnects every client, frees everything. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#heapTrim.stop();
      const closing = closeListeners(this.#listeners);
      await Promise.all([...this.clients].map((c) => c.close('daemon shutting down')));
      await closing;
      this.log.info('stopped');
    })();
    return this.#stopping;
  }
}
