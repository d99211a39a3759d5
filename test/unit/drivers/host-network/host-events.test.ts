// Network and pool lifecycle events and transient objects on a real host's
// drivers (xen:///system's networks and dir pools), compared call for call
// with the test driver's (itself compared with libvirtd's in
// test/integration/drivers/remote/netstore.test.ts). Bridge-mode networks
// over a fake /sys/class/net, so no host tool runs.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../../../../lib';
import { ErrorNumber } from '../../../../lib/errors';
import { HostBridgeNetworks } from '../../../../lib/drivers/host-network/bridge-networks';
import { HostNetworkDriver } from '../../../../lib/drivers/host-network/driver';
import { HostDirPools } from '../../../../lib/drivers/host-storage/dir-pools';
import type { DriverNetworkEvent, DriverStoragePoolEvent } from '../../../../lib/netstore-types';

class Driver extends HostNetworkDriver {
  constructor(
    private readonly nets: HostBridgeNetworks,
    private readonly pools: HostDirPools,
  ) {
    super();
  }
  protected hostNetworks(): HostBridgeNetworks {
    return this.nets;
  }
  protected hostPools(): HostDirPools {
    return this.pools;
  }
  close(): void {
    this.releaseHostEvents();
  }
}

async function hostDriver(t: Test): Promise<{ driver: Driver; root: string }> {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-hostevents-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const sysNet = path.join(top, 'net');
  fs.mkdirSync(path.join(sysNet, 'br0', 'bridge'), { recursive: true });
  fs.mkdirSync(path.join(sysNet, 'br1', 'bridge'), { recursive: true });
  const root = path.join(top, 'images');
  fs.mkdirSync(root);
  const nets = await HostBridgeNetworks.open(path.join(top, 'networks'), { sysNet });
  const pools = await HostDirPools.open(path.join(top, 'pools'), [root]);
  return { driver: new Driver(nets, pools), root };
}

const net = (name: string, bridge: string, n: number) =>
  `<network><name>${name}</name><uuid>3c3c3c3c-0000-4000-8000-00000000000${n}</uuid>` +
  `<forward mode='bridge'/><bridge name='${bridge}'/></network>`;
const pool = (name: string, dir: string, n: number) =>
  `<pool type='dir'><name>${name}</name><uuid>3c3c3c3c-0000-4000-8000-00000000010${n}</uuid>` +
  `<target><path>${dir}</path></target></pool>`;

/** The same calls on either path; each path records its events as [name, event(, 'refresh')]. */
interface Calls {
  defineNet(xml: string): Promise<void>;
  createNet(xml: string): Promise<void>;
  startNet(name: string): Promise<void>;
  stopNet(name: string): Promise<void>;
  undefineNet(name: string): Promise<void>;
  definePool(xml: string): Promise<void>;
  createPool(xml: string): Promise<void>;
  pool(name: string, op: 'build' | 'create' | 'refresh' | 'destroy' | 'delete' | 'undefine'): Promise<void>;
  persistent(kind: 'net' | 'pool', name: string): Promise<boolean>;
}

async function scenario(c: Calls, dir: (name: string) => string): Promise<unknown[]> {
  const seen: unknown[] = [];
  const note = async (what: string, p: Promise<unknown>) => seen.push([what, await p]);
  await c.defineNet(net('n1', 'br0', 1));
  await c.startNet('n1');
  await c.createNet(net('n2', 'br1', 2));
  await note('n2 persistent', c.persistent('net', 'n2'));
  await c.stopNet('n2');
  await c.stopNet('n1');
  await c.undefineNet('n1');
  await c.definePool(pool('p1', dir('p1'), 1));
  for (const op of ['build', 'create', 'refresh', 'destroy', 'delete', 'undefine'] as const) await c.pool('p1', op);
  fs.mkdirSync(dir('p2'), { recursive: true });
  await c.createPool(pool('p2', dir('p2'), 2));
  await note('p2 persistent', c.persistent('pool', 'p2'));
  await c.pool('p2', 'destroy');
  return seen;
}

t.test('event sequences and transient objects match the test driver', async (t) => {
  const { driver, root } = await hostDriver(t);
  const hostEvents: unknown[] = [];
  await driver.startNetworkEvents((e: DriverNetworkEvent) => hostEvents.push([e.network.name, e.event]));
  await driver.startStoragePoolEvents((e: DriverStoragePoolEvent) =>
    hostEvents.push(e.eventId ? [e.pool.name, e.event, 'refresh'] : [e.pool.name, e.event]),
  );
  const ref = async (kind: 'net' | 'pool', name: string) =>
    kind === 'net' ? driver.networkLookupByName(name) : driver.storagePoolLookupByName(name);
  const hostSeen = await scenario(
    {
      defineNet: async (xml) => void (await driver.networkDefineXML(xml, 0)),
      createNet: async (xml) => void (await driver.networkCreateXML(xml, 0)),
      startNet: async (n) => driver.networkCreate(await driver.networkLookupByName(n)),
      stopNet: async (n) => driver.networkDestroy(await driver.networkLookupByName(n)),
      undefineNet: async (n) => driver.networkUndefine(await driver.networkLookupByName(n)),
      definePool: async (xml) => void (await driver.storagePoolDefineXML(xml, 0)),
      createPool: async (xml) => void (await driver.storagePoolCreateXML(xml, 0)),
      pool: async (n, op) => {
        const p = await driver.storagePoolLookupByName(n);
        const calls = {
          build: () => driver.storagePoolBuild(p, 0),
          create: () => driver.storagePoolCreate(p, 0),
          refresh: () => driver.storagePoolRefresh(p, 0),
          destroy: () => driver.storagePoolDestroy(p),
          delete: () => driver.storagePoolDelete(p, 0),
          undefine: () => driver.storagePoolUndefine(p),
        };
        await calls[op]();
      },
      persistent: async (kind, n) =>
        kind === 'net'
          ? driver.networkIsPersistent(await ref('net', n))
          : driver.storagePoolIsPersistent(await ref('pool', n)),
    },
    (n) => path.join(root, n),
  );

  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const testEvents: unknown[] = [];
  await conn.onNetworkLifecycle((e) => testEvents.push([e.network.name, e.event]));
  await conn.onStoragePoolLifecycle((e) =>
    testEvents.push(e.eventId ? [e.pool.name, e.event, 'refresh'] : [e.pool.name, e.event]),
  );
  const testSeen = await scenario(
    {
      defineNet: async (xml) => void (await conn.defineNetworkXML(xml, 0)),
      createNet: async (xml) => void (await conn.createNetworkXML(xml, 0)),
      startNet: async (n) => (await conn.lookupNetworkByName(n)).create(),
      stopNet: async (n) => (await conn.lookupNetworkByName(n)).destroy(),
      undefineNet: async (n) => (await conn.lookupNetworkByName(n)).undefine(),
      definePool: async (xml) => void (await conn.defineStoragePoolXML(xml, 0)),
      createPool: async (xml) => void (await conn.createStoragePoolXML(xml, 0)),
      pool: async (n, op) => {
        const p = await conn.lookupStoragePoolByName(n);
        await {
          build: () => p.build(0),
          create: () => p.create(0),
          refresh: () => p.refresh(0),
          destroy: () => p.destroy(),
          delete: () => p.delete(0),
          undefine: () => p.undefine(),
        }[op]();
      },
      persistent: async (kind, n) =>
        kind === 'net'
          ? (await conn.lookupNetworkByName(n)).isPersistent()
          : (await conn.lookupStoragePoolByName(n)).isPersistent(),
    },
    (n) => `/tmp/xvirt-test-driver-${n}`,
  );
  await new Promise((r) => setImmediate(r));
  t.same(hostSeen, testSeen, 'transient objects report not persistent, as on the test driver');
  t.same(hostEvents, testEvents, 'the same events in the same order');
  t.ok(hostEvents.length >= 14, `events were seen (${hostEvents.length})`);
  await t.rejects(
    driver.networkLookupByName('n2'),
    { number: ErrorNumber.NO_NETWORK, message: /n2/ },
    'a stopped transient network is gone',
  );
  await t.rejects(
    driver.storagePoolLookupByName('p2'),
    { number: ErrorNumber.NO_STORAGE_POOL, message: /p2/ },
    'so is a pool',
  );

  driver.close();
  await driver.networkDefineXML(net('n3', 'br0', 3), 0);
  await new Promise((r) => setImmediate(r));
  t.equal(hostEvents.length, testEvents.length, 'a closed connection gets no more events');
});

t.test('libvirt network driver rules for transient and undefined-while-running networks', async (t) => {
  const { driver } = await hostDriver(t);
  const n1 = await driver.networkDefineXML(net('n1', 'br0', 1), 0);
  await t.rejects(driver.networkCreateXML(net('n1', 'br0', 1), 0), {
    number: ErrorNumber.OPERATION_INVALID,
    message: /already defined: start it/,
  });
  await driver.networkCreate(n1);
  await driver.networkUndefine(n1);
  t.equal(await driver.networkIsActive(n1), true, 'undefining a running network leaves it running');
  t.equal(await driver.networkIsPersistent(n1), false, 'as a transient network');
  await t.rejects(driver.networkUndefine(n1), { number: ErrorNumber.OPERATION_INVALID, message: /transient/ });
  await t.rejects(driver.networkSetAutostart(n1, true), {
    number: ErrorNumber.OPERATION_INVALID,
    message: /transient/,
  });
  await driver.networkDefineXML(net('n1', 'br0', 1), 0);
  t.equal(await driver.networkIsPersistent(n1), true, 'defining it again makes it persistent, still running');
  t.equal(await driver.networkIsActive(n1), true);
  const n2 = await driver.networkCreateXML(net('n2', 'nobr', 2), 0).catch((e: unknown) => e);
  t.match(n2, { number: ErrorNumber.SYSTEM_ERROR }, 'a transient network that cannot start is not kept');
  await t.rejects(driver.networkLookupByName('n2'), { number: ErrorNumber.NO_NETWORK, message: /n2/ });
});
