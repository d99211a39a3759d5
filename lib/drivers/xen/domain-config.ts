/**
 * Domain XML as the Xen driver sees it: a codec (lib/drivers/xen/domain-xml.ts
 * over lib/xml; a stand-in in unit tests) and the description of live
 * domains that have no stored definition.
 */
import { formatDomainXml, type DomainDefinition } from '../../xml';
import type { LiveDomain } from './domains';
import { liveDefinition } from './domain-xml';
import type { XlDomainConfig } from './xl';

export interface DomainXmlCodec {
  /** Parses and validates domain XML into an xl-ready config; throws XvirtError (XML_ERROR, CONFIG_UNSUPPORTED). */
  parse(xml: string): XlDomainConfig;
  /** Reformats a stored definition; `id` >= 0 for a running domain, -1 for the inactive form. */
  format(xml: string, id: number): string;
  /** The stored definition `xml` with `change` applied, as inactive XML (for CONFIG changes). */
  edit(xml: string, change: (def: DomainDefinition) => void): string;
}

/** The XML of a running domain xvirt holds no definition for (built by xl directly, or Domain-0). */
export function describeLiveDomain(d: LiveDomain): string {
  const def = liveDefinition({
    name: d.ref.name, uuid: d.ref.uuid, hvm: (d.flags & 0x2) !== 0,
    maxMemKiB: d.info.maxMemKiB, memoryKiB: d.info.memoryKiB, vcpus: d.info.nrVirtCpu,
  });
  return formatDomainXml(def, { id: d.ref.id });
}
