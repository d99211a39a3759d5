/**
 * The XML of live domains that have no stored definition, described from
 * what the hypervisor reports (stored definitions go through domain-xml.ts).
 */
import { formatDomainXml, type DomainDefinition } from '../../xml';
import type { LiveDomain } from './records';

/** The XML of a running domain xvirt holds no definition for (built by xl directly, or Domain-0). */
export function describeLiveDomain(d: LiveDomain): string {
  const def = liveDefinition({
    name: d.ref.name,
    uuid: d.ref.uuid,
    hvm: (d.flags & 0x2) !== 0,
    maxMemKiB: d.info.maxMemKiB,
    memoryKiB: d.info.memoryKiB,
    vcpus: d.info.nrVirtCpu,
  });
  return formatDomainXml(def, { id: d.ref.id });
}

/** A running domain that has no stored definition, described from what the hypervisor reports. */
export function liveDefinition(d: {
  name: string;
  uuid: string;
  hvm: boolean;
  maxMemKiB: number;
  memoryKiB: number;
  vcpus: number;
}): DomainDefinition {
  return {
    type: 'xen',
    name: d.name,
    uuid: d.uuid,
    memoryKiB: d.maxMemKiB,
    currentMemoryKiB: Math.min(d.memoryKiB, d.maxMemKiB),
    maxVcpus: Math.max(1, d.vcpus),
    vcpus: Math.max(1, d.vcpus),
    os: {
      type: d.hvm ? 'hvm' : 'xen',
      arch: 'x86_64',
      machine: d.hvm ? 'xenfv' : 'xenpv',
      kernel: null,
      initrd: null,
      cmdline: null,
      boot: [],
      extraXml: [],
    },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    devicesXml: null,
    extraXml: [],
  };
}
