// Networks, storage pools/volumes, node devices and host interfaces of the
// embedded test hypervisor through the public API: libvirt 9.0's defaults,
// lifecycle rules, errors and events (values compared with the real libvirt
// in test/integration/drivers/test/netstore-virsh.test.ts).
import t, { type Test } from 'tap';
import {
  ErrorNumber,
  ListNetworksFlags as LN,
  ListStoragePoolsFlags as LP,
  NetworkEventType as NE,
  StoragePoolEventId,
  StoragePoolEventType as PE,
  StoragePoolState,
  StorageVolType,
  type XvirtError,
} from '../../../../lib';
import { open, tick } from '../../../support/test-driver';

async function rejects(
  t: Test,
  p: Promise<unknown>,
  number: ErrorNumber,
  pattern: RegExp,
  what: string,
): Promise<void> {
  try {
    await p;
    t.fail(`${what}: resolved`);
  } catch (err) {
    t.equal((err as XvirtError).number, number, `${what}: ${(err as Error).message}`);
    t.match((err as Error).message, pattern, `${what}: message`);
  }
}

const NET_XML = (name: string, extra = '') =>
  `<network><name>${name}</name><bridge name='br-${name}'/>${extra}</network>`;
const POOL_XML = (name: string, type = 'dir') =>
  `<pool type='${type}'><name>${name}</name><target><path>/pools/${name}</path></target></pool>`;
const VOL_XML = (name: string, size = '1', alloc = '') =>
  `<volume><name>${name}</name><capacity unit='G'>${size}</capacity>${alloc}</volume>`;

t.test('test:///default has network default and pool default-pool, running', async (t) => {
  const conn = await open(t);
  const [net] = await conn.listAllNetworks();
  t.equal(net!.name, 'default');
  t.equal(net!.uuid, 'dd8fe884-6c02-601e-7551-cca97df1c5df');
  t.equal(await net!.isActive(), true);
  t.equal(await net!.isPersistent(), true);
  t.equal(await net!.getAutostart(), false, 'libvirt 9.0 loads it without autostart');
  t.equal(await net!.getBridgeName(), 'virbr0');
  t.match(await net!.getXMLDesc(), /<forward mode='nat'\/>\n  <bridge name='virbr0' stp='on' delay='0'\/>/);
  const [pool] = await conn.listAllStoragePools();
  t.equal(pool!.name, 'default-pool');
  t.same(await pool!.getInfo(), {
    state: StoragePoolState.RUNNING,
    capacity: 107374182400n,
    allocation: 0n,
    available: 107374182400n,
  });
  t.same(await pool!.listAllVolumes(), [], 'no volumes');
  t.same((await conn.listAllNodeDevices()).map((d) => d.name).sort(), [
    'computer',
    'scsi_host1',
    'scsi_host11',
    'scsi_host2',
  ]);
  t.same(
    (await conn.listAllInterfaces()).map((i) => [i.name, i.mac]),
    [['eth1', 'aa:bb:cc:dd:ee:ff']],
  );
  t.equal(await (await conn.lookupNodeDeviceByName('scsi_host11')).getParent(), 'scsi_host1');
  await rejects(
    t,
    (await conn.lookupNodeDeviceByName('computer')).getParent(),
    ErrorNumber.INTERNAL_ERROR,
    /no parent/,
    'root device parent',
  );
});

t.test('network lifecycle, duplicates and events', async (t) => {
  const conn = await open(t);
  const events: Array<[string, NE]> = [];
  const off = await conn.onNetworkLifecycle((e) => events.push([e.network.name, e.event]));
  const net = await conn.defineNetworkXML(NET_XML('n1'));
  t.equal(await net.isActive(), false);
  await rejects(
    t,
    conn.defineNetworkXML(`<network><name>n1</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>`),
    ErrorNumber.OPERATION_FAILED,
    /network 'n1' already exists with uuid/,
    'same name, other uuid',
  );
  await rejects(
    t,
    conn.defineNetworkXML(`<network><name>n2</name><uuid>${net.uuid}</uuid></network>`),
    ErrorNumber.OPERATION_FAILED,
    /network 'n1' is already defined with uuid/,
    'same uuid, other name',
  );
  await rejects(
    t,
    conn.defineNetworkXML(NET_XML('n3').replace('br-n3', 'virbr0')),
    ErrorNumber.INTERNAL_ERROR,
    /bridge name 'virbr0' already in use/,
    "another network's bridge (libvirt's network driver refuses it; its test driver does not)",
  );
  await net.create();
  await rejects(t, net.create(), ErrorNumber.OPERATION_INVALID, /Network 'n1' is already running/, 'start twice');
  await rejects(t, net.undefine(), ErrorNumber.OPERATION_INVALID, /Network 'n1' is still running/, 'undefine running');
  t.same(
    (await conn.listAllNetworks(LN.INACTIVE)).map((n) => n.name),
    [],
  );
  await net.setAutostart(true);
  t.same(
    (await conn.listAllNetworks(LN.AUTOSTART)).map((n) => n.name),
    ['n1'],
  );
  await net.destroy();
  await net.undefine();
  const transient = await conn.createNetworkXML(NET_XML('t1'));
  t.equal(await transient.isPersistent(), false);
  await transient.destroy();
  await rejects(
    t,
    conn.lookupNetworkByName('t1'),
    ErrorNumber.NO_NETWORK,
    /no network with matching name 't1'/,
    'transient gone',
  );
  await rejects(
    t,
    conn.lookupNetworkByUUID('11111111-2222-3333-4444-555555555555'),
    ErrorNumber.NO_NETWORK,
    /matching uuid/,
    'uuid',
  );
  await rejects(
    t,
    (await conn.defineNetworkXML('<network><name>nb</name></network>')).getBridgeName(),
    ErrorNumber.INTERNAL_ERROR,
    /does not have a bridge name/,
    'no bridge',
  );
  await rejects(
    t,
    net.getDHCPLeases(),
    ErrorNumber.NO_SUPPORT,
    /virNetworkGetDHCPLeases/,
    "libvirt's test driver has no leases",
  );
  await tick();
  t.same(events, [
    ['n1', NE.DEFINED],
    ['n1', NE.STARTED],
    ['n1', NE.STOPPED],
    ['n1', NE.UNDEFINED],
    ['t1', NE.STARTED],
    ['t1', NE.STOPPED],
    ['nb', NE.DEFINED],
  ]);
  await off();
});

t.test('pool lifecycle, volumes and events', async (t) => {
  const conn = await open(t);
  const events: Array<[string, number, number]> = [];
  await conn.onStoragePoolLifecycle((e) => events.push([e.pool.name, e.eventId, e.event]));
  const pool = await conn.defineStoragePoolXML(POOL_XML('p1'));
  await rejects(
    t,
    conn.defineStoragePoolXML("<pool type='dir'><name>p2</name><target><path>/pools/p1</path></target></pool>"),
    ErrorNumber.OPERATION_FAILED,
    /Storage source conflict with pool: 'p1'/,
    'same target path',
  );
  await rejects(
    t,
    pool.listAllVolumes(),
    ErrorNumber.OPERATION_INVALID,
    /storage pool is not active/,
    'volumes of an inactive pool',
  );
  await pool.build();
  await pool.create();
  await rejects(
    t,
    pool.delete(),
    ErrorNumber.OPERATION_INVALID,
    /storage pool 'p1' is active/,
    'delete an active pool',
  );
  await rejects(t, pool.undefine(), ErrorNumber.OPERATION_INVALID, /is active/, 'undefine an active pool');
  const vol = await pool.createVolumeXML(VOL_XML('disk.qcow2', '10', "<allocation unit='M'>100</allocation>"));
  t.same(vol.ref, { pool: 'p1', name: 'disk.qcow2', key: '/pools/p1/disk.qcow2' });
  t.same(await vol.getInfo(), { type: StorageVolType.FILE, capacity: 10n << 30n, allocation: 100n << 20n });
  t.equal((await pool.getInfo()).allocation, 100n << 20n);
  await rejects(
    t,
    pool.createVolumeXML(VOL_XML('disk.qcow2')),
    ErrorNumber.OPERATION_FAILED,
    /storage vol already exists/,
    'dup volume',
  );
  await rejects(
    t,
    pool.createVolumeXML(VOL_XML('big', '200', "<allocation unit='G'>200</allocation>")),
    ErrorNumber.INTERNAL_ERROR,
    /Not enough free space in pool for volume 'big'/,
    'volume larger than the pool',
  );
  await rejects(
    t,
    pool.createVolumeXML(VOL_XML('../escape')),
    ErrorNumber.XML_ERROR,
    /cannot contain '\/'/,
    'name with a path',
  );
  const copy = await pool.createVolumeXMLFrom(VOL_XML('copy'), vol);
  t.equal(await copy.getPath(), '/pools/p1/copy');
  t.equal((await conn.lookupStorageVolumeByPath('/pools/p1/copy')).name, 'copy');
  t.equal((await conn.lookupStorageVolumeByKey('/pools/p1/disk.qcow2')).name, 'disk.qcow2');
  t.equal((await vol.getPool()).name, 'p1');
  await rejects(t, vol.resize(1n << 40n), ErrorNumber.NO_SUPPORT, /virStorageVolResize/, 'resize');
  await rejects(t, vol.wipe(), ErrorNumber.NO_SUPPORT, /virStorageVolWipe/, 'wipe');
  await copy.delete();
  await rejects(
    t,
    copy.getInfo(),
    ErrorNumber.NO_STORAGE_VOL,
    /no storage vol with matching name 'copy'/,
    'deleted volume',
  );
  await pool.refresh();
  await pool.destroy();
  await rejects(
    t,
    conn.lookupStorageVolumeByKey(vol.key),
    ErrorNumber.NO_STORAGE_VOL,
    /matching key/,
    'volumes of stopped pools',
  );
  await pool.delete();
  await pool.create();
  t.same(
    (await pool.listAllVolumes()).map((v) => v.name),
    ['disk.qcow2'],
    'volumes survive a stop',
  );
  await pool.destroy();
  await pool.undefine();
  t.same(
    (await conn.listAllStoragePools(LP.LOGICAL)).map((p) => p.name),
    [],
  );
  const lv = await conn.createStoragePoolXML(
    "<pool type='logical'><name>vg</name><target><path>/dev/vg</path></target></pool>",
  );
  t.equal(await lv.isPersistent(), false);
  t.equal(await lv.getAutostart(), false);
  await rejects(t, lv.setAutostart(true), ErrorNumber.INVALID_ARG, /pool has no config file/, 'transient autostart');
  t.equal((await (await lv.createVolumeXML(VOL_XML('lv1'))).getInfo()).type, StorageVolType.BLOCK);
  await lv.destroy();
  await rejects(
    t,
    conn.lookupStoragePoolByName('vg'),
    ErrorNumber.NO_STORAGE_POOL,
    /no storage pool with matching name 'vg'/,
    'gone',
  );
  await tick();
  const L = StoragePoolEventId.LIFECYCLE;
  t.same(events, [
    ['p1', L, PE.DEFINED],
    ['p1', L, PE.CREATED],
    ['p1', L, PE.STARTED],
    ['p1', StoragePoolEventId.REFRESH, 0],
    ['p1', L, PE.STOPPED],
    ['p1', L, PE.DELETED],
    ['p1', L, PE.STARTED],
    ['p1', L, PE.STOPPED],
    ['p1', L, PE.UNDEFINED],
    ['vg', L, PE.STARTED],
    ['vg', L, PE.STOPPED],
  ]);
});

t.test('read-only connections refuse the writes; bad arguments are refused before the driver', async (t) => {
  const conn = await open(t, 'test:///default', { readonly: true });
  await rejects(t, conn.defineNetworkXML(NET_XML('ro')), ErrorNumber.OPERATION_DENIED, /virNetworkDefineXML/, 'define');
  const [pool] = await conn.listAllStoragePools();
  await rejects(
    t,
    pool!.createVolumeXML(VOL_XML('ro')),
    ErrorNumber.OPERATION_DENIED,
    /virStorageVolCreateXML/,
    'vol create',
  );
  t.equal((await pool!.getInfo()).state, StoragePoolState.RUNNING, 'reads still work');
  await rejects(t, conn.listAllNetworks(-1), ErrorNumber.INVALID_ARG, /flags/, 'negative flags');
  await rejects(t, conn.listAllNetworks(64), ErrorNumber.INVALID_ARG, /unsupported flags \(0x40\)/, 'unknown flag bit');
  await rejects(t, conn.lookupNetworkByUUID('nope'), ErrorNumber.INVALID_ARG, /malformed UUID/, 'uuid text');
  await rejects(
    t,
    conn.listAllNodeDevices(1 << 30),
    ErrorNumber.INVALID_ARG,
    /unsupported flags/,
    'node device INACTIVE, as libvirt 9.0',
  );
});
