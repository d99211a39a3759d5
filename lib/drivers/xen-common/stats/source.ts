/**
 * What the Xen statistics need from a driver: the domain behind a reference,
 * the hypervisor's figures, and dom0's backend counters. The direct driver
 * answers from the native core and its definitions; the proxy driver through
 * xvirt-proxy (running domains only). Plus the errors both raise.
 */
import type { DomainState } from '../../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../errors';
import type { XenNodeMemory, XenPhysinfo, XenVcpu } from '../../../native';
import type { DomainInfo, DomainRef } from '../../../types';
import type { BackendCounters } from './backend-counters';

/** One domain as the statistics see it. */
export interface StatsDomain {
  /** With its current id (-1 while inactive). */
  ref: DomainRef;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  state: DomainState;
  reason: number;
  /** The hypervisor's record while it runs. */
  info: DomainInfo | null;
  /** From its stored definition (null for a transient domain). */
  config: {
    vcpus: number;
    maxVcpus: number;
    memoryKiB: number;
    maxMemoryKiB: number;
    /** Each vCPU's pin as a CPU list ("0-1,3"), null (or past the end) when unpinned. */
    cpus?: readonly (string | null)[];
  } | null;
}

export interface XenStatsSource {
  readonly errorDomain: ErrorDomain;
  readonly counters: BackendCounters;
  /** The domain behind `dom` (found by UUID); NO_DOMAIN when it neither runs nor is defined. */
  find(dom: DomainRef): Promise<StatsDomain>;
  /** Every domain, live ones first. */
  all(): Promise<StatsDomain[]>;
  /** The running domain's vCPUs at ref.id; null when the domain there is gone (or is another one). */
  vcpus(ref: DomainRef): Promise<XenVcpu[] | null>;
  /**
   * The hard affinity (XEN_DOMCTL_getvcpuaffinity) of each of `vcpus` of the running domain over
   * physical CPUs 0 .. cpus - 1, all clear for a vCPU id Xen never allocated; null when the domain
   * (or one of those vCPUs) is gone. The proxy asks xvirt-proxy's VCPU_AFFINITY for all in one request.
   */
  vcpuAffinities(ref: DomainRef, vcpus: XenVcpu[], cpus: number): Promise<boolean[][] | null>;
  physinfo(): Promise<XenPhysinfo>;
  cpuIdle(): Promise<bigint[]>;
  nodeMemory(): Promise<XenNodeMemory[]>;
}

export function invalidArg(domain: ErrorDomain, detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, domain, detail);
}

export function operationInvalid(domain: ErrorDomain, detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.OPERATION_INVALID, domain, detail);
}

/** Rejects flag bits outside `allowed`, as libvirt's virCheckFlags does (its unprefixed message). */
export { rejectUnknownFlags as checkFlags } from '../../unknown-flags';

/** virDomainObjCheckActive's refusal (raised in libvirt's domain layer, hence its error domain). */
export function requireActive(d: StatsDomain): asserts d is StatsDomain & { info: DomainInfo } {
  if (!d.active || !d.info) throw operationInvalid(ErrorDomain.DOMAIN, 'domain is not running');
}
