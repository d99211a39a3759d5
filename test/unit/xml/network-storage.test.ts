// Network, storage pool and volume XML: parse (strict, libvirt's errors) and
// format (libvirt 9.0's layout). The live comparison with libvirt's own
// formatting is in test/integration/drivers/test-netstore.test.ts.
import t, { type Test } from 'tap';
import { ErrorDomain, ErrorNumber, type XvirtError } from '../../../lib/errors';
import { formatNetworkXml, parseNetworkXml } from '../../../lib/xml/network';
import { formatStoragePoolXml, parseStoragePoolXml } from '../../../lib/xml/storage-pool';
import { formatStorageVolXml, parseStorageVolXml } from '../../../lib/xml/storage-vol';

const UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df';

function fails(t: Test, fn: () => unknown, number: ErrorNumber, pattern: RegExp, what: string): void {
  try {
    fn();
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.equal((err as XvirtError).number, number, `${what}: error number`);
    t.match((err as XvirtError).message, pattern, `${what}: message`);
  }
}

t.test('network: a nat network round-trips in libvirt layout', async (t) => {
  const xml = `<network><name>default</name><uuid>${UUID.replace(/-/g, '').toUpperCase()}</uuid><bridge name='virbr0'/><forward/>
    <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/>
    <host mac='52:54:00:AA:BB:CC' name='h1' ip='192.168.122.5'/></dhcp></ip></network>`;
  const def = parseNetworkXml(xml);
  t.equal(def.uuid, UUID);
  t.equal(def.forward, 'nat');
  t.equal(
    formatNetworkXml(def),
    `<network>
  <name>default</name>
  <uuid>${UUID}</uuid>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
      <host mac='52:54:00:aa:bb:cc' name='h1' ip='192.168.122.5'/>
    </dhcp>
  </ip>
</network>
`,
  );
  t.same(parseNetworkXml(formatNetworkXml(def)), def, 'formatted XML parses back to the same definition');
});

t.test('network: forward modes, dev, bridge attributes, IPv6', async (t) => {
  const none = parseNetworkXml(
    "<network><name>iso</name><bridge stp='off' delay='3'/><ip family='ipv6' address='fd00::1' prefix='64'/></network>",
  );
  t.equal(none.forward, 'none');
  t.match(
    formatNetworkXml(none),
    /<bridge stp='off' delay='3'\/>\n  <ip family='ipv6' address='fd00::1' prefix='64'>\n  <\/ip>/,
  );
  const bridged = parseNetworkXml("<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>");
  t.match(formatNetworkXml(bridged), /<forward mode='bridge'\/>\n  <bridge name='br0'\/>\n<\/network>/);
  const routed = parseNetworkXml("<network><name>r</name><forward mode='route' dev='eth0'/></network>");
  t.match(formatNetworkXml(routed), /<forward dev='eth0' mode='route'>\n    <interface dev='eth0'\/>\n  <\/forward>/);
});

t.test('network: bad input is refused with libvirt numbers', async (t) => {
  const net = (inner: string) => () => parseNetworkXml(`<network>${inner}</network>`);
  fails(t, net('<uuid>' + UUID + '</uuid>'), ErrorNumber.NO_NAME, /missing name information/, 'no name');
  fails(t, net('<name>a/b</name>'), ErrorNumber.XML_DETAIL, /invalid char in name: \//, "'/' in the name");
  fails(
    t,
    net("<name>n</name><forward mode='bogus'/>"),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /unknown forwarding type 'bogus'/,
    'forward mode',
  );
  fails(
    t,
    net("<name>n</name><ip address='300.1.1.1' prefix='24'/>"),
    ErrorNumber.XML_ERROR,
    /Invalid address '300.1.1.1'/,
    'address',
  );
  fails(
    t,
    net(
      "<name>n</name><ip address='10.1.1.1' netmask='255.255.255.0'><dhcp><range start='10.2.1.2' end='10.2.1.9'/></dhcp></ip>",
    ),
    ErrorNumber.INTERNAL_ERROR,
    /not entirely within network 10.1.1.1\/24/,
    'range outside',
  );
  fails(
    t,
    net("<name>n</name><ip address='10.0.0.1'><dhcp><range start='10.1.2.3' end='10.200.0.1'/></dhcp></ip>"),
    ErrorNumber.INTERNAL_ERROR,
    /too large/,
    'range size',
  );
  fails(
    t,
    net("<name>n</name><forward mode='open'/>"),
    ErrorNumber.XML_ERROR,
    /open forwarding requested/,
    'open without ip',
  );
  fails(t, net("<name>n</name><mac address='zz'/>"), ErrorNumber.XML_ERROR, /Invalid bridge mac address 'zz'/, 'mac');
  fails(
    t,
    net("<name>n</name><bridge name='../../etc'/>"),
    ErrorNumber.XML_ERROR,
    /invalid bridge name/,
    'bridge name with a path',
  );
  fails(
    t,
    net('<name>n</name><dns/>'),
    ErrorNumber.XML_ERROR,
    /<dns> .* not supported by xvirt/,
    'unknown element refused, not dropped',
  );
  fails(
    t,
    net("<name>n</name><ip address='10.0.0.1' prefix='24' netmask='255.0.0.0'/>"),
    ErrorNumber.XML_ERROR,
    /both a prefix and a netmask/,
    'prefix+netmask',
  );
});

t.test('storage pool: dir, fs and logical in libvirt layout', async (t) => {
  const figures = { capacity: 100n, allocation: 10n, available: 90n };
  const dir = parseStoragePoolXml(`<pool type='dir'><name>p</name><uuid>${UUID}</uuid><target><path>/var//lib/p/</path>
    <permissions><mode>711</mode><owner>-1</owner><group>0</group></permissions></target></pool>`);
  t.equal(
    formatStoragePoolXml(dir, figures),
    `<pool type='dir'>
  <name>p</name>
  <uuid>${UUID}</uuid>
  <capacity unit='bytes'>100</capacity>
  <allocation unit='bytes'>10</allocation>
  <available unit='bytes'>90</available>
  <source>
  </source>
  <target>
    <path>/var/lib/p</path>
    <permissions>
      <mode>0711</mode>
      <group>0</group>
    </permissions>
  </target>
</pool>
`,
  );
  const fs = parseStoragePoolXml(
    "<pool type='fs'><name>f</name><source><device path='/dev/sdb1'/></source><target><path>/mnt/f</path></target></pool>",
  );
  t.match(
    formatStoragePoolXml(fs, figures),
    /<source>\n    <device path='\/dev\/sdb1'\/>\n    <format type='auto'\/>\n  <\/source>/,
  );
  const lv = parseStoragePoolXml("<pool type='logical'><name>vg</name><target><path>/dev/vg</path></target></pool>");
  t.match(
    formatStoragePoolXml(lv, figures),
    /<source>\n    <name>vg<\/name>\n    <format type='lvm2'\/>\n  <\/source>/,
  );
});

t.test('storage pool: bad input', async (t) => {
  const pool = (type: string, inner: string) => () => parseStoragePoolXml(`<pool type='${type}'>${inner}</pool>`);
  fails(t, pool('dir', '<name>p</name>'), ErrorNumber.XML_ERROR, /missing storage pool target path/, 'no target');
  fails(
    t,
    pool('bogus', '<name>p</name>'),
    ErrorNumber.XML_ERROR,
    /Invalid value for attribute 'type'/,
    'unknown type',
  );
  fails(
    t,
    pool('netfs', '<name>p</name>'),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /not supported by xvirt/,
    'type xvirt does not serve',
  );
  fails(
    t,
    pool('fs', '<name>p</name><target><path>/m</path></target>'),
    ErrorNumber.XML_ERROR,
    /source device name/,
    'fs without device',
  );
  fails(
    t,
    pool('dir', '<name>a/b</name><target><path>/m</path></target>'),
    ErrorNumber.XML_ERROR,
    /name a\/b cannot contain '\/'/,
    "'/' in the name",
  );
  try {
    pool('dir', '<name>p</name>')();
  } catch (err) {
    t.equal((err as XvirtError).domain, ErrorDomain.STORAGE, 'errors come from the storage domain');
  }
});

t.test('storage volume: units, defaults, backing store', async (t) => {
  const vol = parseStorageVolXml(
    `<volume><name>v1.qcow2</name><capacity unit='G'>10</capacity><allocation unit='M'>100</allocation>
    <target><format type='qcow2'/><permissions><mode>0600</mode></permissions></target>
    <backingStore><path>/default-pool/base.img</path><format type='raw'/></backingStore></volume>`,
    'dir',
  );
  t.equal(vol.capacity, 10n * 1024n ** 3n);
  t.equal(vol.allocation, 100n * 1024n ** 2n);
  t.equal(
    formatStorageVolXml(vol, { key: '/p/v1.qcow2', path: '/p/v1.qcow2' }),
    `<volume type='file'>
  <name>v1.qcow2</name>
  <key>/p/v1.qcow2</key>
  <capacity unit='bytes'>10737418240</capacity>
  <allocation unit='bytes'>104857600</allocation>
  <target>
    <path>/p/v1.qcow2</path>
    <format type='qcow2'/>
    <permissions>
      <mode>0600</mode>
    </permissions>
  </target>
  <backingStore>
    <path>/default-pool/base.img</path>
    <format type='raw'/>
  </backingStore>
</volume>
`,
  );
  const plain = parseStorageVolXml('<volume><name>plain</name><capacity>1000</capacity></volume>', 'dir');
  t.equal(plain.allocation, 1000n, 'allocation defaults to the capacity');
  t.equal(plain.format, 'raw', 'dir-pool volumes default to raw');
  t.equal(parseStorageVolXml('<volume><name>lv</name><capacity>1</capacity></volume>', 'logical').format, null);
  const lazy = parseStorageVolXml(
    "<volume><name>q</name><capacity>1</capacity><target><format type='qcow2'/>" +
      '<features><lazy_refcounts/></features></target></volume>',
    'dir',
  );
  t.equal(lazy.compat, '1.1', 'features without compat imply 1.1, as libvirt');
  t.match(
    formatStorageVolXml(lazy, { key: 'k', path: 'p' }),
    /<format type='qcow2'\/>\n    <compat>1.1<\/compat>\n    <features>\n      <lazy_refcounts\/>\n    <\/features>\n  <\/target>/,
  );
});

t.test('storage volume: names are one path component; bad sizes and formats', async (t) => {
  const vol = (inner: string) => () => parseStorageVolXml(`<volume>${inner}</volume>`, 'dir');
  fails(
    t,
    vol('<name>a/b</name><capacity>1</capacity>'),
    ErrorNumber.XML_ERROR,
    /cannot contain '\/'/,
    "'/' in a name",
  );
  fails(
    t,
    vol('<name>..</name><capacity>1</capacity>'),
    ErrorNumber.XML_ERROR,
    /'\.\.' is not allowed/,
    "'..' as a name",
  );
  fails(t, vol('<name>.</name><capacity>1</capacity>'), ErrorNumber.XML_ERROR, /not allowed/, "'.' as a name");
  fails(t, vol('<capacity>1</capacity>'), ErrorNumber.XML_ERROR, /missing volume name element/, 'no name');
  fails(
    t,
    vol('<name>v</name><capacity>200G</capacity>'),
    ErrorNumber.XML_ERROR,
    /malformed capacity element/,
    'unit in the text',
  );
  fails(
    t,
    vol('<name>v</name><capacity>-5</capacity>'),
    ErrorNumber.XML_ERROR,
    /malformed capacity element/,
    'negative',
  );
  fails(
    t,
    vol("<name>v</name><capacity unit='E'>99</capacity>"),
    ErrorNumber.XML_ERROR,
    /larger than 2\^64-1/,
    'overflow',
  );
  fails(
    t,
    vol("<name>v</name><capacity>1</capacity><target><format type='bogus'/></target>"),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /unknown volume format type bogus/,
    'format',
  );
  fails(
    t,
    vol('<name>v</name><capacity>1</capacity><target><compat>x</compat></target>'),
    ErrorNumber.XML_ERROR,
    /forbidden characters in 'compat'/,
    'compat',
  );
  fails(
    t,
    vol('<name>v</name><capacity>1</capacity><target><features><bogus/></features></target>'),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /unsupported feature bogus/,
    'feature',
  );
});
