/** Proxy records turned into the values the direct Xen driver returns for the same domain. */
import type { DomainState } from '../../constants';
import type { XenPhysinfo } from '../../native';
import type { DomainInfo, DomainRef } from '../../types';
import { uuidFromBytes } from '../../uuid';
import { defaultDomainName, type LiveDomain } from '../xen-common/records';
import type { XenState } from '../xen-common/state';
import { RECORD_LEN, decodeRecord, type DomainRecord, type NamedRecord, type Physinfo } from './protocol';

/** Xen pages are 4 KiB (as in native/addon.cc). */
const KIB_PER_PAGE = 4;

/** The name the direct driver shows: xenstore's, or xl's default for a domain without one. */
export function nameOf(r: NamedRecord): string {
  return r.name || defaultDomainName(r.domid);
}

export function refOf(r: NamedRecord): DomainRef {
  return { name: nameOf(r), uuid: uuidFromBytes(r.uuid), id: r.domid };
}

export function domainInfo(r: DomainRecord): DomainInfo {
  return {
    state: r.state as DomainState,
    maxMemKiB: Number(r.maxPages) * KIB_PER_PAGE,
    memoryKiB: Number(r.totPages) * KIB_PER_PAGE,
    nrVirtCpu: r.onlineVcpus,
    cpuTimeNs: r.cpuTimeNs,
  };
}

/** The physinfo the direct driver reads, from the proxy's NODE_INFO (which counts memory in pages). */
export function toXenPhysinfo(p: Physinfo): XenPhysinfo {
  return {
    threadsPerCore: p.threadsPerCore,
    coresPerSocket: p.coresPerSocket,
    cpus: p.cpus,
    nodes: p.nodes,
    cpuKhz: p.cpuKhz,
    capabilities: p.capabilities,
    totalKiB: Number(p.totalPages) * KIB_PER_PAGE,
    freeKiB: Number(p.freePages) * KIB_PER_PAGE,
  };
}

export function liveDomain(r: NamedRecord): LiveDomain {
  return {
    ref: refOf(r),
    info: domainInfo(r),
    xenState: r.xenState as XenState,
    shutdownCode: r.shutdownCode,
    reason: r.reason,
    flags: r.flags,
  };
}

/** DomainInfo straight from a GET_INFO payload at [start, end) of `p` (record offsets: docs/proxy.md), without the full record. */
export function decodeInfo(p: Buffer, start = 0, end = p.length): DomainInfo {
  if (end - start < RECORD_LEN) return domainInfo(decodeRecord(p.subarray(start, end))); // throws the protocol error
  return {
    state: p.readUInt32LE(start + 12) as DomainState,
    maxMemKiB: (p.readUInt32LE(start + 40) + p.readUInt32LE(start + 44) * 2 ** 32) * KIB_PER_PAGE,
    memoryKiB: (p.readUInt32LE(start + 32) + p.readUInt32LE(start + 36) * 2 ** 32) * KIB_PER_PAGE,
    nrVirtCpu: p.readUInt32LE(start + 24),
    cpuTimeNs: p.readBigUInt64LE(start + 48),
  };
}
