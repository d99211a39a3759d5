// Domain XML → xl config through the project's parser (lib/xml), and live
// domains described in libvirt's layout.
import t from 'tap';
import { ErrorNumber } from '../../../../lib/errors';
import { loadDomainXmlCodec } from '../../../../lib/drivers/xen/domain-xml';
import { describeLiveDomain } from '../../../../lib/drivers/xen-common/live-xml';
import { toXlConfig } from '../../../../lib/drivers/xen/xl';
import { DomainState } from '../../../../lib/constants';
import { XenState } from '../../../../lib/drivers/xen-common/state';

const codec = loadDomainXmlCodec();
const pv = (extra = '', os = '<type>xen</type><kernel>/guest/tinypv.elf</kernel><cmdline>console=hvc0</cmdline>') => `
<domain type='xen'>
  <name>g4</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='MiB'>32</memory>
  <currentMemory unit='KiB'>16384</currentMemory>
  <vcpu>2</vcpu>
  <os>${os}</os>
  <on_poweroff>preserve</on_poweroff>
  ${extra}
</domain>`;

t.test('a PV definition becomes an xl config', async (t) => {
  t.equal(
    toXlConfig(codec.parse(pv())),
    [
      'name = "g4"',
      'uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f"',
      'type = "pv"',
      'memory = 16',
      'maxmem = 32',
      'vcpus = 2',
      'kernel = "/guest/tinypv.elf"',
      'extra = "console=hvc0"',
      'on_poweroff = "preserve"',
      'on_reboot = "restart"',
      'on_crash = "destroy"',
      '',
    ].join('\n'),
  );
  t.equal(codec.parse(pv('', '<type>hvm</type>')).type, 'hvm');
  t.match(codec.format(pv(), 7), /^<domain type='xen' id='7'>\n {2}<name>g4<\/name>/);
  t.notMatch(codec.format(pv(), -1), /id=/);
});

t.test("<cputune><vcpupin> becomes xl's per-vCPU cpus list", async (t) => {
  const pins = (xml: string) =>
    toXlConfig(codec.parse(pv(`<cputune><shares>10</shares>${xml}</cputune>`)))
      .split('\n')
      .filter((l) => l.startsWith('cpus'));
  t.same(pins("<vcpupin vcpu='1' cpuset='0-2,^1'/>"), ['cpus = [ "all", "0,2" ]'], 'unpinned vCPU 0 is "all"');
  t.same(pins("<vcpupin vcpu='0' cpuset='3'/><vcpupin vcpu='1' cpuset='1'/>"), ['cpus = [ "3", "1" ]']);
  t.same(
    pins("<vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='5' cpuset='0'/>"),
    ['cpus = [ "1" ]'],
    "a pin of a vCPU beyond <vcpu> is dropped, as libvirt's parser ignores it",
  );
  t.same(pins("<vcpupin vcpu='1' cpuset='2,^2'/>"), [], 'a pin of no CPU pins nothing');
  t.same(pins(''), [], 'no pins, no cpus line');
});

t.test('what cannot run on Xen, or be built by xl from this XML, is refused by name', async (t) => {
  t.throws(() => codec.parse('<domain'), { name: 'XvirtError', number: ErrorNumber.XML_ERROR });
  t.throws(() => codec.parse(pv().replace("type='xen'", "type='kvm'")), {
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message: /domain type 'kvm'/,
  });
  t.throws(
    () =>
      codec.parse(pv("<devices><graphics type='vnc'/><console type='pty'/><video/><graphics type='sdl'/></devices>")),
    {
      number: ErrorNumber.CONFIG_UNSUPPORTED,
      message: /devices not supported by xvirt's Xen driver: graphics, video$/,
    },
  );
  t.doesNotThrow(() => codec.parse(pv("<devices><console type='pty'/></devices>")), 'a console is implicit');
  t.throws(() => codec.parse(pv('', '<type>xen</type>')), {
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message: /needs an <os><kernel>/,
  });
});

t.test('live domains without a definition are described in libvirt layout', async (t) => {
  const xml = describeLiveDomain({
    ref: { name: 'Domain-0', uuid: '00000000-0000-0000-0000-000000000000', id: 0 },
    info: { state: DomainState.RUNNING, maxMemKiB: 786432, memoryKiB: 786432, nrVirtCpu: 2, cpuTimeNs: 1n },
    xenState: XenState.RUNNING,
    shutdownCode: 255,
    reason: 0,
    flags: 0xffff0020,
  });
  t.match(
    xml,
    /^<domain type='xen' id='0'>\n {2}<name>Domain-0<\/name>\n {2}<uuid>00000000-0000-0000-0000-000000000000<\/uuid>\n {2}<memory unit='KiB'>786432<\/memory>/,
  );
  t.match(xml, /<type arch='x86_64' machine='xenpv'>xen<\/type>/);
});
