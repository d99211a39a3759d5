/** Loopback ports for tests' private daemons. */
import type { ChildProcess } from 'node:child_process';
import * as net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A unix socket path, or a TCP port on 127.0.0.1. */
export type ListenTarget = string | number;

/** Whether something accepts a connection on `target` right now. */
export function canConnect(target: ListenTarget): Promise<boolean> {
  return new Promise((resolve) => {
    const s = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect({ path: target });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface WaitListeningOptions {
  /** Names the daemon in errors, e.g. 'libvirtd'. */
  what: string;
  timeoutMs: number;
  /** The daemon's output so far, appended to errors. */
  log: () => string;
}

/**
 * Polls `target` every 50 ms until it accepts a connection; throws (with the
 * daemon's log) if `child` exits first or `timeoutMs` passes.
 */
export async function waitListening(
  target: ListenTarget,
  child: ChildProcess,
  { what, timeoutMs, log }: WaitListeningOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(target))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) during startup:\n${log()}`);
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not listen on ${target} within ${timeoutMs / 1000} s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
