/**
 * xvirtd's admission helpers from the native addon (native/sock_admin.c):
 * SO_PEERCRED on an accepted unix socket, raising RLIMIT_NOFILE, and giving
 * the C heap's free pages back after a burst. Node exposes none of them.
 * When the addon is not built these report "unavailable" (null) instead of
 * failing: the daemon serves without them.
 */
import type * as net from 'node:net';
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';
import { loadAddonBinary } from './native-addon';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

export interface FileLimit {
  soft: number;
  hard: number;
}

interface SocketAddon {
  peerCredentials(fd: number): PeerCredentials;
  raiseFileLimit(): FileLimit;
  /** Added after the two above: an addon built before it lacks it. */
  trimHeap?(): boolean;
}

let cached: SocketAddon | null | undefined;
let whyUnavailable = '';

/** The addon's socket functions, or null (with the reason in `socketAddonUnavailable()`). */
function socketAddon(): SocketAddon | null {
  if (cached !== undefined) return cached;
  try {
    const a = loadAddonBinary() as Partial<SocketAddon>;
    if (typeof a.peerCredentials !== 'function' || typeof a.raiseFileLimit !== 'function') {
      throw new Error('the addon predates peerCredentials/raiseFileLimit: rebuild it');
    }
    cached = a as SocketAddon;
  } catch (err) {
    whyUnavailable = (err as Error).message;
    cached = null;
  }
  return cached;
}

/** Why the native socket helpers are unavailable ('' when they are available). */
export function socketAddonUnavailable(): string {
  socketAddon();
  return whyUnavailable;
}

/** The descriptor behind a Node socket (a unix or TCP handle on Linux), or null. */
export function socketFd(socket: net.Socket): number | null {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : null;
}

/**
 * The peer process of an accepted unix socket as the kernel recorded it at connect time;
 * null when the addon is unavailable. Fails with INVALID_ARG when the socket has no
 * descriptor and SYSTEM_ERROR when the kernel refuses (not a unix socket, already closed).
 */
export function peerCredentials(socket: net.Socket): PeerCredentials | null {
  const fd = socketFd(socket);
  if (fd === null) throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, 'socket: no open descriptor');
  const addon = socketAddon();
  if (!addon) return null;
  try {
    return addon.peerCredentials(fd);
  } catch (err) {
    throw XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, (err as Error).message, { cause: err });
  }
}

/** Raises the open-file soft limit to the hard limit; returns both, or null when the addon is unavailable. */
export function raiseFileLimit(): FileLimit | null {
  const addon = socketAddon();
  if (!addon) return null;
  try {
    return addon.raiseFileLimit();
  } catch (err) {
    throw XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, (err as Error).message, { cause: err });
  }
}

/**
 * Gives the C heap's free pages back to the kernel (glibc's malloc_trim). Node's allocator keeps what a burst of
 * clients freed (socket buffers, V8's off-heap data) for reuse; after mixed load that was ~24 MiB of RSS on
 * xvirtd. True if pages were released, false if none were, null without the addon (or one built before this).
 */
export function trimHeap(): boolean | null {
  const addon = socketAddon();
  return addon?.trimHeap ? addon.trimHeap() : null;
}
