/**
 * One API test suite for every path to `test:///default`: the in-process
 * test driver, a real libvirtd through xvirt's remote client, xvirtd. The
 * expected values are libvirt 9.0's test driver's, so every backend must
 * answer exactly as libvirt does.
 *
 *   await apiConformance(t, { label: 'libvirtd', open: (o) => connect(lvd.unixUri(), o) });
 */
import os from 'node:os';
import type { Test } from 'tap';
import { Connection, Domain, type LifecycleEvent } from '../../lib/connection';
import {
  DomainEventType as Ev,
  DomainState,
  ListDomainsFlags,
  DomainEventDefinedDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventSuspendedDetail,
  DomainEventResumedDetail,
  DomainEventUndefinedDetail,
} from '../../lib/constants';
import { ErrorNumber, XvirtError } from '../../lib/errors';
import type { OpenOptions } from '../../lib/types';

export interface ConformanceTarget {
  /** Short name for test titles and the domains the suite creates. */
  label: string;
  /** Opens a connection to test:///default through the path under test. */
  open(options?: OpenOptions): Promise<Connection>;
}

/** libvirt 9.0 test driver's default domain. */
export const DEFAULT_DOMAIN = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };

function domainXml(name: string): string {
  return (
    `<domain type='test'><name>${name}</name><memory unit='KiB'>131072</memory>` +
    `<vcpu>1</vcpu><os><type arch='i686'>hvm</type></os></domain>`
  );
}

/** `call` must fail with an XvirtError of `number` (thrown or rejected: both count as failing). */
async function rejectsWith(t: Test, call: () => Promise<unknown>, number: ErrorNumber, what: string): Promise<void> {
  await t.rejects(async () => call(), { name: 'XvirtError', number }, what);
}

/** Error numbers for "wrong state for this call" (libvirt's test driver: 1, hypervisor drivers: 55). */
const STATE_CONFLICT = new RegExp(`^(${ErrorNumber.INTERNAL_ERROR}|${ErrorNumber.OPERATION_INVALID})$`);

/** Records events; `waitFor` resolves once `n` matching ones arrived (fails after 5 s). */
class EventLog {
  readonly events: Array<[string, Ev, number]> = [];
  push(e: LifecycleEvent): void {
    this.events.push([e.domain.name, e.event, e.detail]);
  }
  async waitFor(name: string, n: number): Promise<Array<[Ev, number]>> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const mine = this.events.filter(([d]) => d === name).map(([, ev, detail]) => [ev, detail] as [Ev, number]);
      if (mine.length >= n || Date.now() > deadline) return mine;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export async function apiConformance(t: Test, target: ConformanceTarget): Promise<void> {
  /** A connection closed at the end of `tt`, after removing the domains registered with `leftover`. */
  const leftovers = new WeakMap<Connection, string[]>();
  const open = async (tt: Test, options?: OpenOptions): Promise<Connection> => {
    const conn = await target.open(options);
    leftovers.set(conn, []);
    tt.teardown(async () => {
      for (const name of leftovers.get(conn)!) await cleanup(conn, name);
      await conn.close();
    });
    return conn;
  };
  const leftover = (c: Connection, name: string): void => {
    leftovers.get(c)!.push(name);
  };
  const unique = (what: string): string => `xvc-${target.label}-${what}-${process.pid}-${Date.now() % 100000}`;

  await t.test(`${target.label}: connection facts match libvirt's test driver`, async (tt) => {
    const c = await open(tt);
    tt.equal(await c.getType(), 'TEST');
    tt.equal(await c.getVersion(), 2);
    const lib = await c.getLibVersion();
    tt.ok(Number.isInteger(lib) && lib > 0, `lib version ${lib}`);
    tt.equal(await c.getHostname(), os.hostname());
    tt.same(await c.getNodeInfo(), {
      model: 'i686',
      memoryKiB: 3145728,
      cpus: 16,
      mhz: 1400,
      nodes: 2,
      sockets: 2,
      cores: 2,
      threads: 2,
    });
    tt.equal(await c.getMaxVcpus(null), 32);
    tt.match(await c.getCapabilities(), /<capabilities>[\s\S]*<arch>i686<\/arch>[\s\S]*<\/capabilities>/);
    tt.equal(typeof (await c.isSecure()), 'boolean');
    tt.ok(c.isAlive());
  });

  await t.test(`${target.label}: list and lookups`, async (tt) => {
    const c = await open(tt);
    const all = await c.listAllDomains();
    tt.ok(
      all.some((d) => d.name === 'test'),
      'default domain listed',
    );
    const active = await c.listAllDomains(ListDomainsFlags.ACTIVE);
    tt.same(active.find((d) => d.name === 'test')?.ref, DEFAULT_DOMAIN, 'active list carries name, uuid, id');
    tt.notOk(
      (await c.listAllDomains(ListDomainsFlags.INACTIVE)).some((d) => d.name === 'test'),
      'not inactive',
    );
    tt.same((await c.lookupDomainByName('test')).ref, DEFAULT_DOMAIN);
    tt.same((await c.lookupDomainById(1)).ref, DEFAULT_DOMAIN);
    tt.same((await c.lookupDomainByUUID(DEFAULT_DOMAIN.uuid.toUpperCase())).ref, DEFAULT_DOMAIN);
    await rejectsWith(tt, () => c.lookupDomainByName('no-such-domain'), ErrorNumber.NO_DOMAIN, 'unknown name');
    await rejectsWith(tt, () => c.lookupDomainById(99999), ErrorNumber.NO_DOMAIN, 'unknown id');
    await rejectsWith(
      tt,
      () => c.lookupDomainByUUID('00000000-0000-0000-0000-0000000000ff'),
      ErrorNumber.NO_DOMAIN,
      'unknown uuid',
    );
    await rejectsWith(tt, () => c.lookupDomainByUUID('not-a-uuid'), ErrorNumber.INVALID_ARG, 'malformed uuid');
  });

  await t.test(`${target.label}: default domain info`, async (tt) => {
    const c = await open(tt);
    const d = await c.lookupDomainByName('test');
    const info = await d.getInfo();
    tt.equal(info.state, DomainState.RUNNING);
    tt.equal(info.maxMemKiB, 8388608);
    tt.equal(info.memoryKiB, 2097152);
    tt.equal(info.nrVirtCpu, 2);
    tt.equal(typeof info.cpuTimeNs, 'bigint');
    tt.same(await d.getState(), { state: DomainState.RUNNING, reason: 0 /* unknown, as libvirt's */ });
    // libvirt's test driver reports 'linux' whatever the XML says.
    tt.equal(await d.getOSType(), 'linux');
    tt.equal(await d.getMaxMemory(), 8388608);
    tt.equal(await d.isActive(), true);
    tt.equal(await d.isPersistent(), true);
    tt.equal(await d.getAutostart(), false);
    tt.match(await d.getXMLDesc(), /<name>test<\/name>[\s\S]*<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>/);
  });

  await t.test(`${target.label}: define, start, suspend, resume, destroy, undefine with events`, async (tt) => {
    const c = await open(tt);
    const log = new EventLog();
    const off = await c.onLifecycle((e) => log.push(e));
    const name = unique('life');
    const d = await c.defineXML(domainXml(name));
    leftover(c, name);
    tt.equal(d.name, name);
    tt.equal(d.id, -1, 'defined domain has no id');
    tt.equal(await d.isActive(), false);
    tt.equal(await d.isPersistent(), true);
    tt.same(await d.getState(), { state: DomainState.SHUTOFF, reason: 0 });
    tt.ok(
      (await c.listAllDomains(ListDomainsFlags.INACTIVE)).some((x) => x.name === name),
      'listed inactive',
    );
    // libvirt's test driver says INTERNAL_ERROR here where hypervisor drivers say OPERATION_INVALID: accept both.
    await tt.rejects(async () => d.suspend(), { name: 'XvirtError', number: STATE_CONFLICT }, 'suspend while shut off');

    await d.create();
    tt.ok(d.id > 0, `started with id ${d.id}`);
    tt.same((await c.lookupDomainById(d.id)).ref, d.ref, 'new id resolves');
    tt.same(await d.getState(), { state: DomainState.RUNNING, reason: 1 });
    await tt.rejects(async () => d.create(), { name: 'XvirtError', number: STATE_CONFLICT }, 'start while running');
    await d.suspend();
    tt.equal((await d.getInfo()).state, DomainState.PAUSED);
    await d.resume();
    tt.equal((await d.getInfo()).state, DomainState.RUNNING);
    await d.destroy();
    tt.same(await d.getState(), { state: DomainState.SHUTOFF, reason: 2 /* destroyed */ });
    tt.equal((await c.lookupDomainByName(name)).id, -1);
    await d.undefine();
    await rejectsWith(tt, () => c.lookupDomainByName(name), ErrorNumber.NO_DOMAIN, 'gone after undefine');

    tt.same(
      await log.waitFor(name, 6),
      [
        [Ev.DEFINED, DomainEventDefinedDetail.ADDED],
        [Ev.STARTED, DomainEventStartedDetail.BOOTED],
        [Ev.SUSPENDED, DomainEventSuspendedDetail.PAUSED],
        [Ev.RESUMED, DomainEventResumedDetail.UNPAUSED],
        [Ev.STOPPED, DomainEventStoppedDetail.DESTROYED],
        [Ev.UNDEFINED, DomainEventUndefinedDetail.REMOVED],
      ],
      'lifecycle events in order',
    );
    await off();
  });

  await t.test(`${target.label}: events reach other connections; stopping them stops delivery`, async (tt) => {
    const watcher = await open(tt);
    const actor = await open(tt);
    const log = new EventLog();
    const off = await watcher.onLifecycle((e) => log.push(e));
    const d = await actor.lookupDomainByName('test');
    await d.suspend();
    await d.resume();
    tt.same(
      await log.waitFor('test', 2),
      [
        [Ev.SUSPENDED, DomainEventSuspendedDetail.PAUSED],
        [Ev.RESUMED, DomainEventResumedDetail.UNPAUSED],
      ],
      'changes made on another connection',
    );
    await off();
    await d.suspend();
    await d.resume();
    await new Promise((r) => setTimeout(r, 200));
    tt.equal(log.events.length, 2, 'nothing after the listener was removed');
  });

  await t.test(`${target.label}: transient domains, shutdown, reboot, settings`, async (tt) => {
    const c = await open(tt);
    const name = unique('transient');
    const d = await c.createXML(domainXml(name));
    leftover(c, name);
    tt.ok(d.id > 0);
    tt.equal(await d.isPersistent(), false);
    await d.reboot();
    tt.equal((await d.getState()).state, DomainState.RUNNING, 'running after reboot');
    await d.setMemory(65536);
    tt.equal((await d.getInfo()).memoryKiB, 65536);
    await d.shutdown();
    await rejectsWith(
      tt,
      () => c.lookupDomainByName(name),
      ErrorNumber.NO_DOMAIN,
      'transient domain gone after shutdown',
    );

    const p = unique('persistent');
    const pd = await c.defineXML(domainXml(p));
    leftover(c, p);
    await pd.setAutostart(true);
    tt.equal(await pd.getAutostart(), true);
    await pd.setAutostart(false);
    await pd.undefine();
  });

  await t.test(`${target.label}: read-only connections refuse changes`, async (tt) => {
    const c = await open(tt, { readonly: true });
    const d = await c.lookupDomainByName('test');
    tt.equal((await d.getInfo()).state, DomainState.RUNNING, 'reads work');
    await rejectsWith(tt, () => d.suspend(), ErrorNumber.OPERATION_DENIED, 'suspend');
    await rejectsWith(tt, () => d.destroy(), ErrorNumber.OPERATION_DENIED, 'destroy');
    await rejectsWith(tt, () => c.defineXML(domainXml(unique('ro'))), ErrorNumber.OPERATION_DENIED, 'define');
  });

  await t.test(`${target.label}: bad input is refused clearly`, async (tt) => {
    const c = await open(tt);
    await tt.rejects(c.defineXML('<domain'), { name: 'XvirtError' }, 'malformed XML');
    const d = await c.lookupDomainByName('test');
    await rejectsWith(tt, () => d.setVcpus(0), ErrorNumber.INVALID_ARG, 'zero vcpus');
    const ghost = new Domain(c, { name: 'ghost', uuid: '00000000-0000-0000-0000-0000000000aa', id: -1 });
    await rejectsWith(tt, () => ghost.getInfo(), ErrorNumber.NO_DOMAIN, 'stale domain object');
    await c.close();
    await tt.rejects(
      async () => c.listAllDomains(),
      { name: 'XvirtError', number: ErrorNumber.INVALID_CONN },
      'closed connection',
    );
  });
}

/** Best-effort removal of a domain a failed test left behind. */
async function cleanup(c: Connection, name: string): Promise<void> {
  if (c.closed) return;
  try {
    const d = await c.lookupDomainByName(name);
    if (await d.isActive()) await d.destroy();
    if (await d.isPersistent()) await d.undefine();
  } catch (err) {
    if (!(err instanceof XvirtError)) throw err;
  }
}
