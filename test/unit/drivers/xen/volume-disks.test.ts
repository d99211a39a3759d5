// <disk type='volume'> on Xen: accepted at define time whatever the pool's
// state, resolved to the volume's file in its (running) dir pool at each
// start, refused with libvirt's errors when the pool or volume is missing.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { HostDirPools } from '../../../../lib/drivers/host-storage/dir-pools';
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
  r.xl.onCreate = () => { r.hv.domains.push(fakeDomain(7, UUID)); };
  return { ...r, pools, root };
}


t.test('a volume disk starts with the volume file of its running pool', async (t) => {
  const { driver, xl, pools, root } = await setup(t);
  const ref = await driver.defineXML(guestXml("<source pool='guests' volume='vg.img'/>"));
  t.match(await driver.domainGetXMLDesc(ref, 0), /<disk type='volume' device='disk'>\s*<source pool='guests' volume='vg.img'\/>/,
    'the definition keeps the volume, not a path');

  await t.rejects(driver.domainCreate(ref, 0), { name: 'XvirtError', number: ErrorNumber.NO_STORAGE_POOL,
    message: /no storage pool with matching name 'guests'/ });
  const pool = await pools.define(`<pool type='dir'><name>guests</name><target><path>${root}/guests</path></target></pool>`);
  await t.rejects(driver.domainCreate(ref, 0), { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID,
    message: /storage pool 'guests' containing volume 'vg.img' is not active/ });
  await pools.start(pool);
  await t.rejects(driver.domainCreate(ref, 0), { name: 'XvirtError', number: ErrorNumber.NO_STORAGE_VOL,
    message: /no storage vol with matching name 'vg.img'/ });
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
    await t.rejects(driver.defineXML(guestXml(source)), { name: 'XvirtError', number: ErrorNumber.CONFIG_UNSUPPORTED, message: why }, source);
  }
});

t.test('without storage pools on the connection, a volume disk cannot start', async (t) => {
  const r = await rig(t, { codec: loadDomainXmlCodec() });
  const ref = await r.driver.defineXML(guestXml("<source pool='guests' volume='vg.img'/>"));
  await t.rejects(r.driver.domainCreate(ref, 0), { name: 'XvirtError', number: ErrorNumber.NO_SUPPORT, message: /has no storage pools/ });
});
