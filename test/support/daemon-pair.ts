/**
 * xvirtd and libvirtd side by side on the same test-driver node file: the
 * URIs a comparison test gives its two clients (each connection to a node
 * file opens a fresh test driver on either daemon).
 */
import type { Test } from 'tap';
import { nodeFileUri, tempDir, type GuestSpec } from './cli';
import { startLibvirtd } from './libvirtd';
import { startXvirtd } from './xvirtd';

/** The vCPU pinning tests' node file: a running guest with three vCPUs and a shut-off one with two. */
export const PINNING_GUESTS: readonly GuestSpec[] = [
  { name: 'web', uuid: '11111111-2222-3333-4444-555555555555', runstate: 1, vcpus: 3 },
  { name: 'cold', uuid: '31111111-2222-3333-4444-555555555555', runstate: 5, vcpus: 2 },
];

export async function daemonsOnNodeFile(
  t: Test,
  guests: readonly GuestSpec[],
): Promise<{ ours: string; theirs: string }> {
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const file = nodeFileUri(tempDir(t), guests);
  return { ours: xd.uri('unix', file), theirs: lv.unixUri({ path: file.slice('test://'.length) }) };
}
