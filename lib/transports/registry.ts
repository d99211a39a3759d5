/**
 * The transport registry of the remote driver (lib/drivers/remote): each
 * transport turns a connection URI into a connected duplex byte stream. unix
 * and tcp live here; tls and ssh plug in through registerTransport()
 * (register.ts), and so can others, without touching the driver.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { errnoText } from '../errno-text';
import { uriParam, type ConnectionUri, type Transport } from '../uri';

/** Where libvirt's clients look for the system daemon (deliberately /var/run, as libvirt does). */
export const DEFAULT_SOCKET = '/var/run/libvirt/libvirt-sock';
export const DEFAULT_SOCKET_RO = '/var/run/libvirt/libvirt-sock-ro';
export const DEFAULT_TCP_PORT = 16509;

export interface TransportStream {
  stream: Duplex;
  /** What the stream reaches, for error messages: a socket path or host:port. */
  endpoint: string;
  /** Whether the channel itself protects the traffic (unix, tls, ssh: yes; tcp: no). */
  secure: boolean;
}

export interface TransportRequest {
  uri: ConnectionUri;
  readonly: boolean;
  signal?: AbortSignal | undefined;
}

/** Opens one connection for a URI. Rejects with XvirtError. */
export type TransportFactory = (req: TransportRequest) => Promise<TransportStream>;

const factories = new Map<Transport, TransportFactory>();

/** Adds or replaces the factory for a transport name (e.g. 'tls', 'ssh'). */
export function registerTransport(name: Transport, factory: TransportFactory): void {
  factories.set(name, factory);
}

/** The transport a URI asks for: explicit, else unix without a host and tls with one (libvirt's rule). */
export function transportOf(uri: ConnectionUri): Transport {
  return uri.transport ?? (uri.host === null ? 'unix' : 'tls');
}

export async function openTransport(req: TransportRequest): Promise<TransportStream> {
  const name = transportOf(req.uri);
  const factory = factories.get(name);
  if (!factory) {
    throw XvirtError.of(
      ErrorNumber.NO_SUPPORT,
      ErrorDomain.REMOTE,
      `transport '${name}' (URI '${req.uri.text}'): xvirt's client supports ${[...factories.keys()].join(', ')} so far`,
    );
  }
  return factory(req);
}

/** Connects a net.Socket, turning failures into libvirt-worded SYSTEM_ERRORs. */
function connectSocket(
  options: net.NetConnectOpts,
  what: string,
  signal: AbortSignal | undefined,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const socket = net.connect(options);
    const onAbort = (): void => {
      socket.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setNoDelay?.(true);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      reject(
        XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, `Failed to connect ${what}: ${errnoText(err)}`, {
          cause: err,
        }),
      );
    });
  });
}

/**
 * Whether a URI means the caller's own (session) daemon, by libvirt's rule:
 * a '/session' path, or any test driver URI opened by a non-root user.
 */
export function isSessionUri(uri: ConnectionUri, uid = process.geteuid?.() ?? 0): boolean {
  return uri.path === '/session' || (uri.driver === 'test' && uid !== 0);
}

/** Where a session daemon listens: $XDG_RUNTIME_DIR/libvirt, else ~/.cache/libvirt (libvirt's runtime dir). */
export function sessionSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(runtime, 'libvirt', 'libvirt-sock');
}

/**
 * unix: `?socket=PATH`; else the session daemon's socket for session URIs;
 * else the system daemon's (its read-only socket for read-only opens).
 */
export function unixSocketPath(uri: ConnectionUri, readonly: boolean, uid?: number): string {
  const explicit = uriParam(uri, 'socket');
  if (explicit !== undefined) {
    if (explicit === '')
      throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, `empty 'socket' parameter in URI '${uri.text}'`);
    return explicit;
  }
  if (isSessionUri(uri, uid)) return sessionSocketPath();
  return readonly ? DEFAULT_SOCKET_RO : DEFAULT_SOCKET;
}

/** `host:port` for error messages, with an IPv6 literal in brackets (`[::1]:16509`). */
export function hostPortEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

registerTransport('unix', async ({ uri, readonly, signal }) => {
  const path = unixSocketPath(uri, readonly);
  const stream = await connectSocket({ path }, `socket to '${path}'`, signal);
  return { stream, endpoint: path, secure: true };
});

registerTransport('tcp', async ({ uri, signal }) => {
  const host = uri.host ?? 'localhost';
  const port = uri.port ?? DEFAULT_TCP_PORT;
  const endpoint = hostPortEndpoint(host, port);
  const stream = await connectSocket({ host, port }, `to ${endpoint}`, signal);
  return { stream, endpoint, secure: false };
});
