/**
 * The remote driver's monitoring calls, made as libvirt's remote driver makes
 * them (two-step count-then-fetch where libvirt's protocol asks for it) and
 * checked as it checks replies: counts within what was asked for, maps of
 * the announced length.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { RemoteNetStoreDriver } from './netstore';
import { RemoteProcedure as P } from '../../rpc/procedures';
import {
  REMOTE_CPUMAPS_MAX,
  REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX,
  REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX,
  REMOTE_DOMAIN_MEMORY_STATS_MAX,
  REMOTE_VCPUINFO_MAX,
} from '../../rpc/stats-codecs';
import type { TypedParam } from '../../typed-params';
import type {
  BlockStats,
  DomainRef,
  DomainStatsRecord,
  InterfaceStats,
  MemoryStat,
  NodeCPUMap,
  NodeInfo,
  NodeStat,
  VcpuInfo,
} from '../../types';

function badReply(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.RPC, ErrorDomain.REMOTE, detail);
}

/** Bit i of `map` (libvirt's VIR_CPU_USABLE), for `count` CPUs. */
export function unpackCpuMap(map: Uint8Array, offset: number, count: number): boolean[] {
  const out = new Array<boolean>(count);
  for (let i = 0; i < count; i++) out[i] = ((map[offset + (i >> 3)] ?? 0) & (1 << (i & 7))) !== 0;
  return out;
}

/** `map` packed libvirt's way (CPU i is bit i % 8 of byte i / 8), as few bytes as hold it (VIR_CPU_MAPLEN). */
function packCpuMap(map: readonly boolean[]): Buffer {
  const out = Buffer.alloc(Math.ceil(map.length / 8));
  map.forEach((on, i) => {
    if (on) out[i >> 3]! |= 1 << (i & 7);
  });
  return out;
}

/** Extends the network/storage calls' base: the remote driver is one class chain over one RPC client. */
export abstract class RemoteMonitoring extends RemoteNetStoreDriver {
  protected abstract getNodeInfo(): Promise<NodeInfo>;

  async connectGetAllDomainStats(doms: DomainRef[] | null, stats: number, flags: number): Promise<DomainStatsRecord[]> {
    const { retStats } = await this.rpc().call(P.CONNECT_GET_ALL_DOMAIN_STATS, { doms: doms ?? [], stats, flags });
    return retStats;
  }

  async domainMemoryStats(dom: DomainRef, maxStats: number, flags: number): Promise<MemoryStat[]> {
    if (maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) {
      throw badReply(`too many memory stats requested: ${maxStats} > ${REMOTE_DOMAIN_MEMORY_STATS_MAX}`);
    }
    const { stats } = await this.rpc().call(P.DOMAIN_MEMORY_STATS, { dom, maxStats, flags });
    if (stats.length > maxStats) {
      throw badReply(`daemon returned ${stats.length} memory stats, more than the ${maxStats} asked for`);
    }
    return stats.map((s) => ({ tag: s.tag, value: s.val }));
  }

  async domainBlockStats(dom: DomainRef, disk: string): Promise<BlockStats> {
    const r = await this.rpc().call(P.DOMAIN_BLOCK_STATS, { dom, path: disk });
    return { rdReq: r.rd_req, rdBytes: r.rd_bytes, wrReq: r.wr_req, wrBytes: r.wr_bytes, errs: r.errs };
  }

  async domainBlockStatsFlags(dom: DomainRef, disk: string, flags: number): Promise<TypedParam[]> {
    const nparams = REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX;
    const r = await this.rpc().call(P.DOMAIN_BLOCK_STATS_FLAGS, { dom, path: disk, nparams, flags });
    return r.params;
  }

  async domainInterfaceStats(dom: DomainRef, device: string): Promise<InterfaceStats> {
    const r = await this.rpc().call(P.DOMAIN_INTERFACE_STATS, { dom, device });
    return {
      rxBytes: r.rx_bytes,
      rxPackets: r.rx_packets,
      rxErrs: r.rx_errs,
      rxDrop: r.rx_drop,
      txBytes: r.tx_bytes,
      txPackets: r.tx_packets,
      txErrs: r.tx_errs,
      txDrop: r.tx_drop,
    };
  }

  /** Asks for one map byte per 8 host CPUs (nodes × sockets × cores × threads), as libvirt-python does. */
  async domainGetVcpus(dom: DomainRef, maxInfo: number): Promise<VcpuInfo[]> {
    const node = await this.getNodeInfo();
    const hostCpus = node.nodes * node.sockets * node.cores * node.threads;
    const maplen = Math.max(1, Math.ceil(hostCpus / 8));
    if (maxInfo > REMOTE_VCPUINFO_MAX || maxInfo * maplen > REMOTE_CPUMAPS_MAX) {
      throw badReply(`vCPU information requested (${maxInfo} × ${maplen} map bytes) exceeds the protocol's limits`);
    }
    const { info, cpumaps } = await this.rpc().call(P.DOMAIN_GET_VCPUS, { dom, maxinfo: maxInfo, maplen });
    if (info.length > maxInfo) {
      throw badReply(`daemon returned ${info.length} vCPUs, more than the ${maxInfo} asked for`);
    }
    if (cpumaps.length > maxInfo * maplen) {
      throw badReply(`daemon returned ${cpumaps.length} map bytes, more than ${maxInfo * maplen}`);
    }
    return info.map((v, i) => ({
      number: v.number,
      state: v.state,
      cpuTimeNs: v.cpu_time,
      cpu: v.cpu,
      cpumap: unpackCpuMap(cpumaps, i * maplen, hostCpus),
    }));
  }

  async domainGetVcpuPinInfo(dom: DomainRef, ncpumaps: number, flags: number): Promise<boolean[][]> {
    const node = await this.getNodeInfo();
    const hostCpus = node.nodes * node.sockets * node.cores * node.threads;
    const maplen = Math.max(1, Math.ceil(hostCpus / 8));
    const { cpumaps, num } = await this.rpc().call(P.DOMAIN_GET_VCPU_PIN_INFO, { dom, ncpumaps, maplen, flags });
    if (num < 0 || num > ncpumaps || cpumaps.length < num * maplen) {
      throw badReply(`daemon returned ${num} vCPU maps in ${cpumaps.length} bytes for ${ncpumaps} asked`);
    }
    return Array.from({ length: num }, (_, i) => unpackCpuMap(cpumaps, i * maplen, hostCpus));
  }

  async domainPinVcpu(dom: DomainRef, vcpu: number, cpumap: boolean[]): Promise<void> {
    await this.rpc().call(P.DOMAIN_PIN_VCPU, { dom, vcpu, cpumap: packCpuMap(cpumap) });
  }

  async domainPinVcpuFlags(dom: DomainRef, vcpu: number, cpumap: boolean[], flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_PIN_VCPU_FLAGS, { dom, vcpu, cpumap: packCpuMap(cpumap), flags });
  }

  async domainGetVcpusFlags(dom: DomainRef, flags: number): Promise<number> {
    return (await this.rpc().call(P.DOMAIN_GET_VCPUS_FLAGS, { dom, flags })).num;
  }

  /** First how many parameters each CPU has (nparams 0), then the records, at most 128 CPUs per call. */
  async domainGetCPUStats(dom: DomainRef, startCpu: number, ncpus: number, flags: number): Promise<TypedParam[][]> {
    const query = { dom, nparams: 0, start_cpu: startCpu, ncpus: 1, flags };
    const count = await this.rpc().call(P.DOMAIN_GET_CPU_STATS, query);
    const nparams = count.nparams;
    if (nparams <= 0) return [];
    const out: TypedParam[][] = [];
    let first = startCpu;
    while (out.length < ncpus) {
      const chunk = startCpu === -1 ? 1 : Math.min(ncpus - out.length, REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX);
      const r = await this.rpc().call(P.DOMAIN_GET_CPU_STATS, { dom, nparams, start_cpu: first, ncpus: chunk, flags });
      const per = r.nparams;
      if (r.params.length > nparams * chunk || (r.params.length > 0 && (per <= 0 || r.params.length % per !== 0))) {
        throw badReply(`daemon returned ${r.params.length} CPU statistics for ${chunk} CPUs of ${nparams}`);
      }
      const got = r.params.length === 0 ? 0 : r.params.length / per;
      for (let i = 0; i < got; i++) out.push(r.params.slice(i * per, (i + 1) * per));
      if (startCpu === -1 || got < chunk) break;
      first += chunk;
    }
    return out;
  }

  async domainSetMemoryFlags(dom: DomainRef, memoryKiB: number, flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_SET_MEMORY_FLAGS, { dom, memory: memoryKiB, flags });
  }

  async domainSetVcpusFlags(dom: DomainRef, nvcpus: number, flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_SET_VCPUS_FLAGS, { dom, nvcpus, flags });
  }

  async domainSetMaxMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_SET_MAX_MEMORY, { dom, memory: memoryKiB });
  }

  async domainSetMemoryStatsPeriod(dom: DomainRef, period: number, flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_SET_MEMORY_STATS_PERIOD, { dom, period, flags });
  }

  async nodeGetCPUMap(flags: number): Promise<NodeCPUMap> {
    const r = await this.rpc().call(P.NODE_GET_CPU_MAP, { need_map: 1, need_online: 1, flags });
    if (r.ret < 0 || r.cpumap.length < Math.ceil(r.ret / 8)) {
      throw badReply(`CPU map of ${r.cpumap.length} bytes for ${r.ret} CPUs`);
    }
    return { cpumap: unpackCpuMap(r.cpumap, 0, r.ret), online: r.online };
  }

  async nodeGetCPUStats(cpuNum: number, flags: number): Promise<NodeStat[]> {
    const { nparams } = await this.rpc().call(P.NODE_GET_CPU_STATS, { cpuNum, nparams: 0, flags });
    if (nparams <= 0) return [];
    const r = await this.rpc().call(P.NODE_GET_CPU_STATS, { cpuNum, nparams, flags });
    if (r.params.length > nparams) throw badReply(`daemon returned ${r.params.length} CPU stats, more than ${nparams}`);
    return r.params.map((p) => ({ field: p.field, value: p.value }));
  }

  async nodeGetMemoryStats(cellNum: number, flags: number): Promise<NodeStat[]> {
    const { nparams } = await this.rpc().call(P.NODE_GET_MEMORY_STATS, { nparams: 0, cellNum, flags });
    if (nparams <= 0) return [];
    const r = await this.rpc().call(P.NODE_GET_MEMORY_STATS, { nparams, cellNum, flags });
    if (r.params.length > nparams) {
      throw badReply(`daemon returned ${r.params.length} memory stats, more than ${nparams}`);
    }
    return r.params.map((p) => ({ field: p.field, value: p.value }));
  }

  async nodeGetFreeMemory(): Promise<bigint> {
    return (await this.rpc().call(P.NODE_GET_FREE_MEMORY, undefined)).freeMem;
  }

  async nodeGetCellsFreeMemory(startCell: number, maxCells: number): Promise<bigint[]> {
    const { cells } = await this.rpc().call(P.NODE_GET_CELLS_FREE_MEMORY, { startCell, maxcells: maxCells });
    if (cells.length > maxCells) {
      throw badReply(`daemon returned ${cells.length} cells, more than the ${maxCells} asked for`);
    }
    return cells;
  }
}
