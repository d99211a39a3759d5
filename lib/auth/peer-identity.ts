/**
 * What a daemon client's listener knows about who is on the other end: the
 * verified certificate of a TLS client, the process behind a unix socket
 * (looked up in the background, peercred.ts), or just the address.
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { ListenerPolicy } from '../daemon/listeners';
import { lookupUnixPeer } from './peercred';
import type { PeerIdentity } from './session-auth';
import { tlsPeerIdentity } from './tls-server';

export function peerIdentity(socket: net.Socket, policy: ListenerPolicy): PeerIdentity {
  const hangUp = (): void => { socket.destroy(); };
  // A TLS client reaches the daemon only after tls-server.ts accepted it; its socket still holds the certificate.
  if (socket instanceof tls.TLSSocket) {
    const peer = tlsPeerIdentity(socket);
    return { listener: policy.kind, address: peer.remoteAddress, x509dn: peer.dn, hangUp };
  }
  if (policy.kind === 'unix-rw' || policy.kind === 'unix-ro') {
    return { listener: policy.kind, address: 'local', peerLookup: lookupUnixPeer(socket), hangUp };
  }
  return { listener: policy.kind, address: `${socket.remoteAddress}:${socket.remotePort}`, hangUp };
}
