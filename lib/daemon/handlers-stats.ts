/**
 * Monitoring procedures: domain and host statistics, vCPU queries and the
 * flag-taking memory/vCPU setters, each served through the public API with
 * the checks libvirtd's dispatcher makes before calling it (its limits, its
 * count-only queries when nparams is 0).
 */
import { Domain } from '../connection';
import { DomainMemoryModFlags } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../errors';
import { RemoteProcedure as P } from '../rpc/procedures';
import {
  REMOTE_CPUMAPS_MAX,
  REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX,
  REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX,
  REMOTE_DOMAIN_MEMORY_STATS_MAX,
  REMOTE_NODE_CPU_STATS_MAX,
  REMOTE_NODE_MAX_CELLS,
  REMOTE_NODE_MEMORY_STATS_MAX,
  REMOTE_VCPUINFO_MAX,
} from '../rpc/stats-codecs';
import type { TypedParam } from '../typed-params';
import type { DomainRef } from '../types';
import type { HandlerTable, SessionControl } from './dispatch';

/** The most CPUs one count query walks (libvirt's test and Xen hosts have far fewer). */
const CPU_COUNT_PROBE = 65536;

/** libvirtd's own argument errors: INTERNAL_ERROR in the RPC domain, worded as libvirtd words them. */
function dispatchLimit(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, detail);
}

function domain(s: SessionControl, ref: DomainRef): Domain {
  return new Domain(s.conn(), ref);
}

/** Bits of `map` packed libvirt's way (CPU i is bit i % 8 of byte i / 8) into `maplen` bytes at `offset`. */
function packCpuMap(map: readonly boolean[], out: Buffer, offset: number, maplen: number): void {
  for (let i = 0; i < map.length && i < maplen * 8; i++) if (map[i]) out[offset + (i >> 3)]! |= 1 << (i & 7);
}

/** A wire cpumap as one boolean per bit (maplen * 8 CPUs), as libvirt turns it into a bitmap. */
function cpuMapBits(map: Uint8Array): boolean[] {
  return Array.from({ length: map.length * 8 }, (_, i) => (map[i >> 3]! & (1 << (i & 7))) !== 0);
}

/**
 * virNodeGetCPUStats/virNodeGetMemoryStats (and virDomainBlockStatsFlags) on
 * the wire: nparams 0 asks how many there are; otherwise the parameters come
 * back and, as libvirtd sends it, the reply's nparams is 0.
 */
function paramsReply<T>(all: T[], nparams: number): { params: T[]; nparams: number } {
  return nparams === 0 ? { params: [], nparams: all.length } : { params: all.slice(0, nparams), nparams: 0 };
}

/** The per-CPU records laid out densely, each cut to `nparams`; nparams 0 returns the counts libvirt returns. */
async function cpuStatsReply(
  dom: Domain,
  nparams: number,
  startCpu: number,
  ncpus: number,
  flags: number,
): Promise<{ params: TypedParam[]; nparams: number }> {
  if (nparams === 0) {
    if (startCpu !== -1 && ncpus === 0) {
      return { params: [], nparams: (await dom.getCPUStats(0, CPU_COUNT_PROBE, flags)).length };
    }
    const [first] = await dom.getCPUStats(startCpu, 1, flags);
    return { params: [], nparams: first?.length ?? 0 };
  }
  const records = (await dom.getCPUStats(startCpu, ncpus, flags)).map((r) => r.slice(0, nparams));
  return { params: records.flat(), nparams: records[0]?.length ?? 0 };
}

/** Setters whose flag-taking call a driver lacks still serve LIVE-only requests through the plain call. */
async function orPlain(flags: number, flagged: () => Promise<void>, plain: () => Promise<void>): Promise<void> {
  try {
    await flagged();
  } catch (err) {
    const liveOnly = (flags & ~DomainMemoryModFlags.LIVE) === 0;
    if (!isXvirtError(err) || err.number !== ErrorNumber.NO_SUPPORT || !liveOnly) throw err;
    await plain();
  }
}

export const STATS_HANDLERS: HandlerTable = {
  [P.CONNECT_GET_ALL_DOMAIN_STATS]: {
    // The API's checks and driver call without its Domain objects: this is the dashboard's poll.
    run: async (s, a) => {
      const records =
        a.doms.length > 0
          ? await s.conn().domainStatsRecords(a.doms, a.stats, a.flags, 'virDomainListGetStats')
          : await s.conn().domainStatsRecords(null, a.stats, a.flags, 'virConnectGetAllDomainStats');
      return { retStats: records };
    },
  },
  [P.DOMAIN_MEMORY_STATS]: {
    run: async (s, a) => {
      if (a.maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) throw dispatchLimit('maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX');
      // libvirt's API answers nothing, without asking the driver, when no room is given.
      if (a.maxStats === 0) return { stats: [] };
      const stats = (await domain(s, a.dom).memoryStats(a.flags)).slice(0, a.maxStats);
      return { stats: stats.map((m) => ({ tag: m.tag, val: m.value })) };
    },
  },
  [P.DOMAIN_BLOCK_STATS]: {
    run: async (s, a) => {
      const b = await domain(s, a.dom).blockStats(a.path);
      return { rd_req: b.rdReq, rd_bytes: b.rdBytes, wr_req: b.wrReq, wr_bytes: b.wrBytes, errs: b.errs };
    },
  },
  [P.DOMAIN_BLOCK_STATS_FLAGS]: {
    run: async (s, a) => {
      if (a.nparams > REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) throw dispatchLimit('nparams too large');
      return paramsReply(await domain(s, a.dom).blockStatsFlags(a.path, a.flags), a.nparams);
    },
  },
  [P.DOMAIN_INTERFACE_STATS]: {
    run: async (s, a) => {
      const i = await domain(s, a.dom).interfaceStats(a.device);
      return {
        rx_bytes: i.rxBytes,
        rx_packets: i.rxPackets,
        rx_errs: i.rxErrs,
        rx_drop: i.rxDrop,
        tx_bytes: i.txBytes,
        tx_packets: i.txPackets,
        tx_errs: i.txErrs,
        tx_drop: i.txDrop,
      };
    },
  },
  [P.DOMAIN_GET_VCPUS]: {
    run: async (s, a) => {
      if (a.maxinfo > REMOTE_VCPUINFO_MAX) throw dispatchLimit('maxinfo > REMOTE_VCPUINFO_MAX');
      if (a.maxinfo * a.maplen > REMOTE_CPUMAPS_MAX) throw dispatchLimit('maxinfo * maplen > REMOTE_CPUMAPS_MAX');
      if (a.maplen <= 0) {
        throw new XvirtError(
          ErrorNumber.INVALID_ARG,
          ErrorDomain.DOMAIN,
          'maplen in virDomainGetVcpus must be greater than zero',
        );
      }
      const vcpus = await domain(s, a.dom).getVcpus(a.maxinfo);
      const cpumaps = Buffer.alloc(Math.max(0, a.maxinfo) * a.maplen);
      vcpus.forEach((v, i) => packCpuMap(v.cpumap, cpumaps, i * a.maplen, a.maplen));
      const info = vcpus.map((v) => ({ number: v.number, state: v.state, cpu_time: v.cpuTimeNs, cpu: v.cpu }));
      return { info, cpumaps };
    },
  },
  [P.DOMAIN_PIN_VCPU]: {
    run: (s, a) => domain(s, a.dom).pinVcpu(a.vcpu, cpuMapBits(a.cpumap)),
  },
  [P.DOMAIN_PIN_VCPU_FLAGS]: {
    run: (s, a) => domain(s, a.dom).pinVcpuFlags(a.vcpu, cpuMapBits(a.cpumap), a.flags),
  },
  [P.DOMAIN_GET_VCPU_PIN_INFO]: {
    run: async (s, a) => {
      if (a.ncpumaps > REMOTE_VCPUINFO_MAX) throw dispatchLimit('ncpumaps > REMOTE_VCPUINFO_MAX');
      if (a.ncpumaps * a.maplen > REMOTE_CPUMAPS_MAX) throw dispatchLimit('maxinfo * maplen > REMOTE_CPUMAPS_MAX');
      if (a.maplen <= 0) {
        throw new XvirtError(
          ErrorNumber.INVALID_ARG,
          ErrorDomain.DOMAIN,
          'maplen in virDomainGetVcpuPinInfo must be greater than zero',
        );
      }
      const maps = await domain(s, a.dom).getVcpuPinInfo(a.flags, a.ncpumaps);
      const cpumaps = Buffer.alloc(Math.max(0, a.ncpumaps) * a.maplen);
      maps.forEach((m, i) => packCpuMap(m, cpumaps, i * a.maplen, a.maplen));
      return { cpumaps, num: maps.length };
    },
  },
  [P.DOMAIN_GET_VCPUS_FLAGS]: {
    run: async (s, a) => ({ num: await domain(s, a.dom).getVcpusFlags(a.flags) }),
  },
  [P.DOMAIN_GET_CPU_STATS]: {
    run: (s, a) => {
      if (a.nparams > REMOTE_NODE_CPU_STATS_MAX) throw dispatchLimit('nparams too large');
      if (a.ncpus > REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX) throw dispatchLimit('ncpus too large');
      return cpuStatsReply(domain(s, a.dom), a.nparams, a.start_cpu, a.ncpus, a.flags);
    },
  },
  [P.DOMAIN_SET_MEMORY_FLAGS]: {
    run: (s, a) => {
      const d = domain(s, a.dom);
      return orPlain(
        a.flags,
        () => d.setMemoryFlags(a.memory, a.flags),
        () => d.setMemory(a.memory),
      );
    },
  },
  [P.DOMAIN_SET_VCPUS_FLAGS]: {
    run: (s, a) => {
      const d = domain(s, a.dom);
      return orPlain(
        a.flags,
        () => d.setVcpusFlags(a.nvcpus, a.flags),
        () => d.setVcpus(a.nvcpus),
      );
    },
  },
  [P.DOMAIN_SET_MAX_MEMORY]: {
    run: (s, a) => domain(s, a.dom).setMaxMemory(a.memory),
  },
  [P.DOMAIN_SET_MEMORY_STATS_PERIOD]: {
    run: (s, a) => domain(s, a.dom).setMemoryStatsPeriod(a.period, a.flags),
  },
  [P.NODE_GET_CPU_MAP]: {
    run: async (s, a) => {
      const m = await s.conn().getCPUMap(a.flags);
      const cpumap = Buffer.alloc(a.need_map ? Math.ceil(m.cpumap.length / 8) : 0);
      if (a.need_map) packCpuMap(m.cpumap, cpumap, 0, cpumap.length);
      return { cpumap, online: a.need_online ? m.online : 0, ret: m.cpumap.length };
    },
  },
  [P.NODE_GET_CPU_STATS]: {
    run: async (s, a) => {
      if (a.nparams > REMOTE_NODE_CPU_STATS_MAX) throw dispatchLimit('nparams too large');
      return paramsReply(await s.conn().getNodeCPUStats(a.cpuNum, a.flags), a.nparams);
    },
  },
  [P.NODE_GET_MEMORY_STATS]: {
    run: async (s, a) => {
      if (a.nparams > REMOTE_NODE_MEMORY_STATS_MAX) throw dispatchLimit('nparams too large');
      return paramsReply(await s.conn().getNodeMemoryStats(a.cellNum, a.flags), a.nparams);
    },
  },
  [P.NODE_GET_CELLS_FREE_MEMORY]: {
    run: async (s, a) => {
      if (a.maxcells > REMOTE_NODE_MAX_CELLS) {
        throw new XvirtError(ErrorNumber.RPC, ErrorDomain.RPC, 'maxcells > REMOTE_NODE_MAX_CELLS');
      }
      return { cells: await s.conn().getCellsFreeMemory(a.startCell, a.maxcells) };
    },
  },
  [P.NODE_GET_FREE_MEMORY]: {
    run: async (s) => ({ freeMem: await s.conn().getFreeMemory() }),
  },
};
