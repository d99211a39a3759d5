// Shared helpers of the test-driver tests (not a test file itself).
import { connect, type Connection, type LifecycleEvent, type OpenOptions } from '../../lib';

export const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

/** A connection closed at teardown: the shared test:///default state resets once every connection has closed. */
export async function open(
  t: { teardown(fn: () => unknown): void },
  uri = 'test:///default',
  options: OpenOptions = {},
): Promise<Connection> {
  const conn = await connect(uri, options);
  t.teardown(() => conn.close());
  return conn;
}

/** A small test-driver guest: 64 MiB, `vcpus` vCPUs, hvm, plus `extra` elements. */
export function guestXml(name: string, extra = '', uuid?: string, vcpus = 2): string {
  return `<domain type='test'><name>${name}</name>${uuid ? `<uuid>${uuid}</uuid>` : ''}
    <memory unit='MiB'>64</memory><vcpu>${vcpus}</vcpu><os><type>hvm</type></os>${extra}</domain>`;
}

export async function names(conn: Connection, flags = 0): Promise<string[]> {
  return (await conn.listAllDomains(flags)).map((d) => d.name);
}

/** Collects lifecycle events as [name, event, detail] triples. */
export async function recordEvents(conn: Connection): Promise<Array<[string, number, number]>> {
  const seen: Array<[string, number, number]> = [];
  await conn.onLifecycle((ev: LifecycleEvent) => seen.push([ev.domain.name, ev.event, ev.detail]));
  return seen;
}

/** Lets queued lifecycle events reach their listeners. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
