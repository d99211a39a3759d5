/**
 * Who is on the other end of an accepted unix socket. libvirtd asks the
 * kernel with SO_PEERCRED; Node exposes neither that nor SCM_CREDENTIALS, so
 * xvirtd asks the kernel's sock_diag interface through iproute2's `ss`:
 * our fd → its inode (/proc/self/fd) → the peer socket's inode (ss -x) → the
 * process holding that inode (ss -p, root only) → its uid (/proc/PID/status).
 *
 * This is a record for the log, not an access check: access to a socket is
 * decided by its file permissions (read-write socket 0700 root, read-only
 * 0777), exactly as with libvirtd's unix sockets without polkit. The lookup
 * runs after accept, off the request path, and can come back empty (the
 * peer already exited, `ss` missing, not root).
 */
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import type * as net from 'node:net';

export interface UnixPeer {
  pid: number;
  uid: number;
  /** The peer process's command name (from ss), e.g. 'virsh'. */
  command: string;
}

/** The kernel inode of a socket we hold, or null when Node does not expose its fd. */
function socketInode(socket: net.Socket): string | null {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Parses `ss -xpnH` lines into local inode → { peer inode, first process }. */
export function parseSs(output: string): Map<string, { peer: string; pid: number | null; command: string | null }> {
  const rows = new Map<string, { peer: string; pid: number | null; command: string | null }>();
  for (const line of output.split('\n')) {
    // u_str ESTAB 0 0 /path 12345 * 12346 users:(("virsh",pid=77,fd=3))
    const m = /^\S+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+(\d+)(?:\s+users:\(\("([^"]*)",pid=(\d+))?/.exec(line.trim());
    if (m) rows.set(m[1]!, { peer: m[2]!, command: m[3] ?? null, pid: m[4] ? Number(m[4]) : null });
  }
  return rows;
}

function uidOf(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Lookups waiting for the next `ss` run: one run serves every connection accepted meanwhile. */
let waiting: Array<{ inode: string; resolve: (peer: UnixPeer | null) => void }> = [];
const BATCH_MS = 20;

function runBatch(): void {
  const batch = waiting;
  waiting = [];
  execFile('ss', ['-xpnH'], { timeout: 5000, maxBuffer: 64 << 20 }, (err, stdout) => {
    const rows = err ? new Map() : parseSs(stdout);
    for (const { inode, resolve } of batch) {
      const peer = rows.get(rows.get(inode)?.peer ?? '');
      const uid = peer?.pid ? uidOf(peer.pid) : null;
      resolve(uid === null ? null : { pid: peer!.pid!, uid, command: peer!.command ?? '?' });
    }
  });
}

/** Resolves with the peer process of a unix socket, or null when it cannot be told. */
export function lookupUnixPeer(socket: net.Socket): Promise<UnixPeer | null> {
  const inode = socketInode(socket);
  if (!inode) return Promise.resolve(null);
  return new Promise((resolve) => {
    if (waiting.length === 0) setTimeout(runBatch, BATCH_MS).unref();
    waiting.push({ inode, resolve });
  });
}
