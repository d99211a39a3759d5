/**
 * Opening a remote connection: transport, then libvirt's handshake
 * (AUTH_LIST, keepalive probe, CONNECT_OPEN, feature probes), in the order
 * and with the serials libvirt's own client uses.
 */
import { ErrorNumber, XvirtError } from '../../errors';
import { RpcClient } from '../../rpc/client';
import { RemoteProcedure as P } from '../../rpc/procedures';
import { AuthType, DrvFeature, RemoteOpenFlags } from '../../rpc/protocol';
import type { Driver, OpenOptions } from '../../types';
import { serverSideName, type ConnectionUri } from '../../uri';
import { RemoteDriver } from './driver';
import { openTransport } from '../../transports/registry';
import '../../transports/register';
import { authenticate as authenticateWith } from '../../auth/sasl-client';
import type { SaslCredentials } from '../../auth/auth-file';

export {
  registerTransport,
  type TransportFactory,
  type TransportRequest,
  type TransportStream,
} from '../../transports/registry';

export interface KeepaliveSettings {
  /** Idle time before pinging the server, ms. */
  intervalMs: number;
  /** Unanswered pings before the connection is declared dead. */
  count: number;
}

export interface RemoteOpenOptions extends OpenOptions {
  /** Keepalive toward the server (used only if the server supports it); false disables. Default 5 s × 5. */
  keepalive?: KeepaliveSettings | false | undefined;
  /** SASL credentials; without them libvirt's auth.conf is consulted. */
  credentials?: SaslCredentials | undefined;
}

export const DEFAULT_KEEPALIVE: KeepaliveSettings = { intervalMs: 5000, count: 5 };

export async function openRemoteDriver(uri: ConnectionUri, options: RemoteOpenOptions = {}): Promise<Driver> {
  const readonly = options.readonly === true;
  const channel = await openTransport({ uri, readonly, signal: options.signal });
  let driver: RemoteDriver | null = null;
  const client = new RpcClient(channel.stream, {
    endpoint: channel.endpoint,
    onEvent: (proc, payload) => driver?.handleEvent(proc, payload),
    onClosed: (reason) => driver?.handleClosed(reason),
  });
  try {
    await authenticate(client, uri, options);
    const keepalive = await supports(client, DrvFeature.PROGRAM_KEEPALIVE);
    await client.call(P.CONNECT_OPEN, { name: serverSideName(uri), flags: readonly ? RemoteOpenFlags.RO : 0 });
    const eventCallbacks = await supports(client, DrvFeature.REMOTE_EVENT_CALLBACK);
    driver = new RemoteDriver({ client, uriText: uri.text, transportSecure: channel.secure, eventCallbacks });
    const settings = options.keepalive ?? DEFAULT_KEEPALIVE;
    if (keepalive && settings) client.startKeepalive(settings.intervalMs, settings.count);
    return driver;
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** AUTH_LIST, then whatever it asks for (none, or SASL SCRAM-SHA-256: lib/auth/sasl-client.ts). */
async function authenticate(client: RpcClient, uri: ConnectionUri, options: RemoteOpenOptions): Promise<void> {
  let types: AuthType[];
  try {
    types = (await client.call(P.AUTH_LIST, undefined)).types;
  } catch (err) {
    // A server too old to know AUTH_LIST needs no authentication (libvirt's rule).
    if (err instanceof XvirtError && err.number === ErrorNumber.NO_SUPPORT) return;
    throw err;
  }
  const caller = { call: (proc: number, args: unknown) => client.call(proc as P.AUTH_SASL_INIT, args as never) };
  await authenticateWith(caller, types, uri, options.credentials ? { credentials: options.credentials } : {});
}

/** CONNECT_SUPPORTS_FEATURE; any error means "no", as in libvirt. */
async function supports(client: RpcClient, feature: DrvFeature): Promise<boolean> {
  try {
    return (await client.call(P.CONNECT_SUPPORTS_FEATURE, { feature })).supported;
  } catch (err) {
    if (!client.alive) throw err;
    return false;
  }
}
