// The network, pool and volume commands against the real virsh on the same
// test-driver URIs, line for line (stdout, stderr, exit status): libvirt's
// a node file with networks, pools and volumes of its own (test:///default:
// netstore-virsh-default.test.ts).
// Each run starts from the URI's initial state, in virsh and in xvirt alike.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { requireBuild, tempDir } from '../../support/cli';
import { virshPath } from '../../support/virsh';
import { compareAllWithVirsh } from '../../support/virsh-compare';

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

t.test('virsh is installed (scripts/install-test-deps)', async (t) => {
  t.doesNotThrow(() => virshPath(), 'the comparison runs against the real virsh; it never skips');
});

t.test('a node file with networks, pools and volumes: listings, info and XML', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, NODE_XML);
  const uri = `test://${file}`;
  await compareAllWithVirsh(t, uri, [
    ['net-list', '--all'],
    ['net-list', '--name'],
    ['net-info', 'lab'],
    ['net-info', 'iso'],
    ['net-dumpxml', 'lab'],
    ['net-dumpxml', 'iso'],
    ['pool-list', '--all', '--details'],
    ['pool-list', '--type', 'logical,fs'],
    ['pool-info', 'images'],
    ['pool-info', 'vg0', '--bytes'],
    ['pool-dumpxml', 'images'],
    ['pool-dumpxml', 'mnt'],
    ['pool-dumpxml', 'vg0'],
    ['vol-list', 'images'],
    ['vol-list', 'images', '--details'],
    ['vol-list', 'vg0', '--details'],
    ['vol-info', '/var/lib/images/disk1.qcow2'],
    ['vol-info', 'base.img', '--pool', 'images', '--bytes'],
    ['vol-info', '/dev/vg0/lv1'],
    ['vol-dumpxml', '--pool', 'images', 'disk1.qcow2'],
    ['vol-dumpxml', '/dev/vg0/lv1'],
    ['vol-path', 'lv1', '--pool', 'vg0'],
    ['vol-clone', 'base.img', 'copy.img', '--pool', 'images'],
    ['vol-delete', '/var/lib/images/base.img'],
    ['vol-create-as', 'images', 'huge', '90G', '--allocation', '90G'],
  ]);
});
