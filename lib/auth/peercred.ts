/**
 * Who is on the other end of an accepted unix socket: the kernel's SO_PEERCRED
 * record (pid, uid, gid at connect time), read in-process through the native
 * addon (lib/native-sockets.ts) with one getsockopt, as libvirtd does. No
 * process is ever spawned per client. When the addon is not built the daemon
 * says so once and serves without peer credentials.
 *
 * This is a record for the log, not an access check: access to a socket is
 * decided by its file permissions (read-write socket 0700 root, read-only
 * 0777), exactly as with libvirtd's unix sockets without polkit.
 */
import type * as net from 'node:net';
import { peerCredentials, socketAddonUnavailable } from '../native-sockets';

export interface UnixPeer {
  pid: number;
  uid: number;
  gid: number;
}

let warnedUnavailable = false;

/**
 * The peer process of a unix socket, or null when it cannot be told (addon not built:
 * `warn` is called once per process with the reason; socket already closed).
 */
export function readUnixPeer(socket: net.Socket, warn: (message: string) => void): UnixPeer | null {
  let cred;
  try {
    cred = peerCredentials(socket);
  } catch {
    return null; // the peer is gone or the descriptor closed: the session notices the close itself
  }
  if (cred === null && !warnedUnavailable) {
    warnedUnavailable = true;
    warn(
      `unix peer credentials are unavailable (the native addon is not loaded: ${socketAddonUnavailable()}); ` +
        'clients are served without them',
    );
  }
  return cred;
}
