/**
 * Domain XML for the Xen driver, through the project's parser and formatter
 * (lib/xml): a definition becomes the xl config `xl create` builds from, and
 * domains are described back in libvirt's layout.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { formatDomainXml, parseDomainXml, type DomainDefinition } from '../../xml';
import { devicesOf } from './device-xml';
import { toXlConfig, type XlDomainConfig } from './xl';
import { vcpuPinLists } from '../vcpu-pins';

/** What the Xen driver needs of domain XML: this module's codec, or a stand-in in unit tests. */
export interface DomainXmlCodec {
  /** Parses and validates domain XML into an xl-ready config; throws XvirtError (XML_ERROR, CONFIG_UNSUPPORTED). */
  parse(xml: string): XlDomainConfig;
  /** Reformats a stored definition; `id` >= 0 for a running domain, -1 for the inactive form. */
  format(xml: string, id: number): string;
  /** The stored definition `xml` with `change` applied, as inactive XML (for CONFIG changes). */
  edit(xml: string, change: (def: DomainDefinition) => void): string;
}

const GUEST_TYPES: Record<string, XlDomainConfig['type']> = { xen: 'pv', xenpvh: 'pvh', hvm: 'hvm' };

function unsupported(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XEN, detail);
}

/** The xl config for a parsed definition; refuses what the driver cannot hand to xl faithfully. */
export function xlConfigOf(def: DomainDefinition): XlDomainConfig {
  if (def.type !== 'xen') throw unsupported(`domain type '${def.type}' cannot run on Xen (use <domain type='xen'>)`);
  const type = GUEST_TYPES[def.os.type];
  if (!type) throw unsupported(`OS type '${def.os.type}' is not a Xen guest type (xen, xenpvh or hvm)`);
  const { disks, vifs } = devicesOf(def.devicesXml);
  const config: XlDomainConfig = {
    name: def.name,
    uuid: def.uuid,
    type,
    memoryKiB: def.currentMemoryKiB,
    maxMemoryKiB: def.memoryKiB,
    vcpus: def.vcpus,
    maxVcpus: def.maxVcpus,
    kernel: def.os.kernel,
    ramdisk: def.os.initrd,
    cmdline: def.os.cmdline,
    onPoweroff: def.onPoweroff,
    onReboot: def.onReboot,
    onCrash: def.onCrash,
    disks,
    vifs,
  };
  // Pins of vCPU ids the guest cannot have are dropped, as libvirt's parser ignores them.
  const cpus = vcpuPinLists(def).slice(0, def.maxVcpus);
  while (cpus.length > 0 && cpus.at(-1) === null) cpus.pop(); // xl leaves the vCPUs past the list unpinned
  if (cpus.length > 0) config.cpus = cpus;
  // Refuse at define time what xl could not build later; a volume's path is only known at start,
  // so a stand-in path lets the rest of its disk spec be checked now.
  toXlConfig({ ...config, disks: disks.map((d) => (d.volume ? { ...d, target: `/volume/${d.volume.name}` } : d)) });
  return config;
}

export function loadDomainXmlCodec(): DomainXmlCodec {
  return {
    parse: (xml) => xlConfigOf(parseDomainXml(xml)),
    format: (xml, id) => formatDomainXml(parseDomainXml(xml), id >= 0 ? { id } : { inactive: true }),
    edit: (xml, change) => {
      const def = parseDomainXml(xml);
      change(def);
      return formatDomainXml(def, { inactive: true });
    },
  };
}
