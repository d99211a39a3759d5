/**
 * What a daemon client's listener knows about who is on the other end: the
 * verified certificate of a TLS client, the process behind a unix socket
 * (SO_PEERCRED, peercred.ts), or just the address. Node's tls module is not
 * loaded here (types only): a daemon without a TLS listener never needs it.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { readUnixPeer } from './peercred';
import type { PeerIdentity } from './session-auth';
import { tlsPeerIdentity } from './tls-peer';

/** The daemon's kinds of listening socket (lib/daemon/listeners.ts). */
export type ListenerKind = 'unix-rw' | 'unix-ro' | 'tcp' | 'tls';

/** `client` is the daemon's number for the client, carried by every log line about it. */
export function peerIdentity(
  socket: net.Socket,
  policy: { readonly kind: ListenerKind },
  client: number,
  warn: (message: string) => void,
): PeerIdentity {
  const hangUp = (): void => {
    socket.destroy();
  };
  // A TLS client reaches the daemon only after tls-server.ts accepted it; its socket still holds the certificate.
  if (policy.kind === 'tls') {
    const peer = tlsPeerIdentity(socket as tls.TLSSocket);
    return { client, listener: policy.kind, address: peer.remoteAddress, x509dn: peer.dn, hangUp };
  }
  if (policy.kind === 'unix-rw' || policy.kind === 'unix-ro') {
    return { client, listener: policy.kind, address: 'local', unixPeer: readUnixPeer(socket, warn), hangUp };
  }
  return { client, listener: policy.kind, address: `${socket.remoteAddress}:${socket.remotePort}`, hangUp };
}
