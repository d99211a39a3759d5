/**
 * Host facts for a Xen host, shared by the direct and proxy drivers:
 * libvirt-style capabilities XML from XENVER_capabilities ("xen-3.0-x86_64
 * hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64") and physinfo, node info,
 * the vCPU limit, the version number.
 */
import * as os from 'node:os';
import { encodeVersion } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { XenPhysinfo } from '../../native';
import type { NodeInfo } from '../../types';

/** The hypervisor version number libvirt reports: major, minor and the number in the extraversion ('.7'), 0 if none. */
export function xenVersion(v: { major: number; minor: number; extraversion: string }): number {
  return encodeVersion(v.major, v.minor, Number(/^\.(\d+)/.exec(v.extraversion)?.[1] ?? 0));
}

/** virNodeInfo from physinfo (sockets per NUMA node, as libvirt counts them). */
export function nodeInfoOf(p: XenPhysinfo): NodeInfo {
  const perSocket = Math.max(1, p.threadsPerCore * p.coresPerSocket);
  return {
    model: os.machine().slice(0, 31),
    memoryKiB: p.totalKiB,
    cpus: p.cpus,
    mhz: Math.floor(p.cpuKhz / 1000),
    nodes: Math.max(1, p.nodes),
    sockets: Math.max(1, Math.floor(p.cpus / perSocket / Math.max(1, p.nodes))),
    cores: p.coresPerSocket,
    threads: p.threadsPerCore,
  };
}

/** The vCPU limit for a guest type (null: any): the host's CPUs, as libvirt's libxl driver reports. */
export function maxVcpusOf(p: XenPhysinfo, type: string | null): number {
  if (type !== null && !/^(xen|hvm|pv|pvh)$/i.test(type)) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, `unknown guest type '${type}'`);
  }
  return p.cpus;
}

interface GuestCap {
  osType: 'xen' | 'hvm';
  arch: 'x86_64' | 'i686' | 'aarch64' | 'armv7l';
  wordsize: 32 | 64;
  pae: boolean;
  nonpae: boolean;
}

const ARCHES: Record<string, { arch: GuestCap['arch']; wordsize: 32 | 64; pae: boolean }> = {
  x86_64: { arch: 'x86_64', wordsize: 64, pae: false },
  x86_32: { arch: 'i686', wordsize: 32, pae: false },
  x86_32p: { arch: 'i686', wordsize: 32, pae: true },
  aarch64: { arch: 'aarch64', wordsize: 64, pae: false },
  armv7l: { arch: 'armv7l', wordsize: 32, pae: false },
};

/** Parses the XENVER_capabilities words; unknown words are ignored. The 32-bit PAE and non-PAE forms merge. */
export function parseXenCapabilities(text: string): GuestCap[] {
  const guests: GuestCap[] = [];
  for (const word of text.trim().split(/\s+/)) {
    const m = /^(xen|hvm)-\d+\.\d+-(\w+)$/.exec(word);
    const a = m ? ARCHES[m[2]!] : undefined;
    if (!m || !a) continue;
    const osType = m[1] as 'xen' | 'hvm';
    const same = guests.find((g) => g.osType === osType && g.arch === a.arch);
    if (same) {
      if (a.pae) same.pae = true;
      else same.nonpae = true;
      continue;
    }
    guests.push({ osType, arch: a.arch, wordsize: a.wordsize, pae: a.pae, nonpae: a.wordsize === 32 && !a.pae });
  }
  return guests;
}

function hostArch(guests: GuestCap[]): string {
  const pv = guests.find((g) => g.osType === 'xen');
  return pv?.arch ?? guests.find((g) => g.wordsize === 64)?.arch ?? 'x86_64';
}

export function capabilitiesXml(xenCapabilities: string, phys: XenPhysinfo): string {
  const guests = parseXenCapabilities(xenCapabilities);
  const sockets = Math.max(1, Math.floor(phys.cpus / Math.max(1, phys.threadsPerCore * phys.coresPerSocket)));
  const lines = [
    '<capabilities>',
    '  <host>',
    '    <cpu>',
    `      <arch>${hostArch(guests)}</arch>`,
    `      <topology sockets='${sockets}' dies='1' cores='${phys.coresPerSocket}' threads='${phys.threadsPerCore}'/>`,
    '    </cpu>',
    '    <power_management/>',
    '    <migration_features>',
    '      <live/>',
    '    </migration_features>',
    '    <topology>',
    `      <cells num='${phys.nodes}'/>`,
    '    </topology>',
    '  </host>',
  ];
  for (const g of guests) {
    lines.push(
      '  <guest>',
      `    <os_type>${g.osType}</os_type>`,
      `    <arch name='${g.arch}'>`,
      `      <wordsize>${g.wordsize}</wordsize>`,
      `      <machine>${g.osType === 'xen' ? 'xenpv' : 'xenfv'}</machine>`,
      "      <domain type='xen'/>",
      '    </arch>',
    );
    const features = [g.pae ? '      <pae/>' : '', g.nonpae ? '      <nonpae/>' : ''].filter(Boolean);
    if (g.osType === 'hvm')
      features.push("      <acpi default='on' toggle='yes'/>", "      <apic default='on' toggle='no'/>");
    lines.push(...(features.length ? ['    <features>', ...features, '    </features>'] : []), '  </guest>');
  }
  lines.push('</capabilities>');
  return lines.join('\n') + '\n';
}
