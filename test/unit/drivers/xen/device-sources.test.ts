// Device sources named indirectly, on Xen: <disk type='volume'> and
// <interface type='network'> are accepted at define time whatever the pool's
// or network's state, resolved at each start (the volume's file in its
// running dir pool, the running network's bridge), refused with libvirt's
// errors when the pool, volume or network is missing or stopped.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { HostDirPools } from '../../../../lib/drivers/host-storage/dir-pools';
import { HostBridgeNetworks } from '../../../../lib/drivers/host-network/bridge-networks';
import { loadDomainXmlCodec } from '../../../../lib/drivers/xen/domain-xml';
import { fakeDomain, rig } from '../../../support/xen';

const UUID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const guestXml = (source: string) => `<domain type='xen'>
  <name>vg</name><uuid>${UUID}</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type>xen</type><kernel>/guest/vmlinuz</kernel></os>
  <devices><disk type='volume' device='disk'>${source}<target dev='xvda' bus='xen'/></disk></devices>
</domain>`;

async function setup(t: Test) {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-voldisk-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const root = path.join(top, 'images');
  fs.mkdirSync(path.join(root, 'guests'), { recursive: true });
  const pools = await HostDirPools.open(path.join(top, 'state'), [root]);
  const r = await rig(t, { codec: loadDomainXmlCodec(), storage: pools });
  r.xl.onCreate = () => {
    r.hv.domains.push(fakeDomain(7, UUID));
  };
  return { ...r, pools, root };
}

t.test('a volume disk starts with the volume file of its running pool', async (t) => {
  const { driver, xl, pools, root } = await setup(t);
  const ref = await driver.defineXML(guestXml("<source pool='guests' volume='vg.img'/>"));
  t.match(
    await driver.domainGetXMLDesc(ref, 0),
    /<disk type='volume' device='disk'>\s*<source pool='guests' volume='vg.img'\/>/,
    'the definition keeps the volume, not a path',
  );

  await t.rejects(driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_STORAGE_POOL,
    message: /no storage pool with matching name 'guests'/,
  });
  const pool = await pools.define(
    `<pool type='dir'><name>guests</name><target><path>${root}/guests</path></target></pool>`,
  );
  await t.rejects(driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: /storage pool 'guests' containing volume 'vg.img' is not active/,
  });
  await pools.start(pool);
  await t.rejects(driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_STORAGE_VOL,
    message: /no storage vol with matching name 'vg.img'/,
  });
  t.equal(xl.configs.length, 0, 'xl was never asked to build a guest whose disk is missing');

  fs.writeFileSync(path.join(root, 'guests', 'vg.img'), Buffer.alloc(4096));
  await driver.domainCreate(ref, 0);
  t.match(xl.configs[0], new RegExp(`disk = \\[ "format=raw, vdev=xvda, access=rw, target=${root}/guests/vg.img" \\]`));
});

t.test('volume sources are checked at define time', async (t) => {
  const { driver } = await setup(t);
  for (const [source, why] of [
    ["<source pool='guests'/>", /needs <source pool='...' volume='...'>/],
    ["<source pool='guests' volume='../etc/passwd'/>", /volume name '..\/etc\/passwd' is not a plain file name/],
    ["<source pool='guests' volume='a' file='/x'/>", /attribute 'file' is not supported/],
  ] as const) {
    await t.rejects(
      driver.defineXML(guestXml(source)),
      { name: 'XvirtError', number: ErrorNumber.CONFIG_UNSUPPORTED, message: why },
      source,
    );
  }
});

t.test('without storage pools on the connection, a volume disk cannot start', async (t) => {
  const r = await rig(t, { codec: loadDomainXmlCodec() });
  const ref = await r.driver.defineXML(guestXml("<source pool='guests' volume='vg.img'/>"));
  await t.rejects(r.driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_SUPPORT,
    message: /has no storage pools/,
  });
});

const nicXml = (iface: string) => `<domain type='xen'>
  <name>ng</name><uuid>${UUID}</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type>xen</type><kernel>/guest/vmlinuz</kernel></os>
  <devices>${iface}</devices>
</domain>`;

t.test('a network interface starts on the bridge of its running network', async (t) => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-netnic-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const sysfs = path.join(top, 'sys');
  fs.mkdirSync(path.join(sysfs, 'class/net/xenbr0/bridge'), { recursive: true });
  const networks = await HostBridgeNetworks.open(path.join(top, 'networks'), { sysNet: path.join(sysfs, 'class/net') });
  const r = await rig(t, { codec: loadDomainXmlCodec(), networks, sysfsRoot: sysfs });
  r.xl.onCreate = () => {
    r.hv.domains.push(fakeDomain(7, UUID));
  };
  const ref = await r.driver.defineXML(
    nicXml("<interface type='network'><mac address='00:16:3e:00:00:07'/><source network='lan'/></interface>"),
  );
  t.match(
    await r.driver.domainGetXMLDesc(ref, 0),
    /<interface type='network'>[\s\S]*<source network='lan'\/>/,
    'the definition keeps the network',
  );

  await t.rejects(r.driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_NETWORK,
    message: /no network with matching name 'lan'/,
  });
  const lan = await r.driver.networkDefineXML(
    "<network><name>lan</name><forward mode='bridge'/><bridge name='xenbr0'/></network>",
    0,
  );
  await t.rejects(r.driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: "network 'lan' is not active",
  });
  t.equal(r.xl.configs.length, 0, 'xl was never asked to build a guest whose network is missing');
  await r.driver.networkCreate(lan);
  await r.driver.domainCreate(ref, 0);
  t.match(r.xl.configs[0], /vif = \[ "mac=00:16:3e:00:00:07,bridge=xenbr0" \]/);

  await t.rejects(r.driver.defineXML(nicXml("<interface type='network'><source bridge='xenbr0'/></interface>")), {
    name: 'XvirtError',
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message: /attribute 'bridge' is not supported/,
  });
});

t.test('without virtual networks on the connection, a network interface cannot start', async (t) => {
  const r = await rig(t, { codec: loadDomainXmlCodec() });
  const ref = await r.driver.defineXML(nicXml("<interface type='network'><source network='lan'/></interface>"));
  await t.rejects(r.driver.domainCreate(ref, 0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_SUPPORT,
    message: /has no virtual networks/,
  });
  await t.rejects(r.driver.connectListAllNetworks(0), { name: 'XvirtError', number: ErrorNumber.NO_SUPPORT });
});
