/**
 * What a daemon client's listener knows about who is on the other end: the
 * verified certificate of a TLS client, the process behind a unix socket
 * (SO_PEERCRED, peercred.ts), or just the address. Node's tls module is not
 * loaded here (types only): a daemon without a TLS listener never needs it.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { readUnixPeer, type UnixPeer } from './peercred';
import type { PeerIdentity } from './session-auth';
import { tlsPeerIdentity } from './tls-peer';

/** The daemon's kinds of listening socket (lib/daemon/listeners.ts). */
export type ListenerKind = 'unix-rw' | 'unix-ro' | 'tcp' | 'tls';

/**
 * A client's identity, holding its socket for hangUp (a method: a closure per client would stay allocated for as
 * long as the client is connected).
 */
class SocketPeer implements PeerIdentity {
  readonly client: number;
  readonly listener: ListenerKind;
  readonly address: string;
  readonly x509dn: string | undefined;
  saslUser: string | undefined = undefined;
  readonly unixPeer: UnixPeer | null | undefined;
  readonly #socket: net.Socket;

  constructor(
    socket: net.Socket,
    client: number,
    listener: ListenerKind,
    address: string,
    x509dn?: string,
    unixPeer?: UnixPeer | null,
  ) {
    this.#socket = socket;
    this.client = client;
    this.listener = listener;
    this.address = address;
    this.x509dn = x509dn;
    this.unixPeer = unixPeer;
  }

  hangUp(): void {
    this.#socket.destroy();
  }
}

/** `client` is the daemon's number for the client, carried by every log line about it. */
export function peerIdentity(
  socket: net.Socket,
  policy: { readonly kind: ListenerKind },
  client: number,
  log: { warn(message: string): void },
): PeerIdentity {
  // A TLS client reaches the daemon only after tls-server.ts accepted it; its socket still holds the certificate.
  if (policy.kind === 'tls') {
    const peer = tlsPeerIdentity(socket as tls.TLSSocket);
    return new SocketPeer(socket, client, policy.kind, peer.remoteAddress, peer.dn);
  }
  if (policy.kind === 'unix-rw' || policy.kind === 'unix-ro') {
    const unixPeer = readUnixPeer(socket, (m) => log.warn(m));
    return new SocketPeer(socket, client, policy.kind, 'local', undefined, unixPeer);
  }
  return new SocketPeer(socket, client, policy.kind, `${socket.remoteAddress}:${socket.remotePort}`);
}
