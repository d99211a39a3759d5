/**
 * The monitoring half of the public API: domain and host statistics and the
 * flag-taking memory/vCPU setters. Connection and Domain extend these bases,
 * which check arguments as libvirt does and reject NO_SUPPORT (naming the
 * virXxx API) when the driver lacks a call.
 */
import { apiArgError, checkExclusive, checkInt, checkString, checkUnsigned, invalidArg, need } from './api-checks';
import { DOMAIN_MEMORY_STAT_NR, DomainVcpuFlags } from './constants';
import type { TypedParam } from './typed-params';
import type {
  BlockStats,
  DomainRef,
  DomainStatsRecord,
  Driver,
  InterfaceStats,
  MemoryStat,
  NodeCPUMap,
  NodeStat,
  VcpuInfo,
} from './types';

/** REMOTE_NODE_MAX_CELLS: the most cells one virNodeGetCellsFreeMemory call may ask for. */
export const MAX_CELLS_PER_CALL = 1024;
/** The largest KiB value libvirt accepts for memory (its unsigned long; 2^53-1 here). */
const MAX_MEMORY_KIB = Number.MAX_SAFE_INTEGER;

/** One domain's statistics, as getAllDomainStats returns them. */
export interface DomainStats<D> {
  domain: D;
  /** libvirt's typed parameters, e.g. state.state, cpu.time, net.0.rx.bytes (see DomainStatsRecord). */
  params: TypedParam[];
}

/** The calls of virConnect/virNode* monitoring, shared by Connection. */
export abstract class HostMonitoring<D extends { ref: DomainRef; connection: unknown }> {
  /** @internal */ abstract driver(): Driver;
  /** @internal */ abstract wrapDomain(ref: DomainRef): D;

  /**
   * virConnectGetAllDomainStats. stats: DomainStatsTypes bits (0 = every group
   * the backend supports); flags: GetAllDomainStatsFlags (filters, ENFORCE_STATS...).
   */
  async getAllDomainStats(stats: number = 0, flags: number = 0): Promise<DomainStats<D>[]> {
    const records = await this.domainStatsRecords(null, stats, flags, 'virConnectGetAllDomainStats');
    return records.map((r) => ({ domain: this.wrapDomain(r.domain), params: r.params }));
  }

  /** virDomainListGetStats: the statistics of `domains` (all of this connection). */
  async getDomainStats(domains: D[], stats: number = 0, flags: number = 0): Promise<DomainStats<D>[]> {
    if (!Array.isArray(domains) || domains.length === 0) {
      throw apiArgError('doms array in virDomainListGetStats must contain at least one domain');
    }
    for (const d of domains) {
      if (!d || d.connection !== this) {
        throw invalidArg('domains in virDomainListGetStats must all belong to this connection');
      }
    }
    const refs = domains.map((d) => d.ref);
    const records = await this.domainStatsRecords(refs, stats, flags, 'virDomainListGetStats');
    return records.map((r) => ({ domain: this.wrapDomain(r.domain), params: r.params }));
  }

  /**
   * @internal The two calls above after their domain checks, with the driver's
   * records as they are: xvirtd encodes those for the wire, and a Domain object
   * per record and poll would only be unwrapped again. `doms` null = all domains.
   */
  async domainStatsRecords(
    doms: DomainRef[] | null,
    stats: number,
    flags: number,
    api: 'virConnectGetAllDomainStats' | 'virDomainListGetStats',
  ): Promise<DomainStatsRecord[]> {
    checkUnsigned(stats, 'stats');
    checkUnsigned(flags, 'flags');
    return need(this.driver(), 'connectGetAllDomainStats', api)(doms, stats, flags);
  }

  /** virNodeGetCPUMap: which host CPUs are present and online. */
  async getCPUMap(flags: number = 0): Promise<NodeCPUMap> {
    checkUnsigned(flags, 'flags');
    return need(this.driver(), 'nodeGetCPUMap', 'virNodeGetCPUMap')(flags);
  }

  /** virNodeGetCPUStats: cumulative ns per field; cpuNum -1 (NODE_CPU_STATS_ALL_CPUS) = the whole host. */
  async getNodeCPUStats(cpuNum: number = -1, flags: number = 0): Promise<NodeStat[]> {
    checkInt(cpuNum, 'cpuNum', -0x80000000);
    if (cpuNum < -1) throw apiArgError('cpuNum in virNodeGetCPUStats only accepts -1 as a negative value');
    checkUnsigned(flags, 'flags');
    return need(this.driver(), 'nodeGetCPUStats', 'virNodeGetCPUStats')(cpuNum, flags);
  }

  /** virNodeGetMemoryStats: KiB per field; cellNum -1 (NODE_MEMORY_STATS_ALL_CELLS) = the whole host. */
  async getNodeMemoryStats(cellNum: number = -1, flags: number = 0): Promise<NodeStat[]> {
    checkInt(cellNum, 'cellNum', -0x80000000);
    if (cellNum < -1) throw apiArgError('cellNum in virNodeGetMemoryStats only accepts -1 as a negative value');
    checkUnsigned(flags, 'flags');
    return need(this.driver(), 'nodeGetMemoryStats', 'virNodeGetMemoryStats')(cellNum, flags);
  }

  /** virNodeGetFreeMemory: free host memory in bytes. */
  async getFreeMemory(): Promise<bigint> {
    return need(this.driver(), 'nodeGetFreeMemory', 'virNodeGetFreeMemory')();
  }

  /** virNodeGetCellsFreeMemory: free bytes of each NUMA cell from `startCell`, at most `maxCells` (≤ 1024). */
  async getCellsFreeMemory(startCell: number = 0, maxCells: number = MAX_CELLS_PER_CALL): Promise<bigint[]> {
    checkInt(startCell, 'startCell', -0x80000000);
    checkInt(maxCells, 'maxCells', -0x80000000);
    if (maxCells <= 0) throw apiArgError('maxCells in virNodeGetCellsFreeMemory must be greater than zero');
    if (startCell < 0) throw apiArgError('startCell in virNodeGetCellsFreeMemory must be zero or greater');
    if (maxCells > MAX_CELLS_PER_CALL) {
      throw invalidArg(`maxCells must be at most ${MAX_CELLS_PER_CALL}, got ${maxCells}`);
    }
    return need(this.driver(), 'nodeGetCellsFreeMemory', 'virNodeGetCellsFreeMemory')(startCell, maxCells);
  }
}

/** The virDomain* monitoring calls, shared by Domain. */
export abstract class DomainMonitoring {
  abstract get ref(): DomainRef;
  /** @internal */ abstract monitorDriver(): Driver;
  /** @internal */ abstract monitorWritable(api: string): Driver;

  /** virDomainMemoryStats: the balloon driver's figures (at most 13 entries). */
  async memoryStats(flags: number = 0): Promise<MemoryStat[]> {
    checkUnsigned(flags, 'flags');
    const call = need(this.monitorDriver(), 'domainMemoryStats', 'virDomainMemoryStats');
    return call(this.ref, DOMAIN_MEMORY_STAT_NR, flags);
  }

  /** virDomainBlockStats: `disk` is a target (vda) or source path. */
  async blockStats(disk: string): Promise<BlockStats> {
    checkString(disk, 'disk');
    return need(this.monitorDriver(), 'domainBlockStats', 'virDomainBlockStats')(this.ref, disk);
  }

  /** virDomainBlockStatsFlags: typed parameters (rd_operations, rd_bytes, wr_operations, ...). */
  async blockStatsFlags(disk: string, flags: number = 0): Promise<TypedParam[]> {
    checkString(disk, 'disk');
    checkUnsigned(flags, 'flags');
    return need(this.monitorDriver(), 'domainBlockStatsFlags', 'virDomainBlockStatsFlags')(this.ref, disk, flags);
  }

  /** virDomainInterfaceStats: `device` is the interface's target name (vnet0) or MAC address. */
  async interfaceStats(device: string): Promise<InterfaceStats> {
    checkString(device, 'device');
    return need(this.monitorDriver(), 'domainInterfaceStats', 'virDomainInterfaceStats')(this.ref, device);
  }

  /** virDomainGetVcpus: per vCPU state, CPU time, host CPU and affinity (running domains). */
  async getVcpus(maxInfo?: number): Promise<VcpuInfo[]> {
    const driver = this.monitorDriver();
    const call = need(driver, 'domainGetVcpus', 'virDomainGetVcpus');
    if (maxInfo === undefined) maxInfo = (await driver.domainGetInfo(this.ref)).nrVirtCpu;
    checkInt(maxInfo, 'maxinfo', -0x80000000);
    if (maxInfo <= 0) throw apiArgError('maxinfo in virDomainGetVcpus must be greater than zero');
    return call(this.ref, maxInfo);
  }

  /** virDomainGetVcpuPinInfo: each vCPU's allowed host CPUs (defaults to every vCPU of the selected definition). */
  async getVcpuPinInfo(flags: number = 0, ncpumaps?: number): Promise<boolean[][]> {
    checkUnsigned(flags, 'flags');
    checkExclusive(
      flags,
      DomainVcpuFlags.LIVE,
      DomainVcpuFlags.CONFIG,
      'VIR_DOMAIN_AFFECT_LIVE',
      'VIR_DOMAIN_AFFECT_CONFIG',
    );
    const driver = this.monitorDriver();
    const call = need(driver, 'domainGetVcpuPinInfo', 'virDomainGetVcpuPinInfo');
    const count = ncpumaps ?? (await this.getVcpusFlags(DomainVcpuFlags.MAXIMUM | flags));
    checkInt(count, 'ncpumaps', -0x80000000);
    if (count <= 0) throw apiArgError('ncpumaps in virDomainGetVcpuPinInfo must be greater than zero');
    return call(this.ref, count, flags);
  }

  /** virDomainGetVcpusFlags: the vCPU count; flags DomainVcpuFlags (LIVE/CONFIG, MAXIMUM, GUEST). */
  async getVcpusFlags(flags: number = 0): Promise<number> {
    checkUnsigned(flags, 'flags');
    checkExclusive(
      flags,
      DomainVcpuFlags.LIVE,
      DomainVcpuFlags.CONFIG,
      'VIR_DOMAIN_AFFECT_LIVE',
      'VIR_DOMAIN_AFFECT_CONFIG',
    );
    const driver =
      flags & DomainVcpuFlags.GUEST ? this.monitorWritable('virDomainGetVcpusFlags') : this.monitorDriver();
    return need(driver, 'domainGetVcpusFlags', 'virDomainGetVcpusFlags')(this.ref, flags);
  }

  /**
   * virDomainGetCPUStats: startCpu -1 with ncpus 1 gives the total (cpu_time,
   * user_time, system_time); else one record per host CPU from startCpu.
   */
  async getCPUStats(startCpu: number = -1, ncpus: number = 1, flags: number = 0): Promise<TypedParam[][]> {
    checkInt(startCpu, 'start_cpu', -0x80000000);
    checkInt(ncpus, 'ncpus', 0);
    if (startCpu === -1) {
      if (ncpus !== 1) throw apiArgError('ncpus must be 1 when start_cpu is -1');
    } else if (startCpu < 0) {
      throw apiArgError('start_cpu in virDomainGetCPUStats must be zero or greater');
    } else if (ncpus === 0) {
      throw apiArgError('ncpus in virDomainGetCPUStats must be greater than zero');
    }
    checkUnsigned(flags, 'flags');
    return need(this.monitorDriver(), 'domainGetCPUStats', 'virDomainGetCPUStats')(this.ref, startCpu, ncpus, flags);
  }

  /** virDomainSetMemoryFlags: KiB; flags DomainMemoryModFlags (LIVE, CONFIG, MAXIMUM). */
  async setMemoryFlags(memoryKiB: number, flags: number = 0): Promise<void> {
    checkUnsigned(memoryKiB, 'memory (KiB)', MAX_MEMORY_KIB);
    if (memoryKiB === 0) throw apiArgError('memory in virDomainSetMemoryFlags must not be zero');
    checkUnsigned(flags, 'flags');
    const driver = this.monitorWritable('virDomainSetMemoryFlags');
    return need(driver, 'domainSetMemoryFlags', 'virDomainSetMemoryFlags')(this.ref, memoryKiB, flags);
  }

  /** virDomainSetVcpusFlags: flags DomainVcpuFlags (LIVE, CONFIG, MAXIMUM, GUEST, HOTPLUGGABLE). */
  async setVcpusFlags(nvcpus: number, flags: number = 0): Promise<void> {
    checkUnsigned(nvcpus, 'nvcpus', 0xffff);
    if (nvcpus === 0) throw apiArgError('nvcpus in virDomainSetVcpusFlags must not be zero');
    checkUnsigned(flags, 'flags');
    const driver = this.monitorWritable('virDomainSetVcpusFlags');
    return need(driver, 'domainSetVcpusFlags', 'virDomainSetVcpusFlags')(this.ref, nvcpus, flags);
  }

  /** virDomainPinVcpu: vCPU `vcpu` may run on the host CPUs set in `cpumap` (index = CPU id), on the running guest. */
  async pinVcpu(vcpu: number, cpumap: boolean[]): Promise<void> {
    const map = checkPin(vcpu, cpumap, 'virDomainPinVcpu');
    const driver = this.monitorWritable('virDomainPinVcpu');
    return need(driver, 'domainPinVcpu', 'virDomainPinVcpu')(this.ref, vcpu, map);
  }

  /** virDomainPinVcpuFlags: as pinVcpu, on the definitions DomainVcpuFlags LIVE/CONFIG (or CURRENT) select. */
  async pinVcpuFlags(vcpu: number, cpumap: boolean[], flags: number = 0): Promise<void> {
    const map = checkPin(vcpu, cpumap, 'virDomainPinVcpuFlags');
    checkUnsigned(flags, 'flags');
    const driver = this.monitorWritable('virDomainPinVcpuFlags');
    return need(driver, 'domainPinVcpuFlags', 'virDomainPinVcpuFlags')(this.ref, vcpu, map, flags);
  }

  /** virDomainSetMaxMemory: KiB. */
  async setMaxMemory(memoryKiB: number): Promise<void> {
    checkUnsigned(memoryKiB, 'memory (KiB)', MAX_MEMORY_KIB);
    if (memoryKiB === 0) throw apiArgError('memory in virDomainSetMaxMemory must not be zero');
    const driver = this.monitorWritable('virDomainSetMaxMemory');
    return need(driver, 'domainSetMaxMemory', 'virDomainSetMaxMemory')(this.ref, memoryKiB);
  }

  /** virDomainSetMemoryStatsPeriod: seconds between balloon statistics updates, 0 to stop; flags LIVE/CONFIG. */
  async setMemoryStatsPeriod(period: number, flags: number = 0): Promise<void> {
    checkInt(period, 'period', -0x80000000);
    if (period < 0) throw apiArgError('period in virDomainSetMemoryStatsPeriod must be zero or greater');
    checkUnsigned(flags, 'flags');
    const driver = this.monitorWritable('virDomainSetMemoryStatsPeriod');
    return need(driver, 'domainSetMemoryStatsPeriod', 'virDomainSetMemoryStatsPeriod')(this.ref, period, flags);
  }
}

/**
 * virDomainPinVcpu(Flags)' argument checks: a vCPU id on the wire (an unsigned int; libvirt's API layer has no
 * narrower limit, a vCPU the domain lacks is the driver's error) and a non-empty map.
 */
function checkPin(vcpu: number, cpumap: boolean[], api: string): boolean[] {
  checkUnsigned(vcpu, 'vcpu');
  if (!Array.isArray(cpumap) || cpumap.some((b) => typeof b !== 'boolean')) {
    throw apiArgError(`cpumap in ${api} must be an array of booleans`);
  }
  if (cpumap.length === 0) throw apiArgError(`maplen in ${api} must be greater than zero`);
  return [...cpumap];
}
