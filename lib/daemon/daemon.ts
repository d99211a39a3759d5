/**
 * The daemon: listeners, the set of clients, clean shutdown. One event loop serves every client; each client is a
 * ClientSession that owns its connection, event registrations and buffers.
 */
import type * as net from 'node:net';
import type { DaemonConfig } from './config';
import { closeListeners, openListeners, type Listener, type ListenerPolicy } from './listeners';
import { Dispatcher } from './dispatch';
import { CONNECT_HANDLERS } from './handlers-connect';
import { DOMAIN_HANDLERS } from './handlers-domain';
import { HOST_DEVICE_HANDLERS, NETWORK_HANDLERS, STORAGE_HANDLERS } from './handlers-netstore';
import { STATS_HANDLERS } from './handlers-stats';
import { SESSION_HANDLERS } from './handlers-session';
import { AUTH_HANDLERS } from './handlers-auth';
import { overAnonymousLimit } from '../auth/daemon-config';
import { Logger } from './log';
import { ClientSession, type SessionHost } from './session';

export interface DaemonStats {
  clients: number;
  /** Calls being served. */
  inflight: number;
  /** Open hypervisor connections (one per client that called CONNECT_OPEN). */
  connections: number;
  /** Connections subscribed to lifecycle events on behalf of a client. */
  eventSubscriptions: number;
}

/** The procedures xvirtd serves. */
export const DISPATCHER = new Dispatcher(SESSION_HANDLERS, CONNECT_HANDLERS, DOMAIN_HANDLERS, STATS_HANDLERS, AUTH_HANDLERS,
  NETWORK_HANDLERS, STORAGE_HANDLERS, HOST_DEVICE_HANDLERS);

export class Daemon implements SessionHost {
  readonly config: DaemonConfig;
  readonly log: Logger;
  readonly dispatcher = DISPATCHER;
  readonly clients = new Set<ClientSession>();
  readonly counters = { connections: 0, eventSubscriptions: 0 };
  #listeners: Listener[] = [];
  #nextClientId = 1;
  #stopping: Promise<void> | null = null;

  constructor(config: DaemonConfig, log: Logger = new Logger(config.logLevel)) {
    this.config = config;
    this.log = log;
  }

  /** Addresses actually listened on (TCP port 0 resolves to the chosen port). */
  get addresses(): Array<{ kind: string; address: string }> {
    return this.#listeners.map((l) => ({ kind: l.policy.kind, address: l.address }));
  }

  async start(): Promise<void> {
    this.#listeners = await openListeners(this.config, (socket, policy) => this.#accept(socket, policy), this.log);
    this.log.info(`listening on ${this.addresses.map((a) => `${a.kind} ${a.address}`).join(', ')}`);
  }

  /** What the daemon holds right now, for tests and the log. */
  stats(): DaemonStats {
    let inflight = 0;
    for (const c of this.clients) inflight += c.inflight;
    return { clients: this.clients.size, inflight, ...this.counters };
  }

  #accept(socket: net.Socket, policy: ListenerPolicy): void {
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.config.maxClients) {
      this.log.warn(`refusing ${policy.kind} client: max_clients (${this.config.maxClients}) reached`);
      socket.destroy();
      return;
    }
    // overAnonymousLimit never refuses on an auth=none listener (the default): count the unauthenticated only when it can.
    if (policy.auth !== 'none' && overAnonymousLimit(this.config.security, policy.auth, this.#unauthenticated())) {
      this.log.warn(`refusing ${policy.kind} client: max_anonymous_clients (${this.config.security.maxAnonymousClients}) not yet authenticated`);
      socket.destroy();
      return;
    }
    const session = new ClientSession(this.#nextClientId++, socket, policy, this);
    this.clients.add(session);
    const peer = session.auth.identity.unixPeer;
    if (peer) this.log.info(`client ${session.id} connected on ${policy.kind}: pid ${peer.pid} uid ${peer.uid} gid ${peer.gid}`);
    else this.log.debug(`client ${session.id} connected on ${policy.kind}`);
  }

  #unauthenticated(): number {
    let n = 0;
    for (const c of this.clients) if (!c.authenticated) n++;
    return n;
  }

  /** Called by a session once it has closed and freed its resources. */
  clientClosed(session: ClientSession, reason: string): void {
    if (this.clients.delete(session)) this.log.debug(`client ${session.id} closed: ${reason}`);
  }

  /** Stops listening, disconnects every client, frees everything. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const closing = closeListeners(this.#listeners);
      await Promise.all([...this.clients].map((c) => c.close('daemon shutting down')));
      await closing;
      this.log.info('stopped');
    })();
    return this.#stopping;
  }
}
