// The network, pool and volume commands against the real virsh on the same
// test-driver URIs, line for line (stdout, stderr, exit status): libvirt's
// test:///default and a node file with networks, pools and volumes of its own.
// Each run starts from the URI's initial state, in virsh and in xvirt alike.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { requireBuild, tempDir, xvirt, type RunResult } from '../../support/cli';
import { runVirsh, virshPath } from '../../support/virsh';

requireBuild(t);

const NODE_XML = `<node>
  <network>
    <name>lab</name>
    <uuid>11111111-2222-3333-4444-555555555501</uuid>
    <forward mode='route' dev='eth0'/>
    <bridge name='br-lab' stp='off' delay='2'/>
    <mac address='52:54:00:12:34:56'/>
    <ip address='10.0.0.1' prefix='24'>
      <dhcp>
        <range start='10.0.0.2' end='10.0.0.9'/>
        <host mac='52:54:00:aa:bb:cc' name='h1' ip='10.0.0.5'/>
      </dhcp>
    </ip>
    <ip family='ipv6' address='fd00::1' prefix='64'/>
  </network>
  <network><name>iso</name><uuid>11111111-2222-3333-4444-555555555502</uuid></network>
  <pool type='dir'>
    <name>images</name>
    <uuid>11111111-2222-3333-4444-555555555511</uuid>
    <target><path>/var/lib/images/</path><permissions><mode>0711</mode><owner>0</owner><group>0</group></permissions></target>
    <volume><name>disk1.qcow2</name><capacity unit='G'>20</capacity><allocation unit='M'>300</allocation><target><format type='qcow2'/></target></volume>
    <volume><name>base.img</name><capacity unit='M'>512</capacity></volume>
  </pool>
  <pool type='fs'>
    <name>mnt</name>
    <uuid>11111111-2222-3333-4444-555555555513</uuid>
    <source><device path='/dev/sdc1'/><format type='ext4'/></source>
    <target><path>/mnt/data</path></target>
  </pool>
  <pool type='logical'>
    <name>vg0</name>
    <uuid>11111111-2222-3333-4444-555555555512</uuid>
    <source><device path='/dev/sdb'/></source>
    <target><path>/dev/vg0</path></target>
    <volume><name>lv1</name><capacity unit='G'>1</capacity></volume>
  </pool>
</node>
`;

const FILES: Record<string, string> = {
  'net.xml': "<network><name>nn</name><bridge name='virbr9'/><forward mode='route'/><ip address='10.9.0.1' prefix='24'/></network>",
  'dupnet.xml': '<network><name>default</name><uuid>11111111-6c02-601e-7551-cca97df1c5df</uuid></network>',
  'dupuuid.xml': '<network><name>other</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>',
  'badnet.xml': "<network><name>nb</name><ip address='10.1.1.1' netmask='255.255.255.0'><dhcp><range start='10.2.1.2' end='10.2.1.9'/></dhcp></ip></network>",
  'pool.xml': "<pool type='dir'><name>pp</name><target><path>/pp</path></target></pool>",
  'samepath.xml': "<pool type='dir'><name>d2</name><target><path>/default-pool</path></target></pool>",
  'vol.xml': "<volume><name>vx</name><capacity unit='K'>4</capacity><target><format type='qcow2'/></target></volume>",
  'bigvol.xml': "<volume><name>big</name><capacity unit='G'>200</capacity></volume>",
};

async function compare(t: Test, uri: string, args: string[]): Promise<void> {
  const [theirs, ours]: RunResult[] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
  const what = args.join(' ');
  t.equal(ours.code, theirs.code, `${what}: same exit status (virsh stderr: ${theirs.stderr})`);
  t.equal(ours.stderr, theirs.stderr, `${what}: same stderr`);
  t.equal(ours.stdout, theirs.stdout, `${what}: same stdout`);
}

t.test('virsh is installed (scripts/install-test-deps)', async (t) => {
  t.doesNotThrow(() => virshPath(), 'the comparison runs against the real virsh; it never skips');
});

t.test('a node file with networks, pools and volumes: listings, info and XML', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, NODE_XML);
  const uri = `test://${file}`;
  for (const args of [
    ['net-list', '--all'], ['net-list', '--name'], ['net-info', 'lab'], ['net-info', 'iso'], ['net-dumpxml', 'lab'], ['net-dumpxml', 'iso'],
    ['pool-list', '--all', '--details'], ['pool-list', '--type', 'logical,fs'], ['pool-info', 'images'], ['pool-info', 'vg0', '--bytes'],
    ['pool-dumpxml', 'images'], ['pool-dumpxml', 'mnt'], ['pool-dumpxml', 'vg0'],
    ['vol-list', 'images'], ['vol-list', 'images', '--details'], ['vol-list', 'vg0', '--details'],
    ['vol-info', '/var/lib/images/disk1.qcow2'], ['vol-info', 'base.img', '--pool', 'images', '--bytes'], ['vol-info', '/dev/vg0/lv1'],
    ['vol-dumpxml', '--pool', 'images', 'disk1.qcow2'], ['vol-dumpxml', '/dev/vg0/lv1'], ['vol-path', 'lv1', '--pool', 'vg0'],
    ['vol-clone', 'base.img', 'copy.img', '--pool', 'images'], ['vol-delete', '/var/lib/images/base.img'],
    ['vol-create-as', 'images', 'huge', '90G', '--allocation', '90G'],
  ]) await compare(t, uri, args);
});

t.test('test:///default: every command, its messages and its failures', async (t) => {
  const dir = tempDir(t);
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  const f = (name: string): string => path.join(dir, name);
  const uri = 'test:///default';
  for (const args of [
    ['net-list'], ['net-list', '--all', '--name'], ['net-list', '--uuid'], ['net-list', '--name', '--uuid'], ['net-list', '--inactive'],
    ['net-list', '--transient'], ['net-list', '--autostart'], ['net-info', 'default'], ['net-info', 'dd8fe884-6c02-601e-7551-cca97df1c5df'],
    ['net-info', 'nope'], ['net-dumpxml', 'default'], ['net-dumpxml', 'default', '--inactive'],
    ['net-define', f('net.xml')], ['net-define', f('missing.xml')], ['net-define', f('dupnet.xml')], ['net-define', f('dupuuid.xml')],
    ['net-define', f('badnet.xml')], ['net-create', f('net.xml')], ['net-start', 'default'], ['net-destroy', 'default'],
    ['net-undefine', 'default'], ['net-autostart', 'default'], ['net-autostart', 'default', '--disable'], ['net-autostart', 'nope'],
    ['net-dhcp-leases', 'default'],
    ['pool-list'], ['pool-list', '--all'], ['pool-list', '--name'], ['pool-list', '--uuid'], ['pool-list', '--type', 'dir'],
    ['pool-list', '--type', 'bogus'], ['pool-list', '--details', '--inactive'], ['pool-info', 'default-pool'],
    ['pool-info', 'default-pool', '--bytes'], ['pool-info', 'nope'], ['pool-dumpxml', 'default-pool'], ['pool-dumpxml', 'default-pool', '--inactive'],
    ['pool-define', f('pool.xml')], ['pool-define', f('samepath.xml')], ['pool-create', f('pool.xml')], ['pool-build', 'default-pool'],
    ['pool-start', 'default-pool'], ['pool-destroy', 'default-pool'], ['pool-delete', 'default-pool'], ['pool-undefine', 'default-pool'],
    ['pool-refresh', 'default-pool'], ['pool-autostart', 'default-pool'],
    ['vol-list', 'default-pool'], ['vol-list', 'default-pool', '--details'], ['vol-list', 'nope'],
    ['vol-create', 'default-pool', f('vol.xml')], ['vol-create', 'default-pool', f('bigvol.xml')],
    ['vol-create-as', 'default-pool', 'v2', '10M', '--allocation', '1M', '--format', 'qcow2'], ['vol-create-as', 'default-pool', 'v2', '1Q'],
    ['vol-create-as', 'default-pool', 'v2', '-1'], ['vol-create-as', 'default-pool', 'big', '200G', '--allocation', '200G'],
    ['vol-info', 'nope'], ['vol-info', 'nope', '--pool', 'default-pool'], ['vol-path', 'nope', '--pool', 'default-pool'],
    ['vol-delete', 'nope', '--pool', 'default-pool'], ['vol-clone', 'nope', 'x', '--pool', 'default-pool'],
    ['vol-resize', 'nope', '1G', '--pool', 'default-pool'], ['vol-dumpxml', 'nope'],
  ]) await compare(t, uri, args);
});

t.test("xvirt refuses volume names libvirt's test driver takes ('/' or '..'): no name may leave its pool", async (t) => {
  const dir = tempDir(t);
  for (const name of ['a/b', '..', '../../etc/passwd']) {
    writeFileSync(path.join(dir, 'v.xml'), `<volume><name>${name}</name><capacity>1</capacity></volume>`);
    const res = await xvirt(['-c', 'test:///default', 'vol-create', 'default-pool', path.join(dir, 'v.xml')]);
    t.equal(res.code, 1, `${name}: refused`);
    t.match(res.stderr, /error: Failed to create vol from .*\nerror: XML error: (name .* cannot contain '\/'|volume name '\.\.' is not allowed)/);
  }
});

t.test('--json: one document per command', async (t) => {
  const list = await xvirt(['-c', 'test:///default', 'pool-list', '--details', '--json']);
  t.same(JSON.parse(list.stdout), [{
    name: 'default-pool', uuid: 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566', state: 'running', capacity: 107374182400,
    allocation: 0, available: 107374182400, autostart: false, persistent: true,
  }]);
  const info = await xvirt(['-c', 'test:///default', 'net-info', 'default', '--json']);
  t.same(JSON.parse(info.stdout), {
    name: 'default', uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df', active: true, persistent: true, autostart: false, bridge: 'virbr0',
  });
  const created = await xvirt(['-c', 'test:///default', 'vol-create-as', 'default-pool', 'v', '1G', '--json']);
  t.same(JSON.parse(created.stdout), { action: 'created', volume: { pool: 'default-pool', name: 'v', key: '/default-pool/v' } });
});
