/**
 * Runs a scenario script (a .ts file under test/support) in a child node
 * process inside fresh Linux namespaces made by `unshare`, so what it does to
 * interfaces, firewall tables or mounts never reaches the host, and returns
 * its exit code and output (a JSON report the test asserts).
 */
import { spawn } from 'node:child_process';
import { isXvirtError } from '../../lib/errors';

/** `unshare` options, then `sh -c` setup run inside before node starts (e.g. remounting /sys). */
export async function runInNamespaces(
  unshareArgs: string[],
  setup: string,
  script: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    'unshare',
    [...unshareArgs, 'sh', '-c', `${setup} exec "$@"`, 'sh', process.execPath, ...process.execArgv, script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, err };
}

/** A call's outcome as the report records it: 'ok', or "<libvirt error number>: <message>". */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return isXvirtError(err) ? `${err.number}: ${err.message}` : `not an XvirtError: ${String(err)}`;
  }
}
