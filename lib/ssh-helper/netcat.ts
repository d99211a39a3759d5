/**
 * The helper's fast path: once xvirt-ssh-helper has resolved which socket to
 * use, the byte copying itself can be left to the system's OpenBSD-style
 * `nc -U` (what libvirt's netcat mode runs), started with ssh's stdin/stdout
 * as its own. A round trip then crosses no JavaScript on the far side, which
 * measured about twice as fast as copying in Node (bench/secure.js, ssh rows).
 * Without a suitable nc the helper copies in Node.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export interface Netcat {
  path: string;
  /** -q0 for netcats that otherwise wait after stdin's EOF (libvirt's probe). */
  args: string[];
}

/** Finds an nc that speaks -U, or null. `XVIRT_SSH_HELPER_COPY=node` forces the Node path. */
export function findNetcat(env: NodeJS.ProcessEnv): Netcat | null {
  if (env.XVIRT_SSH_HELPER_COPY === 'node') return null;
  const path = env.XVIRT_SSH_HELPER_NC || 'nc';
  const help = spawnSync(path, ['-h'], { encoding: 'utf8', timeout: 2000 });
  if (help.error || !/^\s*-U\b/m.test(`${help.stdout}${help.stderr}`)) return null;
  const q = spawnSync(path, ['-q'], { encoding: 'utf8', timeout: 2000 });
  return { path, args: /requires an argument/.test(`${q.stdout}${q.stderr}`) ? ['-q0'] : [] };
}

/**
 * Checks the socket the way a connect would fail (so the error message is
 * ours, not nc's), then runs nc on it. Resolves with nc's exit status.
 */
export function runNetcat(nc: Netcat, socket: string, stderr: NodeJS.WritableStream): Promise<number> {
  try {
    if (!statSync(socket).isSocket()) throw new Error('not a socket');
    accessSync(socket, constants.W_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    stderr.write(
      `xvirt-ssh-helper: cannot connect to ${socket}: ${e.code === 'ENOENT' ? 'no such socket (is xvirtd running?)' : e.message}\n`,
    );
    return Promise.resolve(1);
  }
  return new Promise((resolve) => {
    const child = spawn(nc.path, [...nc.args, '-U', socket], { stdio: 'inherit' });
    child.on('error', (err) => {
      stderr.write(`xvirt-ssh-helper: cannot run ${nc.path}: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
