// Domain XML: parsing into a DomainDefinition (units, defaults, validation)
// and formatting back, with unknown elements carried through unchanged.
import t from 'tap';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { ErrorNumber, XvirtError } from '../../../lib/errors';
import { formatDomainXml, parseDomainXml, parseMemoryKiB } from '../../../lib/xml';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

function domainXml(inner: string, attrs = "type='test'"): string {
  return `<domain ${attrs}>${inner}</domain>`;
}

const MINIMAL = `<name>vm1</name><memory>1024</memory><os><type>hvm</type></os>`;

function root(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement!;
}

t.test('reads the identity, memory, vCPUs, OS and lifecycle actions', async (t) => {
  const def = parseDomainXml(
    domainXml(
      `
    <name>web01</name>
    <uuid>${UUID.toUpperCase().replace(/-/g, '')}</uuid>
    <memory unit='MiB'>512</memory>
    <currentMemory unit='KiB'>262144</currentMemory>
    <vcpu placement='static' current='2'>4</vcpu>
    <os>
      <type arch='x86_64' machine='pc'>hvm</type>
      <kernel>/boot/vmlinuz</kernel>
      <initrd>/boot/initrd.img</initrd>
      <cmdline>console=ttyS0 root=/dev/vda</cmdline>
      <boot dev='cdrom'/>
      <boot dev='hd'/>
    </os>
    <on_poweroff>preserve</on_poweroff>
    <on_reboot>destroy</on_reboot>
    <on_crash>coredump-restart</on_crash>`,
      "type='kvm' id='7'",
    ),
  );
  t.equal(def.type, 'kvm');
  t.equal(def.name, 'web01');
  t.equal(def.uuid, UUID, 'uuid is canonicalised to lower-case 8-4-4-4-12');
  t.equal(def.memoryKiB, 512 * 1024);
  t.equal(def.currentMemoryKiB, 262144);
  t.equal(def.maxVcpus, 4);
  t.equal(def.vcpus, 2);
  t.same(def.os, {
    type: 'hvm',
    arch: 'x86_64',
    machine: 'pc',
    kernel: '/boot/vmlinuz',
    initrd: '/boot/initrd.img',
    cmdline: 'console=ttyS0 root=/dev/vda',
    boot: ['cdrom', 'hd'],
    extraXml: [],
  });
  t.equal(def.onPoweroff, 'preserve');
  t.equal(def.onReboot, 'destroy');
  t.equal(def.onCrash, 'coredump-restart');
  t.equal(def.devicesXml, null);
});

t.test('applies libvirt defaults', async (t) => {
  const def = parseDomainXml(domainXml(MINIMAL));
  t.equal(def.currentMemoryKiB, def.memoryKiB, 'currentMemory defaults to memory');
  t.equal(def.maxVcpus, 1);
  t.equal(def.vcpus, 1);
  t.same(def.os.boot, ['hd'], 'an hvm guest without kernel boots from disk');
  t.equal(def.os.arch, null, 'arch is left for the driver to choose');
  t.same([def.onPoweroff, def.onReboot, def.onCrash], ['destroy', 'restart', 'destroy']);
  t.match(def.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a uuid is generated');
  t.not(parseDomainXml(domainXml(MINIMAL)).uuid, def.uuid, 'each generated uuid is new');

  const pv = parseDomainXml(
    domainXml(`<name>pv</name><memory>1024</memory><os><type>linux</type><kernel>/k</kernel></os>`, "type='xen'"),
  );
  t.equal(pv.os.type, 'xen', "the legacy os type 'linux' reads as 'xen'");
  t.same(pv.os.boot, [], 'a PV guest with a kernel gets no boot device');

  const big = parseDomainXml(
    domainXml(`<name>b</name><memory>1024</memory><currentMemory>4096</currentMemory><os><type>hvm</type></os>`),
  );
  t.equal(big.currentMemoryKiB, 1024, 'currentMemory above memory is clamped to memory, as libvirt does');
});

t.test("memory units are libvirt's, rounded up to KiB", async (t) => {
  const cases: Array<[string, string | null, number]> = [
    ['1024', null, 1024],
    ['1024', 'KiB', 1024],
    ['1024', 'k', 1024],
    ['1024', 'K', 1024],
    ['1', 'M', 1024],
    ['1', 'MiB', 1024],
    ['1', 'mib', 1024],
    ['2', 'G', 2 * 1024 * 1024],
    ['2', 'GiB', 2 * 1024 * 1024],
    ['1', 'TiB', 1024 ** 3],
    ['1', 'T', 1024 ** 3],
    ['1', 'KB', 1],
    ['1', 'MB', Math.ceil(1e6 / 1024)],
    ['1', 'GB', Math.ceil(1e9 / 1024)],
    ['2048', 'b', 2],
    ['2049', 'bytes', 3],
    ['1', 'b', 1],
  ];
  for (const [value, unit, kib] of cases) {
    t.equal(parseMemoryKiB(value, unit, '<memory>'), kib, `${value} ${unit ?? '(no unit)'} = ${kib} KiB`);
    const xml = domainXml(
      `<name>m</name><memory${unit ? ` unit='${unit}'` : ''}>${value}</memory><os><type>hvm</type></os>`,
    );
    t.equal(parseDomainXml(xml).memoryKiB, kib);
  }
});

t.test('invalid or incomplete XML is an XML_ERROR naming the problem', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['not XML', 'this is not xml', /not well-formed/],
    ['unclosed element', '<domain type="test"><name>x</name>', /not well-formed/],
    ['empty document', '', /not well-formed/],
    ['wrong root', '<network><name>x</name></network>', /root element of 'domain', not 'network'/],
    ['DOCTYPE', '<!DOCTYPE domain [<!ENTITY e "x">]><domain type="test"><name>&e;</name></domain>', /DOCTYPE/],
    ['missing type', `<domain>${MINIMAL}</domain>`, /missing domain type/],
    ['unknown type', domainXml(MINIMAL, "type='foo'"), /unknown domain type 'foo'/],
    ['missing name', domainXml('<memory>1024</memory><os><type>hvm</type></os>'), /missing domain name/],
    ['empty name', domainXml('<name> </name><memory>1024</memory><os><type>hvm</type></os>'), /missing domain name/],
    ['name with /', domainXml('<name>a/b</name><memory>1024</memory><os><type>hvm</type></os>'), /cannot contain '\/'/],
    [
      'name with newline',
      domainXml('<name>a&#10;b</name><memory>1024</memory><os><type>hvm</type></os>'),
      /control characters or newlines/,
    ],
    [
      'bad uuid',
      domainXml(`<name>u</name><uuid>zz</uuid><memory>1024</memory><os><type>hvm</type></os>`),
      /malformed uuid 'zz'/,
    ],
    [
      'short uuid',
      domainXml(`<name>u</name><uuid>6695eb01-f6a4</uuid><memory>1024</memory><os><type>hvm</type></os>`),
      /malformed uuid/,
    ],
    [
      'bad memory unit',
      domainXml(`<name>u</name><memory unit='foo'>1</memory><os><type>hvm</type></os>`),
      /unknown unit 'foo'/,
    ],
    [
      'bad memory unit suffix',
      domainXml(`<name>u</name><memory unit='KX'>1</memory><os><type>hvm</type></os>`),
      /unknown unit 'KX'/,
    ],
    [
      'memory not a number',
      domainXml(`<name>u</name><memory>abc</memory><os><type>hvm</type></os>`),
      /invalid <memory> value 'abc'/,
    ],
    [
      'negative memory',
      domainXml(`<name>u</name><memory>-5</memory><os><type>hvm</type></os>`),
      /invalid <memory> value '-5'/,
    ],
    [
      'zero memory',
      domainXml(`<name>u</name><memory>0</memory><os><type>hvm</type></os>`),
      /<memory> must be greater than 0/,
    ],
    ['huge memory', domainXml(`<name>u</name><memory unit='EiB'>100</memory><os><type>hvm</type></os>`), /too large/],
    ['missing memory', domainXml(`<name>u</name><os><type>hvm</type></os>`), /missing <memory>/],
    [
      'bad currentMemory',
      domainXml(`<name>u</name><memory>1</memory><currentMemory unit='x'>1</currentMemory><os><type>hvm</type></os>`),
      /unknown unit 'x' in <currentMemory>/,
    ],
    ['zero vcpu', domainXml(`${MINIMAL}<vcpu>0</vcpu>`), /<vcpu> count must be at least 1/],
    ['negative vcpu', domainXml(`${MINIMAL}<vcpu>-1</vcpu>`), /<vcpu> count must be a positive integer/],
    ['vcpu not a number', domainXml(`${MINIMAL}<vcpu>abc</vcpu>`), /<vcpu> count must be a positive integer/],
    ['absurd vcpu', domainXml(`${MINIMAL}<vcpu>99999999</vcpu>`), /at most 16384/],
    ['current above max', domainXml(`${MINIMAL}<vcpu current='3'>2</vcpu>`), /exceeds the maximum vCPU count 2/],
    ['missing os', domainXml(`<name>u</name><memory>1</memory>`), /missing <os><type>/],
    [
      'missing os type',
      domainXml(`<name>u</name><memory>1</memory><os><kernel>/k</kernel></os>`),
      /missing <os><type>/,
    ],
    [
      'unknown os type',
      domainXml(`<name>u</name><memory>1</memory><os><type>dos</type></os>`),
      /unknown OS type 'dos'/,
    ],
    ['exe without init', domainXml(`<name>u</name><memory>1</memory><os><type>exe</type></os>`), /needs an <os><init>/],
    [
      'unknown arch',
      domainXml(`<name>u</name><memory>1</memory><os><type arch='z80'>hvm</type></os>`),
      /unknown architecture 'z80'/,
    ],
    [
      'unknown boot device',
      domainXml(`<name>u</name><memory>1</memory><os><type>hvm</type><boot dev='tape'/></os>`),
      /unknown boot device 'tape'/,
    ],
    [
      'unknown on_poweroff',
      domainXml(`${MINIMAL}<on_poweroff>explode</on_poweroff>`),
      /unknown <on_poweroff> action 'explode'/,
    ],
    [
      'coredump is only for crashes',
      domainXml(`${MINIMAL}<on_reboot>coredump-destroy</on_reboot>`),
      /unknown <on_reboot> action/,
    ],
  ];
  for (const [what, xml, message] of cases) {
    let err: unknown = null;
    try {
      parseDomainXml(xml);
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof XvirtError, `${what}: an XvirtError`);
    const e = err as XvirtError;
    t.equal(e.number, ErrorNumber.XML_ERROR, `${what}: number 27`);
    t.equal(e.code, 'XML_ERROR');
    t.match(e.message, /^XML error: /, `${what}: libvirt's prefix`);
    t.match(e.message, message, `${what}: ${e.message}`);
  }
  t.throws(
    () => parseDomainXml(42 as unknown as string),
    { name: 'XvirtError', number: ErrorNumber.XML_ERROR },
    'a non-string is refused',
  );
});

t.test('formats libvirt-style XML that parses back to the same definition', async (t) => {
  const xml = domainXml(`
    <name>db &amp; cache &lt;1&gt;</name>
    <uuid>${UUID}</uuid>
    <title>Database</title>
    <memory unit='GiB'>2</memory>
    <currentMemory unit='MiB'>1024</currentMemory>
    <vcpu current='1'>2</vcpu>
    <os><type arch='i686'>hvm</type><loader readonly='yes'>/usr/share/ovmf.fd</loader><boot dev='network'/><bootmenu enable='yes'/></os>
    <features><acpi/><apic/></features>
    <on_crash>restart</on_crash>
    <devices><disk type='file' device='disk'><source file="/var/lib/it's.img"/><target dev='vda' bus='virtio'/></disk>
      <console type='pty'/></devices>`);
  const def = parseDomainXml(xml);
  t.equal(def.name, 'db & cache <1>');
  const text = formatDomainXml(def, { id: 4 });
  t.match(
    text,
    /^<domain type='test' id='4'>\n  <name>db &amp; cache &lt;1&gt;<\/name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>\n  <title>Database<\/title>\n  <memory unit='KiB'>2097152<\/memory>\n  <currentMemory unit='KiB'>1048576<\/currentMemory>\n  <vcpu placement='static' current='1'>2<\/vcpu>\n  <os>\n/,
  );
  t.ok(text.endsWith('</domain>\n'), "ends with a newline, as libvirt's does");
  t.notMatch(formatDomainXml(def, { id: 4, inactive: true }), /id=/, 'inactive XML carries no id');
  t.notMatch(formatDomainXml(def, { id: -1 }), /id=/, 'an inactive domain (id -1) carries no id');

  const again = parseDomainXml(text);
  t.same(
    again,
    { ...def, extraXml: [...def.extraXml, "  <clock offset='utc'/>"] },
    'parses back to the same definition (plus the default clock)',
  );
  t.equal(formatDomainXml(again, { id: 4 }), text, 'format(parse(format(def))) is stable');

  // Unknown elements survive with their attributes and content.
  const back = root(text);
  const source = back.getElementsByTagName('source')[0]!;
  t.equal(source.getAttribute('file'), "/var/lib/it's.img", 'attribute values with quotes survive');
  t.equal(back.getElementsByTagName('loader')[0]!.textContent, '/usr/share/ovmf.fd');
  t.equal(back.getElementsByTagName('loader')[0]!.getAttribute('readonly'), 'yes');
  t.equal(back.getElementsByTagName('bootmenu').length, 1);
  t.equal(back.getElementsByTagName('acpi').length, 1);
  t.equal(back.getElementsByTagName('console')[0]!.getAttribute('type'), 'pty');
  t.equal(back.getElementsByTagName('on_crash')[0]!.textContent, 'restart');
});

t.test('elements in other namespaces keep their namespace', async (t) => {
  const xml = `<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' xmlns:lib='urn:lib'>${MINIMAL}
    <metadata><app:info xmlns:app='urn:example'>hello</app:info><x><lib:deep lib:attr='1'/></x></metadata>
    <qemu:commandline><qemu:arg value='-s'/></qemu:commandline></domain>`;
  const text = formatDomainXml(parseDomainXml(xml));
  const back = root(text);
  const cmd = back.getElementsByTagNameNS('http://libvirt.org/schemas/domain/qemu/1.0', 'arg');
  t.equal(cmd.length, 1, 'qemu:arg is still in the qemu namespace');
  t.equal(cmd[0]!.getAttribute('value'), '-s');
  t.equal(back.getElementsByTagNameNS('urn:example', 'info')[0]?.textContent, 'hello');
  const deep = back.getElementsByTagNameNS('urn:lib', 'deep');
  t.equal(deep.length, 1, 'a prefix declared on <domain> and used deep inside is declared again');
  t.equal(deep[0]!.getAttributeNS('urn:lib', 'attr'), '1', 'prefixed attributes too');
  t.equal(formatDomainXml(parseDomainXml(text)), text, 'stable over round trips');
  t.ok(text.indexOf('<qemu:commandline') > text.indexOf('</devices>'), 'foreign elements come last, as in libvirt');
});

t.test('text with significant whitespace is kept as is', async (t) => {
  const def = parseDomainXml(
    domainXml(`${MINIMAL}<description>line one
  line two</description>`),
  );
  const text = formatDomainXml(def);
  t.equal(root(text).getElementsByTagName('description')[0]!.textContent, 'line one\n  line two');
  t.equal(formatDomainXml(parseDomainXml(text)), text, 'and stays stable over round trips');
});

t.test('mangled documents fail cleanly: an XvirtError, never a crash or another error type', async (t) => {
  const valid = formatDomainXml(
    parseDomainXml(
      domainXml(`<name>fuzz</name><uuid>${UUID}</uuid><memory unit='MiB'>64</memory>
    <vcpu current='1'>2</vcpu><os><type arch='i686'>hvm</type><kernel>/k</kernel><boot dev='hd'/></os>
    <features><acpi/></features><devices><disk type='file'><source file='/a b'/></disk></devices>`),
    ),
  );
  // A fixed-seed generator, so a failure reproduces.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const alphabet = `<>/='"&;# \n\t-0123456789abcdefxyz${'\u00e9\u0000\uffff'}`;
  let failures = 0;
  let parsed = 0;
  for (let i = 0; i < 1000; i++) {
    const chars = [...valid];
    for (let k = 1 + rand(4); k > 0; k--) {
      const at = rand(chars.length);
      const op = rand(3);
      if (op === 0) chars.splice(at, 1 + rand(8));
      else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
      else chars[at] = alphabet[rand(alphabet.length)]!;
    }
    const text = chars.join('');
    try {
      const def = parseDomainXml(text);
      parsed++;
      // Whatever parses must format and parse back to the same definition.
      const again = parseDomainXml(formatDomainXml(def));
      if (JSON.stringify({ ...again, extraXml: [] }) !== JSON.stringify({ ...def, extraXml: [] })) {
        failures++;
        t.fail(`round trip changed the definition of: ${JSON.stringify(text)}`);
      }
    } catch (err) {
      if (!(err instanceof XvirtError) || err.number !== ErrorNumber.XML_ERROR) {
        failures++;
        t.fail(`${String(err)} for: ${JSON.stringify(text)}`);
      }
    }
    if (failures > 5) break;
  }
  t.equal(failures, 0, `1000 mangled documents (${parsed} still valid) all parsed or failed with XML_ERROR`);
});
