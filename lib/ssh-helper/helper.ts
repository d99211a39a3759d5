/**
 * xvirt-ssh-helper: the far end of the ssh transport, counterpart of libvirt's
 * virt-ssh-helper. sshd runs it as the logged-in user; it connects to
 * xvirtd's unix socket and copies bytes verbatim between its stdin/stdout
 * and the socket (RPC framing over the pipe is identical to the socket's).
 * The daemon then sees a local client with the ssh user's credentials, so
 * the socket permissions decide what that user may do.
 *
 * Two command lines:
 *   xvirt-ssh-helper [-r|--readonly] URI    (virt-ssh-helper's)
 *   xvirt-ssh-helper [-q0] -U SOCKET        (nc's, for libvirt's netcat mode)
 * In URI mode the socket is the URI's `socket` parameter, else
 * $XVIRTD_SOCK (or $XVIRTD_SOCK_RO with -r), else the system daemon's socket
 * (or, for `/session` URIs or when no system daemon runs, the user's own).
 * The copying is done by `nc -U` when the system has one (netcat.ts), else here.
 */
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { defaultSocketDir, SYSTEM_SOCKET_DIR } from '../daemon/config';
import { parseUri, uriParam } from '../uri';
import { findNetcat, runNetcat } from './netcat';
import { XVIRT_VERSION } from '../version';

export interface HelperArgs {
  socket: string;
  readonly: boolean;
}

export const USAGE = 'usage: xvirt-ssh-helper [-r|--readonly] URI\n       xvirt-ssh-helper [-q0] -U SOCKET';

export class UsageError extends Error {}

/** Parses either command line; throws UsageError with a message naming what is wrong. */
export function parseHelperArgs(argv: readonly string[], env: NodeJS.ProcessEnv): HelperArgs {
  let readonly = false;
  let socket: string | null = null;
  let uriText: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-r' || a === '--readonly') readonly = true;
    else if (a === '-U') {
      socket = argv[++i] ?? null;
      if (!socket) throw new UsageError('-U needs a socket path');
    } else if (a === '-q')
      i++; // nc's quit timeout takes an argument; we end when either side does.
    else if (/^-q\d+$/.test(a)) continue;
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else if (uriText === null) uriText = a;
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  if (socket !== null) {
    if (uriText !== null) throw new UsageError('give either -U SOCKET or a URI, not both');
    return { socket, readonly };
  }
  if (uriText === null) throw new UsageError('missing URI');
  const uri = parseUri(uriText);
  const explicit = uriParam(uri, 'socket');
  const fromEnv = readonly ? env.XVIRTD_SOCK_RO : env.XVIRTD_SOCK;
  const name = `xvirtd-sock${readonly ? '-ro' : ''}`;
  return { socket: explicit || fromEnv || defaultSocket(uri.path, name, existsSync), readonly };
}

/**
 * Which daemon a URI without `socket=` means on this host: a `/session` URI
 * is the user's own daemon; anything else is the system daemon when it is
 * running (so a non-root ssh user reaches root's xvirtd, through the
 * read-only socket unless allowed more), else the user's.
 */
export function defaultSocket(path: string, name: string, exists: (p: string) => boolean): string {
  const system = join(SYSTEM_SOCKET_DIR, name);
  if (path !== '/session' && exists(system)) return system;
  // For root this is SYSTEM_SOCKET_DIR too, so root always gets the system socket.
  return join(defaultSocketDir(), name);
}

/**
 * Connects and copies until either side ends. Resolves with the exit status:
 * 0 after a normal end, 1 when the socket could not be reached or broke.
 */
export function runHelper(args: HelperArgs, stdin: Readable, stdout: Writable, stderr: Writable): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(args.socket);
    let connected = false;
    let finished = false;
    const finish = (code: number, message?: string): void => {
      if (finished) return;
      finished = true;
      if (message) stderr.write(`xvirt-ssh-helper: ${message}\n`);
      stdin.unpipe(socket);
      socket.destroy();
      stdout.end?.();
      resolve(code);
    };
    socket.once('connect', () => {
      connected = true;
      socket.setNoDelay?.(true);
      stdin.pipe(socket);
      socket.pipe(stdout, { end: false });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        1,
        connected
          ? `connection to ${args.socket} failed: ${err.message}`
          : `cannot connect to ${args.socket}: ${err.code === 'ENOENT' ? 'no such socket (is xvirtd running?)' : err.message}`,
      ),
    );
    // The daemon hung up: pass the end on to ssh. The client hung up: half-close towards the daemon.
    socket.on('end', () => finish(0));
    socket.on('close', () => finish(0));
    stdin.on('end', () => {
      if (connected) socket.end();
      else finish(0);
    });
    stdout.on('error', () => finish(0));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write(`${USAGE}\nBridges ssh's stdin/stdout to xvirtd's unix socket (see docs/security.md).\n`);
    return 0;
  }
  if (argv[0] === '-V' || argv[0] === '--version') {
    process.stdout.write(`xvirt-ssh-helper ${XVIRT_VERSION}\n`);
    return 0;
  }
  let args: HelperArgs;
  try {
    args = parseHelperArgs(argv, process.env);
  } catch (err) {
    process.stderr.write(`xvirt-ssh-helper: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const nc = findNetcat(process.env);
  if (nc) return runNetcat(nc, args.socket, process.stderr);
  return runHelper(args, process.stdin, process.stdout, process.stderr);
}
