// The network, pool and volume commands against the real virsh on the same
// test-driver URIs, line for line (stdout, stderr, exit status): libvirt's
// test:///default (a node file with networks, pools and volumes: netstore-virsh.test.ts).
// Each run starts from the URI's initial state, in virsh and in xvirt alike.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { requireBuild, tempDir, xvirt } from '../../support/cli';
import { virshPath } from '../../support/virsh';
import { compareAllWithVirsh } from '../../support/virsh-compare';

requireBuild(t);

const FILES: Record<string, string> = {
  'net.xml':
    "<network><name>nn</name><bridge name='virbr9'/><forward mode='route'/><ip address='10.9.0.1' prefix='24'/></network>",
  'dupnet.xml': '<network><name>default</name><uuid>11111111-6c02-601e-7551-cca97df1c5df</uuid></network>',
  'dupuuid.xml': '<network><name>other</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>',
  'badnet.xml':
    "<network><name>nb</name><ip address='10.1.1.1' netmask='255.255.255.0'><dhcp><range start='10.2.1.2' end='10.2.1.9'/></dhcp></ip></network>",
  'pool.xml': "<pool type='dir'><name>pp</name><target><path>/pp</path></target></pool>",
  'samepath.xml': "<pool type='dir'><name>d2</name><target><path>/default-pool</path></target></pool>",
  'vol.xml': "<volume><name>vx</name><capacity unit='K'>4</capacity><target><format type='qcow2'/></target></volume>",
  'bigvol.xml': "<volume><name>big</name><capacity unit='G'>200</capacity></volume>",
};

t.test('virsh is installed (scripts/install-test-deps)', async (t) => {
  t.doesNotThrow(() => virshPath(), 'the comparison runs against the real virsh; it never skips');
});

t.test('test:///default: every command, its messages and its failures', async (t) => {
  const dir = tempDir(t);
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  const f = (name: string): string => path.join(dir, name);
  const uri = 'test:///default';
  await compareAllWithVirsh(t, uri, [
    ['net-list'],
    ['net-list', '--all', '--name'],
    ['net-list', '--uuid'],
    ['net-list', '--name', '--uuid'],
    ['net-list', '--inactive'],
    ['net-list', '--transient'],
    ['net-list', '--autostart'],
    ['net-info', 'default'],
    ['net-info', 'dd8fe884-6c02-601e-7551-cca97df1c5df'],
    ['net-info', 'nope'],
    ['net-dumpxml', 'default'],
    ['net-dumpxml', 'default', '--inactive'],
    ['net-define', f('net.xml')],
    ['net-define', f('missing.xml')],
    ['net-define', f('dupnet.xml')],
    ['net-define', f('dupuuid.xml')],
    ['net-define', f('badnet.xml')],
    ['net-create', f('net.xml')],
    ['net-start', 'default'],
    ['net-destroy', 'default'],
    ['net-undefine', 'default'],
    ['net-autostart', 'default'],
    ['net-autostart', 'default', '--disable'],
    ['net-autostart', 'nope'],
    ['net-dhcp-leases', 'default'],
    ['pool-list'],
    ['pool-list', '--all'],
    ['pool-list', '--name'],
    ['pool-list', '--uuid'],
    ['pool-list', '--type', 'dir'],
    ['pool-list', '--type', 'bogus'],
    ['pool-list', '--details', '--inactive'],
    ['pool-info', 'default-pool'],
    ['pool-info', 'default-pool', '--bytes'],
    ['pool-info', 'nope'],
    ['pool-dumpxml', 'default-pool'],
    ['pool-dumpxml', 'default-pool', '--inactive'],
    ['pool-define', f('pool.xml')],
    ['pool-define', f('samepath.xml')],
    ['pool-create', f('pool.xml')],
    ['pool-build', 'default-pool'],
    ['pool-start', 'default-pool'],
    ['pool-destroy', 'default-pool'],
    ['pool-delete', 'default-pool'],
    ['pool-undefine', 'default-pool'],
    ['pool-refresh', 'default-pool'],
    ['pool-autostart', 'default-pool'],
    ['vol-list', 'default-pool'],
    ['vol-list', 'default-pool', '--details'],
    ['vol-list', 'nope'],
    ['vol-create', 'default-pool', f('vol.xml')],
    ['vol-create', 'default-pool', f('bigvol.xml')],
    ['vol-create-as', 'default-pool', 'v2', '10M', '--allocation', '1M', '--format', 'qcow2'],
    ['vol-create-as', 'default-pool', 'v2', '1Q'],
    ['vol-create-as', 'default-pool', 'v2', '-1'],
    ['vol-create-as', 'default-pool', 'big', '200G', '--allocation', '200G'],
    ['vol-info', 'nope'],
    ['vol-info', 'nope', '--pool', 'default-pool'],
    ['vol-path', 'nope', '--pool', 'default-pool'],
    ['vol-delete', 'nope', '--pool', 'default-pool'],
    ['vol-clone', 'nope', 'x', '--pool', 'default-pool'],
    ['vol-resize', 'nope', '1G', '--pool', 'default-pool'],
    ['vol-dumpxml', 'nope'],
  ]);
});

t.test(
  "xvirt refuses volume names libvirt's test driver takes ('/' or '..'): no name may leave its pool",
  async (t) => {
    const dir = tempDir(t);
    for (const name of ['a/b', '..', '../../etc/passwd']) {
      writeFileSync(path.join(dir, 'v.xml'), `<volume><name>${name}</name><capacity>1</capacity></volume>`);
      const res = await xvirt(['-c', 'test:///default', 'vol-create', 'default-pool', path.join(dir, 'v.xml')]);
      t.equal(res.code, 1, `${name}: refused`);
      t.match(
        res.stderr,
        /error: Failed to create vol from .*\nerror: XML error: (name .* cannot contain '\/'|volume name '\.\.' is not allowed)/,
      );
    }
  },
);

t.test('--json: one document per command', async (t) => {
  const list = await xvirt(['-c', 'test:///default', 'pool-list', '--details', '--json']);
  t.same(JSON.parse(list.stdout), [
    {
      name: 'default-pool',
      uuid: 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566',
      state: 'running',
      capacity: 107374182400,
      allocation: 0,
      available: 107374182400,
      autostart: false,
      persistent: true,
    },
  ]);
  const info = await xvirt(['-c', 'test:///default', 'net-info', 'default', '--json']);
  t.same(JSON.parse(info.stdout), {
    name: 'default',
    uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df',
    active: true,
    persistent: true,
    autostart: false,
    bridge: 'virbr0',
  });
  const created = await xvirt(['-c', 'test:///default', 'vol-create-as', 'default-pool', 'v', '1G', '--json']);
  t.same(JSON.parse(created.stdout), {
    action: 'created',
    volume: { pool: 'default-pool', name: 'v', key: '/default-pool/v' },
  });
});
