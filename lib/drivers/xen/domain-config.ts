/**
 * Domain XML as the Xen driver uses it: parsed (by the project's domain XML
 * parser, lib/xml) into what `xl create` needs, and a description of live
 * domains that have no stored definition.
 */
import type { LiveDomain } from './domains';
import type { XlDomainConfig } from './xl';

/** Parses and validates domain XML into an xl-ready config; throws XvirtError (XML_ERROR...) on bad input. */
export interface DomainXmlCodec {
  parse(xml: string): XlDomainConfig;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The XML of a running domain xvirt holds no definition for (built by xl, or Domain-0). */
export function describeLiveDomain(d: LiveDomain): string {
  const hvm = d.flags & 0x2;
  return [
    `<domain type='xen' id='${d.ref.id}'>`,
    `  <name>${escapeXml(d.ref.name)}</name>`,
    `  <uuid>${d.ref.uuid}</uuid>`,
    `  <memory unit='KiB'>${d.info.maxMemKiB}</memory>`,
    `  <currentMemory unit='KiB'>${d.info.memoryKiB}</currentMemory>`,
    `  <vcpu placement='static'>${d.info.nrVirtCpu}</vcpu>`,
    '  <os>',
    `    <type arch='x86_64' machine='${hvm ? 'xenfv' : 'xenpv'}'>${hvm ? 'hvm' : 'xen'}</type>`,
    '  </os>',
    '</domain>',
    '',
  ].join('\n');
}
