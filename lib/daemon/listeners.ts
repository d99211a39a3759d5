/**
 * xvirtd's listening sockets: unix read-write, unix read-only, TCP and TLS. Unix
 * sockets are created with their final mode (umask held during bind, then
 * chmod), a stale socket file left by a dead daemon is replaced, and a live
 * one is never stolen.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AuthScheme, DaemonConfig } from './config';
import type { ListenerKind } from '../auth/peer-identity';
import type { SecurityLogger } from '../auth/tls-server';

export type { ListenerKind } from '../auth/peer-identity';

/** What a client's listener decides about it before any RPC. */
export interface ListenerPolicy {
  kind: ListenerKind;
  /** Clients of a read-only socket get read-only connections whatever they ask. */
  readonly: boolean;
  auth: AuthScheme;
  /** Whether the channel counts as secure (CONNECT_IS_SECURE): local sockets do, plain TCP does not. */
  secure: boolean;
}

export interface Listener {
  policy: ListenerPolicy;
  server: net.Server;
  /** Path for unix sockets, host:port for TCP. */
  address: string;
  /** Unlinks a unix socket file this listener created. */
  cleanup(): void;
}

/** What the daemon does with sockets: `gate` sees a TLS socket at TCP accept, before its handshake. */
export interface ConnectionHandlers {
  onConnection(socket: net.Socket, policy: ListenerPolicy): void;
  /** False when the raw socket was refused (and closed). */
  gate(raw: net.Socket, policy: ListenerPolicy): boolean;
  /**
   * accept() failed on a listening socket (ENOBUFS, ENOMEM, a descriptor limit libuv could not work around):
   * that one connection is lost and the listener goes on. Without a handler node would throw and end the daemon.
   */
  acceptFailed(err: Error, policy: ListenerPolicy): void;
}

/** The listen backlog: room for max_clients connections waiting to be accepted, within what the kernel allows. */
export function listenBacklog(cfg: DaemonConfig): number {
  return Math.max(511, Math.min(cfg.maxClients, 65535));
}

export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** True when something accepts connections on `socketPath`. */
function socketIsLive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

async function prepareSocketPath(socketPath: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
    return;
  }
  if (!st.isSocket()) throw new ListenError(`${socketPath} exists and is not a socket; refusing to replace it`);
  if (await socketIsLive(socketPath)) throw new ListenError(`${socketPath} is in use by another daemon`);
  fs.unlinkSync(socketPath);
}

/** `what` follows the address in the error, e.g. ' (TLS)'. */
function listen(server: net.Server, options: net.ListenOptions, what = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new ListenError(`cannot listen on ${options.path ?? `${options.host}:${options.port}`}${what}: ${err.message}`),
      );
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function listenUnix(
  socketPath: string,
  mode: number,
  policy: ListenerPolicy,
  onConnection: (socket: net.Socket, policy: ListenerPolicy) => void,
  backlog: number,
): Promise<Listener> {
  await prepareSocketPath(socketPath);
  const server = net.createServer({ pauseOnConnect: false }, (s) => onConnection(s, policy));
  // The bind happens synchronously inside listen(): hold a umask so the file never exists with wider permissions.
  const oldMask = process.umask(0o777 & ~mode);
  let listening: Promise<void>;
  try {
    listening = listen(server, { path: socketPath, backlog });
  } finally {
    process.umask(oldMask);
  }
  await listening;
  fs.chmodSync(socketPath, mode);
  const ino = fs.statSync(socketPath).ino;
  return {
    policy,
    server,
    address: socketPath,
    cleanup: () => {
      // Unlink only the file we created (another daemon may have replaced it meanwhile).
      try {
        if (fs.statSync(socketPath).ino === ino) fs.unlinkSync(socketPath);
      } catch {
        /* already gone */
      }
    },
  };
}

async function listenTcp(
  host: string,
  port: number,
  policy: ListenerPolicy,
  onConnection: (socket: net.Socket, policy: ListenerPolicy) => void,
  backlog: number,
): Promise<Listener> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    onConnection(s, policy);
  });
  await listen(server, { host, port, backlog });
  return { policy, server, address: shownAddress(server), cleanup: () => undefined };
}

/** A listening TCP server's host:port, IPv6 in brackets. */
function shownAddress(server: net.Server): string {
  const addr = server.address() as net.AddressInfo;
  return addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
}

/**
 * The TLS listener (listen_tls = 1): lib/auth/tls-server.ts with the daemon's
 * config and logger. Clients reach the daemon's session code only after every
 * certificate check passed and the 0x01 byte was sent. A plain TCP server accepts and
 * passes each socket through `gate` first, so a refused one costs no TLS state at all.
 * Node's TLS and crypto modules load here, only in a daemon that listens for TLS (~1 MiB of RSS otherwise).
 */
async function listenTls(cfg: DaemonConfig, handlers: ConnectionHandlers, log: SecurityLogger): Promise<Listener> {
  const sec = cfg.security;
  const policy: ListenerPolicy = { kind: 'tls', readonly: false, auth: sec.authTls, secure: true };
  const { createTlsServer } = await import('../auth/tls-server');
  let tlsServer: ReturnType<typeof createTlsServer>;
  try {
    tlsServer = createTlsServer(
      {
        caFile: sec.caFile,
        certFile: sec.certFile,
        keyFile: sec.keyFile,
        crlFile: sec.crlFile || null,
        allowedDnList: sec.tlsAllowedDnList,
        noVerifyCertificate: sec.tlsNoVerifyCertificate,
        priority: sec.tlsPriority,
      },
      (socket) => handlers.onConnection(socket, policy),
      log,
    );
  } catch (err) {
    // Unreadable or invalid files, a key that does not match the certificate...
    throw new ListenError(`cannot start the TLS listener: ${(err as Error).message}`);
  }
  const server = net.createServer((raw) => {
    if (handlers.gate(raw, policy)) tlsServer.emit('connection', raw);
  });
  await listen(server, { host: sec.tlsListenAddr, port: sec.tlsPort, backlog: listenBacklog(cfg) }, ' (TLS)');
  return { policy, server, address: shownAddress(server), cleanup: () => undefined };
}

/** Opens every listener the config asks for; on failure closes the ones already open. */
export async function openListeners(
  cfg: DaemonConfig,
  handlers: ConnectionHandlers,
  log?: SecurityLogger,
): Promise<Listener[]> {
  const opened: Listener[] = [];
  const onConnection = (s: net.Socket, p: ListenerPolicy): void => handlers.onConnection(s, p);
  const backlog = listenBacklog(cfg);
  // Once listening, a server's only 'error' is a failed accept.
  const add = (l: Listener): void => {
    l.server.on('error', (err) => handlers.acceptFailed(err, l.policy));
    opened.push(l);
  };
  try {
    if (cfg.unixSockRwPath) {
      add(
        await listenUnix(
          cfg.unixSockRwPath,
          cfg.unixSockRwPerms,
          { kind: 'unix-rw', readonly: false, auth: cfg.authUnixRw, secure: true },
          onConnection,
          backlog,
        ),
      );
    }
    if (cfg.unixSockRoPath) {
      add(
        await listenUnix(
          cfg.unixSockRoPath,
          cfg.unixSockRoPerms,
          { kind: 'unix-ro', readonly: true, auth: cfg.authUnixRo, secure: true },
          onConnection,
          backlog,
        ),
      );
    }
    if (cfg.listenTcp) {
      add(
        await listenTcp(
          cfg.tcpListenAddr,
          cfg.tcpPort,
          { kind: 'tcp', readonly: false, auth: cfg.authTcp, secure: false },
          onConnection,
          backlog,
        ),
      );
    }
    if (cfg.security.listenTls) {
      add(
        await listenTls(cfg, handlers, log ?? { info: () => undefined, warn: (m) => process.stderr.write(`${m}\n`) }),
      );
    }
  } catch (err) {
    await closeListeners(opened);
    throw err;
  }
  return opened;
}

/** Stops accepting and removes socket files. Existing clients are not touched. */
export async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(
    listeners.map(
      (l) =>
        new Promise<void>((resolve) => {
          l.server.close(() => resolve());
          l.cleanup();
        }),
    ),
  );
}
