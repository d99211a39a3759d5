/**
 * The proxy driver's statistics source: hypervisor figures through
 * xvirt-proxy (VCPUS, VCPU_AFFINITY, CPU_IDLE, NODE_MEMORY, NODE_INFO), dom0's sysfs
 * counters read directly (they are world-readable). The proxy sees running
 * domains only, none of them with a definition.
 */
import { ErrorDomain } from '../../errors';
import type { XenNodeMemory, XenPhysinfo, XenVcpu } from '../../native';
import type { DomainRef } from '../../types';
import { BackendCounters } from '../xen-common/stats/backend-counters';
import type { StatsDomain, XenStatsSource } from '../xen-common/stats/source';
import { wholePayload } from './client';
import {
  Command,
  decodeCpuIdle,
  decodeNodeMemory,
  decodeVcpuAffinity,
  decodeVcpus,
  type DomainRecord,
} from './protocol';
import type { ProxyQueries } from './queries';
import { domainInfo, refOf } from './records';

const vcpus = wholePayload(decodeVcpus);
const vcpuAffinity = wholePayload(decodeVcpuAffinity);
const cpuIdle = wholePayload(decodeCpuIdle);
const nodeMemory = wholePayload(decodeNodeMemory);

function running(ref: DomainRef, r: DomainRecord): StatsDomain {
  return {
    ref,
    active: true,
    persistent: false,
    autostart: false,
    state: r.state,
    reason: r.reason,
    info: domainInfo(r),
    config: null,
  };
}

export class ProxyStatsSource implements XenStatsSource {
  readonly errorDomain = ErrorDomain.PROXY;
  readonly counters: BackendCounters;
  readonly #q: ProxyQueries;

  constructor(queries: ProxyQueries, sysfsRoot?: string) {
    this.#q = queries;
    this.counters = new BackendCounters(sysfsRoot);
  }

  async find(dom: DomainRef): Promise<StatsDomain> {
    const r = await this.#q.record(dom);
    return running({ name: dom.name, uuid: dom.uuid, id: r.domid }, r);
  }

  async all(): Promise<StatsDomain[]> {
    return (await this.#q.list()).map((r) => running(refOf(r), r));
  }

  /** VCPUS at the reference's id, UUID checked; null when that domain is gone from there. */
  vcpus(ref: DomainRef): Promise<XenVcpu[] | null> {
    return this.#q.atId(ref, vcpus, () => null, Command.VCPUS);
  }

  /**
   * One VCPU_AFFINITY at the reference's id, UUID checked: every vCPU's map,
   * cut to `cpus` bits (the helper's maps are as wide as the core reads);
   * null when that domain is gone from there or lacks one of `vcpus`.
   */
  async vcpuAffinities(ref: DomainRef, want: XenVcpu[], cpus: number): Promise<boolean[][] | null> {
    const maps = await this.#q.atId(ref, vcpuAffinity, () => null, Command.VCPU_AFFINITY);
    if (!maps) return null;
    const out: boolean[][] = [];
    for (const v of want) {
      const map = maps[v.id];
      if (!map) return null;
      out.push(Array.from({ length: cpus }, (_, c) => ((map[c >> 3] ?? 0) & (1 << (c & 7))) !== 0));
    }
    return out;
  }

  physinfo(): Promise<XenPhysinfo> {
    return this.#q.physinfo();
  }
  cpuIdle(): Promise<bigint[]> {
    return this.#q.client.call({ command: Command.CPU_IDLE }, cpuIdle);
  }
  nodeMemory(): Promise<XenNodeMemory[]> {
    return this.#q.client.call({ command: Command.NODE_MEMORY }, nodeMemory);
  }
}
