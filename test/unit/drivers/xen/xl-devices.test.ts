// <disk> and <interface> → xl `disk = [...]` / `vif = [...]`: the exact config
// text, and refusal (by element and attribute) of what xl cannot build or
// what could smuggle keys, quotes or lines into the config.
import t from 'tap';
import { ErrorNumber } from '../../../../lib/errors';
import { loadDomainXmlCodec } from '../../../../lib/drivers/xen/domain-xml';
import { toXlConfig } from '../../../../lib/drivers/xen/xl';
import { diskSpec, vifSpec } from '../../../../lib/drivers/xen/xl-devices';

const codec = loadDomainXmlCodec();
const guest = (
  devices: string,
  osType = 'xen',
) => `<domain type='xen'><name>g5</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e1930</uuid>
  <memory unit='MiB'>16</memory><vcpu>1</vcpu>
  <os><type>${osType}</type>${osType === 'xen' ? '<kernel>/guest/tinypv.elf</kernel>' : ''}</os>
  <devices>${devices}</devices></domain>`;
const xl = (devices: string, osType?: string) => toXlConfig(codec.parse(guest(devices, osType)));
/** The config's lines from `disk =` on (the rest is tested in xen-domain-xml.test.ts). */
const deviceLines = (devices: string, osType?: string) =>
  xl(devices, osType)
    .split('\n')
    .filter((l) => /^(disk|vif) = /.test(l));

t.test('file and block disks, cdroms and interfaces become xl device specs', async (t) => {
  t.same(
    deviceLines(`
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/xen/images/g5 root.qcow2'/><target dev='xvda' bus='xen'/></disk>
    <disk type='block'><source dev='/dev/vg0/g5-data'/><target dev='xvdb'/></disk>
    <disk type='file' device='cdrom'><source file='/srv/iso/install.iso'/><target dev='xvdc' bus='xen'/><readonly/></disk>
    <disk type='block'><driver name='phy' type='raw'/><source dev='/dev/sdb'/><target dev='xvdd1'/><readonly/></disk>
    <interface type='bridge'><mac address='00:16:3E:5F:48:E4'/><source bridge='xenbr0'/><script path='vif-bridge'/><model type='netfront'/><target dev='vif-g5.0'/></interface>
    <interface type='ethernet'><script path='/etc/xen/scripts/vif-route'/></interface>
    <interface type='bridge'><source bridge='br1'/></interface>
    <console type='pty'/>`),
    [
      'disk = [ "format=qcow2, vdev=xvda, access=rw, backendtype=qdisk, target=/var/lib/xen/images/g5 root.qcow2", ' +
        '"format=raw, vdev=xvdb, access=rw, target=/dev/vg0/g5-data", ' +
        '"format=raw, vdev=xvdc, access=ro, devtype=cdrom, target=/srv/iso/install.iso", ' +
        '"format=raw, vdev=xvdd1, access=ro, backendtype=phy, target=/dev/sdb" ]',
      'vif = [ "mac=00:16:3e:5f:48:e4,bridge=xenbr0,script=vif-bridge,vifname=vif-g5.0", "script=/etc/xen/scripts/vif-route", "bridge=br1" ]',
    ],
  );
  t.same(
    deviceLines("<interface type='bridge'><source bridge='xenbr0'/><model type='e1000'/></interface>", 'hvm'),
    ['vif = [ "bridge=xenbr0,model=e1000" ]'],
    'an emulated NIC model for an HVM guest',
  );
  t.notMatch(xl("<console type='pty'/>"), /disk|vif/, 'no device lists without devices');
  t.same(
    codec.parse(guest("<disk><source file='/i'/><target dev='xvda'/></disk>")).disks,
    [{ target: '/i', vdev: 'xvda', cdrom: false, readonly: false, format: 'raw', backend: null }],
    'kept in the stored config',
  );
});

t.test('what xl cannot build is refused, naming the element and attribute', async (t) => {
  const refused: Array<[string, RegExp]> = [
    [
      "<disk type='network'><source protocol='nbd'/><target dev='xvda'/></disk>",
      /<disk type> 'network' is not supported/,
    ],
    ["<disk device='floppy'><source file='/f'/><target dev='xvda'/></disk>", /<disk device> 'floppy'/],
    ["<disk><source file='/f'/><target dev='hda' bus='ide'/></disk>", /<disk> hda <target bus> 'ide' is not supported/],
    ["<disk><source file='/f'/></disk>", /<disk> #1: <target dev> is required/],
    ["<disk device='cdrom'><target dev='xvdc'/><readonly/></disk>", /<disk> xvdc: <source file> is required/],
    ["<disk type='block'><source file='/f'/><target dev='xvda'/></disk>", /xvda: <source dev> is required/],
    [
      "<disk><driver name='qemu' type='vmdk'/><source file='/f'/><target dev='xvda'/></disk>",
      /<disk> xvda <driver type> 'vmdk'/,
    ],
    [
      "<disk><driver name='tap'/><source file='/f'/><target dev='xvda'/></disk>",
      /<driver name='tap'> is not supported/,
    ],
    [
      "<disk><driver name='qemu' cache='none'/><source file='/f'/><target dev='xvda'/></disk>",
      /<disk> #1 <driver>: attribute 'cache' is not supported/,
    ],
    ["<disk><source file='/f'/><target dev='xvda'/><shareable/></disk>", /<disk> #1: <shareable> is not supported/],
    ["<disk><source file='/f'/><target dev='xvda'/><readonly/><readonly/></disk>", /more than one <readonly>/],
    [
      "<disk><driver name='phy' type='qcow2'/><source file='/f'/><target dev='xvda'/></disk>",
      /phy backend serves raw images only/,
    ],
    [
      "<disk><source file='/f'/><target dev='xvda'/></disk><disk><source file='/g'/><target dev='xvda'/></disk>",
      /two disks use <target dev='xvda'>/,
    ],
    [
      "<disk><source file='relative.img'/><target dev='xvda'/></disk>",
      /disk xvda source 'relative.img' is not usable with xl \(expected an absolute path\)/,
    ],
    ["<disk><source file='/f'/><target dev='sda'/></disk>", /disk <target dev> 'sda' is not usable/],
    [
      "<interface type='network'><source bridge='br0'/></interface>",
      /<interface> #1 <source>: attribute 'bridge' is not supported/,
    ],
    ["<interface type='network'/>", /a network interface needs <source network='...'>/],
    ["<interface type='user'/>", /<interface type> 'user' is not supported/],
    [
      "<interface type='bridge'><mac address='00:16:3e:00:00:01'/></interface>",
      /bridge interface needs <source bridge/,
    ],
    [
      "<interface type='ethernet'><source bridge='br0'/></interface>",
      /<interface> #1 <source>: attribute 'bridge' is not supported/,
    ],
    [
      "<interface type='bridge'><source bridge='br0'/><ip address='10.0.0.2'/></interface>",
      /<interface> #1: <ip> is not supported/,
    ],
    [
      "<interface type='bridge'><source bridge='br0'/><model type='e1000'/></interface>",
      /<model type='e1000'> is an emulated NIC, which needs an HVM guest/,
    ],
    ["<interface type='bridge'><source bridge='br0'/><mac address='01:16:3e:00:00:01'/></interface>", /multicast/],
    [
      "<interface type='bridge'><source bridge='br0'/><mac address='00:16:3e:00:00'/></interface>",
      /<mac address> '00:16:3e:00:00' is not usable/,
    ],
    [
      "<interface type='bridge'><source bridge='a-bridge-name-too-long'/></interface>",
      /<source bridge> 'a-bridge-name-too-long' is not usable/,
    ],
    ["<graphics type='vnc'/>", /devices not supported by xvirt's Xen driver: graphics/],
  ];
  for (const [devices, message] of refused) {
    t.throws(() => codec.parse(guest(devices)), { number: ErrorNumber.CONFIG_UNSUPPORTED, message }, devices);
  }
});

t.test('no value can add a key to a spec, end it, or start a config line', async (t) => {
  const injections: Array<[string, RegExp]> = [
    [
      "<disk><source file='/img,backendtype=phy'/><target dev='xvda'/></disk>",
      /"\/img,backendtype=phy" contains a comma/,
    ],
    [`<disk><source file='/img"]&#10;bootloader = "/bin/sh'/><target dev='xvda'/></disk>`, /contains a double quote/],
    ["<disk><source file='/img&#10;x'/><target dev='xvda'/></disk>", /contains a newline/],
    ["<disk><source file=\"/it's\"/><target dev='xvda'/></disk>", /contains a single quote/],
    ["<disk><source file='/a\\b'/><target dev='xvda'/></disk>", /contains a backslash/],
    [
      "<disk><source file='/f'/><target dev='xvda,devtype=cdrom'/></disk>",
      /disk <target dev> "xvda,devtype=cdrom" contains a comma/,
    ],
    [
      "<interface type='bridge'><source bridge='br0,script=/tmp/evil'/></interface>",
      /<source bridge> "br0,script=\/tmp\/evil" contains a comma/,
    ],
    [
      "<interface type='bridge'><source bridge='br0'/><script path='/tmp/x y'/></interface>",
      /<script path> '\/tmp\/x y' is not usable/,
    ],
    [
      "<interface type='bridge'><source bridge='br0'/><target dev='vif&#9;1'/></interface>",
      /contains a control character/,
    ],
  ];
  for (const [devices, message] of injections) {
    t.throws(() => codec.parse(guest(devices)), { number: ErrorNumber.CONFIG_UNSUPPORTED, message }, devices);
  }
  // The builders check on their own too (configs can come from other code than the XML parser).
  t.throws(
    () => diskSpec({ target: '/x,y', vdev: 'xvda', format: 'raw', readonly: false, cdrom: false, backend: null }),
    /comma/,
  );
  t.throws(
    () => vifSpec({ mac: null, bridge: null, script: 'a"b', model: null, vifname: null }, false),
    /double quote/,
  );
});
