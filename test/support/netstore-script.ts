/**
 * One script of network, storage, node-device and interface calls, run on a
 * fresh test:///default through any path (in process, libvirtd or xvirtd via
 * the remote client). It returns a transcript (each call's value, or its
 * error number and message, and the events seen) so that two paths can be
 * compared entry for entry: libvirtd's answers are the expected ones.
 */
import type { Connection } from '../../lib/connection';
import { isXvirtError } from '../../lib/errors';
import type { JsonValue } from '../../lib/cli/json';

export type Transcript = Array<[string, unknown]>;

const NET_UUID = '0a1b2c3d-0000-4000-8000-000000000001';
const POOL_UUID = '0a1b2c3d-0000-4000-8000-000000000002';
const NET_XML =
  `<network><name>n1</name><uuid>${NET_UUID}</uuid><forward mode='route'/><bridge name='br-n1'/>` +
  "<ip address='10.7.0.1' prefix='24'><dhcp><range start='10.7.0.10' end='10.7.0.20'/></dhcp></ip></network>";
const POOL_XML = `<pool type='dir'><name>p1</name><uuid>${POOL_UUID}</uuid><target><path>/p1</path></target></pool>`;
const vol = (name: string, cap: string, alloc = cap) =>
  `<volume><name>${name}</name><capacity unit='M'>${cap}</capacity><allocation unit='M'>${alloc}</allocation>` +
  "<target><format type='qcow2'/></target></volume>";

/** Values made comparable: bigints as strings, objects' own fields only. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export async function runNetStoreScript(conn: Connection, readonlyConn: Connection): Promise<Transcript> {
  const out: Transcript = [];
  const step = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      out.push([label, plain(await fn())]);
    } catch (err) {
      if (!isXvirtError(err)) throw err;
      out.push([label, { error: err.number, message: err.message } as JsonValue]);
    }
  };
  const netEvents: string[] = [];
  const poolEvents: string[] = [];
  const offNet = await conn.onNetworkLifecycle((e) => netEvents.push(`${e.network.name}:${e.event}`));
  const offPool = await conn.onStoragePoolLifecycle((e) => poolEvents.push(`${e.pool.name}:${e.eventId}:${e.event}`));

  await step('networks', async () => (await conn.listAllNetworks()).map((n) => n.ref));
  const def = await conn.lookupNetworkByName('default');
  await step('default xml', () => def.getXMLDesc());
  await step('default state', async () => [
    await def.isActive(),
    await def.isPersistent(),
    await def.getAutostart(),
    await def.getBridgeName(),
  ]);
  await step('default xml inactive', () => def.getXMLDesc(1));
  await step('leases', () => def.getDHCPLeases());
  await step('lookup uuid', async () => (await conn.lookupNetworkByUUID(def.uuid)).name);
  await step('lookup missing', () => conn.lookupNetworkByName('nope'));
  await step('define n1', async () => (await conn.defineNetworkXML(NET_XML)).ref);
  const n1 = await conn.lookupNetworkByName('n1');
  await step('n1 xml', () => n1.getXMLDesc());
  await step('define clash name', () =>
    conn.defineNetworkXML(NET_XML.replace(NET_UUID, '0a1b2c3d-0000-4000-8000-0000000000ff')),
  );
  await step('define clash uuid', () => conn.defineNetworkXML(NET_XML.replace('<name>n1', '<name>n2')));
  await step('start n1', () => n1.create());
  await step('start n1 again', () => n1.create());
  await step('undefine running', () => n1.undefine());
  await step('autostart n1', async () => {
    await n1.setAutostart(true);
    return n1.getAutostart();
  });
  await step('list autostart', async () => (await conn.listAllNetworks(16)).map((n) => n.name));
  await step('destroy n1', () => n1.destroy());
  await step('undefine n1', () => n1.undefine());
  await step('gone n1', () => n1.isActive());
  await step('bad network xml', () =>
    conn.defineNetworkXML("<network><name>b</name><forward mode='bogus'/></network>"),
  );
  await step('read-only define', () => readonlyConn.defineNetworkXML(NET_XML));
  await step('read-only list', async () => (await readonlyConn.listAllNetworks()).map((n) => n.name));

  await step('pools', async () => (await conn.listAllStoragePools()).map((p) => p.ref));
  const dp = await conn.lookupStoragePoolByName('default-pool');
  await step('default-pool', async () => [
    await dp.getInfo(),
    await dp.getXMLDesc(),
    await dp.isActive(),
    await dp.isPersistent(),
  ]);
  await step('define p1', async () => (await conn.defineStoragePoolXML(POOL_XML)).ref);
  const p1 = await conn.lookupStoragePoolByUUID(POOL_UUID);
  await step('p1 inactive info', () => p1.getInfo());
  await step('p1 volumes inactive', () => p1.listAllVolumes());
  await step('build p1', () => p1.build());
  await step('start p1', () => p1.create());
  await step('delete active p1', () => p1.delete());
  await step('undefine active p1', () => p1.undefine());
  await step('vol a', async () => (await p1.createVolumeXML(vol('a.qcow2', '100', '10'))).ref);
  await step('vol a again', () => p1.createVolumeXML(vol('a.qcow2', '1')));
  await step('vol too big', () => p1.createVolumeXML(vol('big', '204800000', '204800000')));
  const a = await p1.lookupVolumeByName('a.qcow2');
  await step('vol a info', async () => [
    await a.getInfo(),
    await a.getXMLDesc(),
    await a.getPath(),
    (await a.getPool()).name,
  ]);
  await step('vol by key', async () => (await conn.lookupStorageVolumeByKey('/p1/a.qcow2')).ref);
  await step('vol by path', async () => (await conn.lookupStorageVolumeByPath('/p1/a.qcow2')).ref);
  await step('vol missing', () => conn.lookupStorageVolumeByPath('/p1/nope'));
  await step('clone', async () => (await p1.createVolumeXMLFrom(vol('b.qcow2', '50'), a)).ref);
  // libvirt lists volumes in its hash table's (seeded, so varying) order: compared sorted.
  await step('volumes', async () =>
    (await p1.listAllVolumes()).map((v) => v.ref).sort((x, y) => (x.name < y.name ? -1 : 1)),
  );
  await step('p1 info', () => p1.getInfo());
  await step('resize', () => a.resize(1n << 30n));
  await step('wipe', () => a.wipe());
  await step('delete b', async () => {
    await (await p1.lookupVolumeByName('b.qcow2')).delete();
    return (await p1.listAllVolumes()).length;
  });
  await step('refresh', () => p1.refresh());
  await step('autostart p1', async () => {
    await p1.setAutostart(true);
    return p1.getAutostart();
  });
  await step('destroy p1', () => p1.destroy());
  await step('vol of stopped pool', () => a.getInfo());
  await step('delete p1', () => p1.delete());
  await step('undefine p1', () => p1.undefine());
  await step('read-only vol create', async () =>
    (await readonlyConn.lookupStoragePoolByName('default-pool')).createVolumeXML(vol('r', '1')),
  );

  await step('devices', async () => (await conn.listAllNodeDevices()).map((d) => d.name).sort());
  await step('scsi hosts', async () => (await conn.listAllNodeDevices(32)).map((d) => d.name).sort());
  await step('device xml', async () =>
    Promise.all(
      ['computer', 'scsi_host1', 'scsi_host2', 'scsi_host11'].map(async (n) =>
        (await conn.lookupNodeDeviceByName(n)).getXMLDesc(),
      ),
    ),
  );
  await step('device parent', async () => (await conn.lookupNodeDeviceByName('scsi_host11')).getParent());
  await step('device missing', () => conn.lookupNodeDeviceByName('nope'));
  await step('interfaces', async () => (await conn.listAllInterfaces()).map((i) => i.ref));
  await step('interface', async () => {
    const i = await conn.lookupInterfaceByMACString('aa:bb:cc:dd:ee:ff');
    return [i.name, await i.isActive(), await i.getXMLDesc()];
  });
  await step('interface missing', () => conn.lookupInterfaceByName('nope'));

  await new Promise((resolve) => setTimeout(resolve, 200));
  await offNet();
  await offPool();
  out.push(['network events', netEvents], ['pool events', poolEvents]);
  return out;
}
