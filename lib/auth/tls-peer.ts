/**
 * Who a TLS client is, read from its socket: tls-server.ts when it accepts the client, the daemon's session again
 * (peer-identity.ts). Types only from node:tls, so reading it loads nothing a daemon without TLS would not need.
 */
import type * as tls from 'node:tls';
import { subjectToDn } from './dn-allowlist';

/** Who a TLS client proved to be. */
export interface TlsPeerIdentity {
  /** Subject DN, RDNs in certificate order, comma-joined ('' when unverified). */
  dn: string;
  remoteAddress: string;
}

/** Reads the identity of an accepted TLS client. */
export function tlsPeerIdentity(socket: tls.TLSSocket): TlsPeerIdentity {
  const peerCert = socket.getPeerX509Certificate();
  return {
    dn: peerCert ? subjectToDn(peerCert.subject) : '',
    remoteAddress: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
  };
}
