/** The direct driver's statistics source: the native core, the domain directory and dom0's sysfs. */
import { DomainState } from '../../../constants';
import { ErrorDomain } from '../../../errors';
import type { XenHypervisor, XenNodeMemory, XenPhysinfo, XenVcpu } from '../../../native';
import type { DomainRef } from '../../../types';
import type { UuidBytesCache } from '../../../uuid';
import { noDomain } from '../../xen-common/records';
import type { DomainDirectory, Found } from '../directory';
import type { ReasonBook } from '../reasons';
import { BackendCounters } from '../../xen-common/stats/backend-counters';
import type { StatsDomain, XenStatsSource } from '../../xen-common/stats/source';

export class DirectStatsSource implements XenStatsSource {
  readonly errorDomain = ErrorDomain.XEN;
  readonly counters: BackendCounters;
  readonly #hv: XenHypervisor;
  readonly #dir: DomainDirectory;
  readonly #reasons: ReasonBook;
  /** The driver's (one cache of UUID bytes per driver, shared with its getInfo). */
  readonly #uuidBytes: UuidBytesCache;

  constructor(
    hv: XenHypervisor,
    dir: DomainDirectory,
    reasons: ReasonBook,
    uuidBytes: UuidBytesCache,
    counters = new BackendCounters(),
  ) {
    this.#hv = hv;
    this.#uuidBytes = uuidBytes;
    this.#dir = dir;
    this.#reasons = reasons;
    this.counters = counters;
  }

  #of(found: Found): StatsDomain | null {
    const { live, def } = found;
    const config = def
      ? {
          vcpus: def.config.vcpus,
          maxVcpus: def.config.maxVcpus ?? def.config.vcpus,
          memoryKiB: def.config.memoryKiB,
          maxMemoryKiB: def.config.maxMemoryKiB,
          cpus: def.config.cpus,
        }
      : null;
    const persistence = { persistent: !!def, autostart: def?.autostart ?? false, config };
    if (live) {
      const { state } = live.info;
      return {
        ref: live.ref,
        active: true,
        ...persistence,
        state,
        info: live.info,
        reason: live.reason || this.#reasons.reason(live.ref.uuid, live.ref.id, state),
      };
    }
    if (!def) return null;
    return {
      ref: { name: def.name, uuid: def.uuid, id: -1 },
      active: false,
      ...persistence,
      state: DomainState.SHUTOFF,
      info: null,
      reason: this.#reasons.reason(def.uuid, -1, DomainState.SHUTOFF),
    };
  }

  async find(dom: DomainRef): Promise<StatsDomain> {
    const d = this.#of(await this.#dir.find(dom));
    if (!d) throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
    return d;
  }

  async all(): Promise<StatsDomain[]> {
    const live = await this.#dir.live.list(true);
    const out = live.map((l) => {
      const def = this.#dir.store.byUuid(l.ref.uuid);
      return this.#of(def ? { live: l, def } : { live: l })!;
    });
    for (const def of this.#dir.store.all()) {
      if (!live.some((l) => l.ref.uuid === def.uuid)) out.push(this.#of({ def })!);
    }
    return out;
  }

  async vcpus(ref: DomainRef): Promise<XenVcpu[] | null> {
    return this.#hv.vcpus(ref.id, this.#uuidBytes.get(ref.uuid));
  }
  /** One getvcpuaffinity per allocated vCPU. */
  async vcpuAffinities(ref: DomainRef, vcpus: XenVcpu[], cpus: number): Promise<boolean[][] | null> {
    const maps: boolean[][] = [];
    for (const v of vcpus) {
      const map = v.present ? this.#hv.vcpuAffinity(ref.id, v.id, cpus) : new Array<boolean>(cpus).fill(false);
      if (!map) return null;
      maps.push(map);
    }
    return maps;
  }
  async physinfo(): Promise<XenPhysinfo> {
    return this.#hv.physinfo();
  }
  async cpuIdle(): Promise<bigint[]> {
    return this.#hv.cpuIdle();
  }
  async nodeMemory(): Promise<XenNodeMemory[]> {
    return this.#hv.nodeMemory();
  }
}
