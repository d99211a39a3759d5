/**
 * What a daemon client's listener knows about who is on the other end: the
 * verified certificate of a TLS client, the process behind a unix socket
 * (looked up in the background, peercred.ts), or just the address.
 */
import type * as net from 'node:net';
import type { ListenerPolicy } from '../daemon/listeners';
import { lookupUnixPeer } from './peercred';
import type { PeerIdentity } from './session-auth';
import type { TlsPeerIdentity } from './tls-server';

const tlsPeers = new WeakMap<net.Socket, TlsPeerIdentity>();

/** Called by the TLS listener for each client that passed its checks. */
export function rememberTlsPeer(socket: net.Socket, peer: TlsPeerIdentity): void {
  tlsPeers.set(socket, peer);
}

export function peerIdentity(socket: net.Socket, policy: ListenerPolicy): PeerIdentity {
  const hangUp = (): void => { socket.destroy(); };
  const tls = tlsPeers.get(socket);
  if (tls) return { listener: policy.kind, address: tls.remoteAddress, x509dn: tls.dn, hangUp };
  if (policy.kind === 'unix-rw' || policy.kind === 'unix-ro') {
    return { listener: policy.kind, address: 'local', peerLookup: lookupUnixPeer(socket), hangUp };
  }
  return { listener: policy.kind, address: `${socket.remoteAddress}:${socket.remotePort}`, hangUp };
}
