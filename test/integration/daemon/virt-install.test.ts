// Debian's virt-install (virtinst) creating a VM with a new volume in
// default-pool and a NIC on network 'default', against xvirtd's test driver
// and, for the expected outcome, against a real libvirtd's: the volume and
// the domain each daemon ends up with must be the same (UUID and MAC aside).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { connect } from '../../../lib/connection';
import { collectOutput } from '../../support/child-output';
import { startLibvirtd } from '../../support/libvirtd';
import { startXvirtd } from '../../support/xvirtd';

const VIRT_INSTALL = '/usr/bin/virt-install';

interface Outcome {
  code: number | null;
  volume: string;
  volInfo: unknown;
  domain: string;
  active: boolean;
}

async function install(uri: string): Promise<Outcome> {
  // test:///default lives as long as a connection holds it (in libvirtd as in xvirtd): hold one throughout.
  const conn = await connect(uri);
  const child = spawn(
    VIRT_INSTALL,
    [
      '--connect',
      uri,
      '--name',
      'vm1',
      '--memory',
      '512',
      '--vcpus',
      '1',
      '--disk',
      'pool=default-pool,size=1,format=qcow2',
      '--network',
      'network=default',
      '--import',
      '--osinfo',
      'detect=on,require=off',
      '--noautoconsole',
      '--graphics',
      'none',
    ],
    { env: { ...process.env, LC_ALL: 'C', HOME: process.env.HOME ?? '/root' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const res = await collectOutput(child, 120_000);
  if (res.code !== 0)
    throw new Error(`virt-install against ${uri} failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
  try {
    const pool = await conn.lookupStoragePoolByName('default-pool');
    const vol = await pool.lookupVolumeByName('vm1.qcow2');
    const dom = await conn.lookupDomainByName('vm1');
    const info = await vol.getInfo();
    return {
      code: res.code,
      volume: await vol.getXMLDesc(),
      volInfo: { ...info, capacity: String(info.capacity), allocation: String(info.allocation) },
      domain: (await dom.getXMLDesc())
        .replace(/<uuid>[^<]*<\/uuid>/, '<uuid/>')
        .replace(/mac address='[^']*'/g, "mac address=''"),
      active: await dom.isActive(),
    };
  } finally {
    await conn.close();
  }
}

t.test('virt-install is installed (scripts/install-test-deps: virtinst)', async (t) => {
  t.ok(existsSync(VIRT_INSTALL), 'the interop test runs the real virt-install; it never skips');
});

t.test('virt-install makes the same VM on xvirtd as on libvirtd', async (t) => {
  const lvd = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const theirs = await install(lvd.unixUri());
  t.equal(theirs.code, 0, 'libvirtd: virt-install succeeds');
  const ours = await install(xd.uri('unix'));
  t.equal(ours.code, 0, 'xvirtd: virt-install succeeds');
  t.equal(ours.volume, theirs.volume, 'the same new volume in default-pool');
  t.same(ours.volInfo, theirs.volInfo, 'the same volume info');
  t.match(ours.domain, /<source file='\/default-pool\/vm1.qcow2'\/>/, 'the disk is the new volume');
  t.match(ours.domain, /<interface type='network'>[\s\S]*<source network='default'/, 'the NIC is on network default');
  t.equal(ours.active, theirs.active, 'started as on libvirtd');
});
