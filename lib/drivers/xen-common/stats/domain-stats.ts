/**
 * The per-domain statistics calls of the Xen drivers (direct and proxy), as
 * libvirt's Xen driver (libxl) answers them: vCPUs from getvcpuinfo, memory
 * from the domain record, disks and vifs from dom0's backend counters.
 * Figures Xen does not keep are left out, never reported as zero.
 */
import { DomainMemoryStatTag, DomainVcpuFlags as Vcpu, VcpuState } from '../../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../errors';
import type { XenVcpu } from '../../../native';
import { llongParam, ullongParam, type TypedParam } from '../../../typed-params';
import type { BlockStats, DomainRef, InterfaceStats, MemoryStat, VcpuInfo } from '../../../types';
import type { VbdCounters, VifCounters } from './backend-counters';
import { modificationImpact } from '../../modification-impact';
import { cpusetMap } from '../../vcpu-pins';
import { checkFlags, invalidArg, requireActive, type StatsDomain, type XenStatsSource } from './source';

/** VIR_TYPED_PARAM_STRING_OKAY: the only flag the typed-parameter getters take. */
const TYPED_PARAM_STRING_OKAY = 1 << 2;

/** libvirt's vCPU state for a getvcpuinfo record: up and not waiting counts as running (it may be queued for a CPU). */
export function vcpuState(v: XenVcpu): VcpuState {
  if (!v.present || !v.online) return VcpuState.OFFLINE;
  return v.blocked && !v.running ? VcpuState.BLOCKED : VcpuState.RUNNING;
}

export class XenDomainStats {
  readonly #src: XenStatsSource;

  constructor(source: XenStatsSource) {
    this.#src = source;
  }

  get #domain(): ErrorDomain {
    return this.#src.errorDomain;
  }

  async #running(dom: DomainRef): Promise<StatsDomain & { info: NonNullable<StatsDomain['info']> }> {
    const d = await this.#src.find(dom);
    requireActive(d);
    return d;
  }

  /** The vCPUs of a running domain; NO_DOMAIN if it stopped between the lookup and the hypercalls. */
  async vcpus(d: Pick<StatsDomain, 'ref'>): Promise<XenVcpu[]> {
    const vcpus = await this.#src.vcpus(d.ref);
    if (!vcpus) throw this.#gone(d);
    return vcpus;
  }

  /** virDomainMemoryStats: the current allocation (actual) and the maximum (available), as libxl reports them. */
  async memoryStats(dom: DomainRef, maxStats: number, flags: number): Promise<MemoryStat[]> {
    checkFlags(this.#domain, flags, 0, 'virDomainMemoryStats');
    const d = await this.#running(dom);
    const all: MemoryStat[] = [
      { tag: DomainMemoryStatTag.ACTUAL_BALLOON, value: BigInt(d.info.memoryKiB) },
      { tag: DomainMemoryStatTag.AVAILABLE, value: BigInt(d.info.maxMemKiB) },
    ];
    return all.slice(0, maxStats);
  }

  /** The counters of `disk` (a guest name, e.g. xvda), or of every disk summed when `disk` is ''. */
  async #disk(dom: DomainRef, disk: string): Promise<VbdCounters> {
    const d = await this.#running(dom);
    const counters = this.#src.counters;
    const disks = await counters.disks(d.ref.id);
    const chosen = disk === '' ? disks : disks.filter((x) => x.name === disk);
    if (disk !== '' && chosen.length === 0) throw invalidArg(this.#domain, `invalid path: ${disk}`);
    const sum: VbdCounters = { rdReq: 0n, rdBytes: 0n, wrReq: 0n, wrBytes: 0n, flReq: 0n, errs: 0n };
    for (const x of chosen) {
      const c = await counters.disk(d.ref.id, x.devid);
      if (!c) throw invalidArg(this.#domain, `invalid path: ${disk || x.name} (its block backend went away)`);
      for (const k of Object.keys(sum) as (keyof VbdCounters)[]) sum[k] += c[k];
    }
    return sum;
  }

  async blockStats(dom: DomainRef, disk: string): Promise<BlockStats> {
    const c = await this.#disk(dom, disk);
    return { rdReq: c.rdReq, rdBytes: c.rdBytes, wrReq: c.wrReq, wrBytes: c.wrBytes, errs: c.errs };
  }

  /** virDomainBlockStatsFlags, in libxl's order and types. */
  async blockStatsFlags(dom: DomainRef, disk: string, flags: number): Promise<TypedParam[]> {
    checkFlags(this.#domain, flags, TYPED_PARAM_STRING_OKAY, 'virDomainBlockStatsFlags');
    const c = await this.#disk(dom, disk);
    return [
      llongParam('wr_bytes', c.wrBytes),
      llongParam('wr_operations', c.wrReq),
      llongParam('rd_bytes', c.rdBytes),
      llongParam('rd_operations', c.rdReq),
      llongParam('flush_operations', c.flReq),
      llongParam('errs', c.errs),
    ];
  }

  /** virDomainInterfaceStats of a vif by its dom0 name (vif<domid>.<n>), as the guest sees the traffic. */
  async interfaceStats(dom: DomainRef, device: string): Promise<InterfaceStats> {
    const d = await this.#running(dom);
    const names = await this.#src.counters.interfaces(d.ref.id);
    const c: VifCounters | null = names.includes(device) ? await this.#src.counters.vif(device) : null;
    if (!c) throw invalidArg(this.#domain, `'${device}' is not a known interface`);
    return c;
  }

  /** NO_DOMAIN: the domain stopped between its lookup and the hypercalls. */
  #gone(d: Pick<StatsDomain, 'ref'>): XvirtError {
    return XvirtError.of(
      ErrorNumber.NO_DOMAIN,
      this.#domain,
      `domain '${d.ref.name}' (${d.ref.uuid}) no longer exists`,
    );
  }

  /** The hard affinity of each of `vcpus` over the host's CPU ids (the width of virNodeGetCPUMap), as libxl reads it. */
  async #affinities(d: StatsDomain, vcpus: XenVcpu[]): Promise<boolean[][]> {
    const maps = await this.#src.vcpuAffinities(d.ref, vcpus, (await this.#src.cpuIdle()).length);
    if (!maps) throw this.#gone(d);
    return maps;
  }

  /** virDomainGetVcpus: state, run time, physical CPU and hard affinity of the first `maxInfo` vCPUs. */
  async getVcpus(dom: DomainRef, maxInfo: number): Promise<VcpuInfo[]> {
    const d = await this.#running(dom);
    const vcpus = (await this.vcpus(d)).slice(0, maxInfo);
    const maps = await this.#affinities(d, vcpus);
    return vcpus.map((v, i) => {
      const state = vcpuState(v);
      const cpu = state === VcpuState.OFFLINE ? -1 : v.cpu;
      return { number: v.id, state, cpuTimeNs: v.cpuTimeNs, cpu, cpumap: maps[i]! };
    });
  }

  /**
   * virDomainGetVcpuPinInfo: the running guest's hard affinity from Xen, or
   * the persistent definition's pins (<cputune><vcpupin>), every host CPU for
   * an unpinned vCPU as libvirt's helper fills it.
   */
  async getVcpuPinInfo(dom: DomainRef, ncpumaps: number, flags: number): Promise<boolean[][]> {
    checkFlags(this.#domain, flags, Vcpu.LIVE | Vcpu.CONFIG, 'virDomainGetVcpuPinInfo');
    const d = await this.#src.find(dom);
    const { live } = modificationImpact(flags, d, ErrorDomain.DOMAIN);
    if (live) return this.#affinities(d, (await this.vcpus(d)).slice(0, ncpumaps));
    const cpus = (await this.#src.cpuIdle()).length;
    const count = Math.min(ncpumaps, d.config!.maxVcpus);
    return Array.from({ length: count }, (_, vcpu) => {
      const pin = d.config!.cpus?.[vcpu];
      return pin ? cpusetMap(pin, cpus) : new Array<boolean>(cpus).fill(true);
    });
  }

  /** virDomainGetVcpusFlags: live counts from the hypervisor, persistent ones from the definition. */
  async getVcpusFlags(dom: DomainRef, flags: number): Promise<number> {
    checkFlags(this.#domain, flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'virDomainGetVcpusFlags');
    const d = await this.#src.find(dom);
    if (modificationImpact(flags, d, ErrorDomain.DOMAIN).live) {
      requireActive(d);
      return flags & Vcpu.MAXIMUM ? (await this.vcpus(d)).length : d.info.nrVirtCpu;
    }
    return flags & Vcpu.MAXIMUM ? d.config!.maxVcpus : d.config!.vcpus;
  }

  /**
   * virDomainGetCPUStats. The total is the domain's cpu_time. Xen does not
   * split a domain's time by physical CPU, so per-CPU records come back
   * without fields (one per CPU asked for, cut at the last CPU).
   */
  async getCPUStats(dom: DomainRef, startCpu: number, ncpus: number, flags: number): Promise<TypedParam[][]> {
    checkFlags(this.#domain, flags, TYPED_PARAM_STRING_OKAY, 'virDomainGetCPUStats');
    const d = await this.#running(dom);
    if (startCpu === -1) return [[ullongParam('cpu_time', d.info.cpuTimeNs)]];
    const cpus = (await this.#src.cpuIdle()).length;
    if (startCpu >= cpus) throw invalidArg(this.#domain, `start_cpu ${startCpu} larger than maximum of ${cpus - 1}`);
    return Array.from({ length: Math.min(ncpus, cpus - startCpu) }, () => []);
  }
}
