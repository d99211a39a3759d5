/**
 * The monitoring calls of the Driver interface for xen:///system, shared by
 * the direct and the proxy driver: each extends a class built by withXenStats
 * and hands it the source its figures come from (./source.ts) with attachXenStats.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../errors';
import type { TypedParam } from '../../../typed-params';
import type {
  BlockStats,
  DomainRef,
  DomainStatsRecord,
  InterfaceStats,
  MemoryStat,
  NodeCPUMap,
  NodeStat,
  VcpuInfo,
} from '../../../types';
import { allDomainStats } from './all-stats';
import { XenDomainStats } from './domain-stats';
import { XenNodeStats } from './node-stats';
import type { XenStatsSource } from './source';

interface Parts {
  source: XenStatsSource;
  domain: XenDomainStats;
  node: XenNodeStats;
}

/** Per driver instance (a WeakMap, so the mixed-in class declares no private members). */
const parts = new WeakMap<object, Parts>();

/**
 * Gives a driver built with withXenStats its source; call it in the constructor.
 * Returns the domain statistics, whose vCPU read the driver's own calls share.
 */
export function attachXenStats(driver: object, source: XenStatsSource): XenDomainStats {
  const domain = new XenDomainStats(source);
  parts.set(driver, { source, domain, node: new XenNodeStats(source) });
  return domain;
}

function of(driver: object): Parts {
  const p = parts.get(driver);
  if (!p) throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.XEN, 'statistics used before attachXenStats');
  return p;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AbstractClass = abstract new (...args: any[]) => object;

/** `Base` plus the monitoring calls (a mixin: the direct driver also extends the host storage calls). */
export function withXenStats<B extends AbstractClass>(Base: B) {
  abstract class XenStatsCalls extends Base {
    connectGetAllDomainStats(doms: DomainRef[] | null, stats: number, flags: number): Promise<DomainStatsRecord[]> {
      const p = of(this);
      return allDomainStats(p.source, p.domain, doms, stats, flags);
    }

    domainMemoryStats(dom: DomainRef, maxStats: number, flags: number): Promise<MemoryStat[]> {
      return of(this).domain.memoryStats(dom, maxStats, flags);
    }

    domainBlockStats(dom: DomainRef, disk: string): Promise<BlockStats> {
      return of(this).domain.blockStats(dom, disk);
    }

    domainBlockStatsFlags(dom: DomainRef, disk: string, flags: number): Promise<TypedParam[]> {
      return of(this).domain.blockStatsFlags(dom, disk, flags);
    }

    domainInterfaceStats(dom: DomainRef, device: string): Promise<InterfaceStats> {
      return of(this).domain.interfaceStats(dom, device);
    }

    domainGetVcpus(dom: DomainRef, maxInfo: number): Promise<VcpuInfo[]> {
      return of(this).domain.getVcpus(dom, maxInfo);
    }
    domainGetVcpuPinInfo(dom: DomainRef, ncpumaps: number, flags: number): Promise<boolean[][]> {
      return of(this).domain.getVcpuPinInfo(dom, ncpumaps, flags);
    }
    domainGetVcpusFlags(dom: DomainRef, flags: number): Promise<number> {
      return of(this).domain.getVcpusFlags(dom, flags);
    }

    domainGetCPUStats(dom: DomainRef, startCpu: number, ncpus: number, flags: number): Promise<TypedParam[][]> {
      return of(this).domain.getCPUStats(dom, startCpu, ncpus, flags);
    }

    nodeGetCPUMap(flags: number): Promise<NodeCPUMap> {
      return of(this).node.cpuMap(flags);
    }
    nodeGetCPUStats(cpuNum: number, flags: number): Promise<NodeStat[]> {
      return of(this).node.cpuStats(cpuNum, flags);
    }
    nodeGetMemoryStats(cellNum: number, flags: number): Promise<NodeStat[]> {
      return of(this).node.memoryStats(cellNum, flags);
    }
    nodeGetFreeMemory(): Promise<bigint> {
      return of(this).node.freeMemory();
    }
    nodeGetCellsFreeMemory(startCell: number, maxCells: number): Promise<bigint[]> {
      return of(this).node.cellsFreeMemory(startCell, maxCells);
    }
  }
  return XenStatsCalls;
}

/** The monitoring calls on their own (the proxy driver's base). */
export const XenStatsCalls = withXenStats(class {});
