/**
 * Runs one command line through the real virsh and through xvirt on the same
 * URI and asserts the same exit status, stderr and stdout, byte for byte: the
 * line-for-line comparisons of the CLI tests.
 */
import type { Test } from 'tap';
import { xvirt, type RunResult } from './cli';
import { runVirsh } from './virsh';

export async function compareWithVirsh(t: Test, uri: string, args: string[]): Promise<void> {
  const [theirs, ours]: RunResult[] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
  const what = args.join(' ');
  t.equal(ours.code, theirs.code, `${what}: same exit status (virsh stderr: ${theirs.stderr})`);
  t.equal(ours.stderr, theirs.stderr, `${what}: same stderr`);
  t.equal(ours.stdout, theirs.stdout, `${what}: same stdout`);
}

/**
 * Compares every command line, three at a time: each run starts from the
 * URI's initial state, so order does not matter, and three pairs of processes
 * keep a 2-core machine busy without starving the rest of the suite.
 */
export async function compareAllWithVirsh(t: Test, uri: string, all: string[][]): Promise<void> {
  for (let i = 0; i < all.length; i += 3) {
    await Promise.all(all.slice(i, i + 3).map((args) => compareWithVirsh(t, uri, args)));
  }
}
