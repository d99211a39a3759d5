/**
 * xvirtd's TLS listener (listen_tls = 1): lib/auth/tls-server.ts with the
 * daemon's config and logger. Clients reach the daemon's session code only
 * after every certificate check passed and the 0x01 byte was sent.
 */
import type * as net from 'node:net';
import type { DaemonConfig } from '../daemon/config';
import { ListenError, type Listener, type ListenerPolicy } from '../daemon/listeners';
import { rememberTlsPeer } from './peer-identity';
import { createTlsServer, type SecurityLogger } from './tls-server';

export async function listenTls(cfg: DaemonConfig, onConnection: (socket: net.Socket, policy: ListenerPolicy) => void,
  log: SecurityLogger): Promise<Listener> {
  const sec = cfg.security;
  const policy: ListenerPolicy = { kind: 'tls', readonly: false, auth: sec.authTls, secure: true };
  let server: ReturnType<typeof createTlsServer>;
  try {
    server = createTlsServer({
      caFile: sec.caFile, certFile: sec.certFile, keyFile: sec.keyFile, crlFile: sec.crlFile || null,
      allowedDnList: sec.tlsAllowedDnList, noVerifyCertificate: sec.tlsNoVerifyCertificate,
    }, (socket, peer) => {
      rememberTlsPeer(socket, peer);
      onConnection(socket, policy);
    }, log);
  } catch (err) {
    // Unreadable or invalid files, a key that does not match the certificate...
    throw new ListenError(`cannot start the TLS listener: ${(err as Error).message}`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ListenError(`cannot listen on ${sec.tlsListenAddr}:${sec.tlsPort} (TLS): ${err.message}`)));
    server.listen({ host: sec.tlsListenAddr, port: sec.tlsPort, backlog: 511 }, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
  return { policy, server, address: shown, cleanup: () => undefined };
}
