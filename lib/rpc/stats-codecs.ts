/**
 * Argument and result codecs of the monitoring procedures, field for field
 * as libvirt's remote_protocol.x (9.0) declares them, with its limits.
 */
import { nonnullDomain, nonnullString, REMOTE_DOMAIN_LIST_MAX } from './protocol';
import { statsRecords } from './stats-records-xdr';
import { typedParams } from './typed-param-xdr';
import { array, hyper, int, opaqueVar, struct, uhyper, uhyperNumber, uint } from './xdr';

/** Parameters in one domain's getAllDomainStats record. */
export const REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX = 262144;
export const REMOTE_DOMAIN_MEMORY_STATS_MAX = 1024;
export const REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX = 16;
export const REMOTE_VCPUINFO_MAX = 16384;
export const REMOTE_CPUMAPS_MAX = 8388608;
export const REMOTE_CPUMAP_MAX = 2048;
export const REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX = 128;
export const REMOTE_DOMAIN_GET_CPU_STATS_MAX = 2048;
export const REMOTE_NODE_CPU_STATS_MAX = 16;
export const REMOTE_NODE_MEMORY_STATS_MAX = 16;
export const REMOTE_NODE_MAX_CELLS = 1024;

export const getAllDomainStatsArgs = struct({
  doms: array(nonnullDomain, REMOTE_DOMAIN_LIST_MAX),
  stats: uint,
  flags: uint,
});
export const getAllDomainStatsRet = struct({
  retStats: statsRecords(REMOTE_DOMAIN_LIST_MAX, REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX),
});

export const memoryStatsArgs = struct({ dom: nonnullDomain, maxStats: uint, flags: uint });
export const memoryStatsRet = struct({
  stats: array(struct({ tag: int, val: uhyper }), REMOTE_DOMAIN_MEMORY_STATS_MAX),
});

export const blockStatsArgs = struct({ dom: nonnullDomain, path: nonnullString });
export const blockStatsRet = struct({ rd_req: hyper, rd_bytes: hyper, wr_req: hyper, wr_bytes: hyper, errs: hyper });
export const blockStatsFlagsArgs = struct({ dom: nonnullDomain, path: nonnullString, nparams: int, flags: uint });
export const blockStatsFlagsRet = struct({
  params: typedParams(REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX),
  nparams: int,
});

export const interfaceStatsArgs = struct({ dom: nonnullDomain, device: nonnullString });
export const interfaceStatsRet = struct({
  rx_bytes: hyper,
  rx_packets: hyper,
  rx_errs: hyper,
  rx_drop: hyper,
  tx_bytes: hyper,
  tx_packets: hyper,
  tx_errs: hyper,
  tx_drop: hyper,
});

export const getVcpusArgs = struct({ dom: nonnullDomain, maxinfo: int, maplen: int });
export const vcpuInfo = struct({ number: uint, state: int, cpu_time: uhyper, cpu: int });
export const getVcpusRet = struct({
  info: array(vcpuInfo, REMOTE_VCPUINFO_MAX),
  cpumaps: opaqueVar(REMOTE_CPUMAPS_MAX),
});

export const pinVcpuArgs = struct({ dom: nonnullDomain, vcpu: uint, cpumap: opaqueVar(REMOTE_CPUMAP_MAX) });
export const pinVcpuFlagsArgs = struct({
  dom: nonnullDomain,
  vcpu: uint,
  cpumap: opaqueVar(REMOTE_CPUMAP_MAX),
  flags: uint,
});
export const getVcpuPinInfoArgs = struct({ dom: nonnullDomain, ncpumaps: int, maplen: int, flags: uint });
export const getVcpuPinInfoRet = struct({ cpumaps: opaqueVar(REMOTE_CPUMAPS_MAX), num: int });

export const getCpuStatsArgs = struct({ dom: nonnullDomain, nparams: uint, start_cpu: int, ncpus: uint, flags: uint });
export const getCpuStatsRet = struct({ params: typedParams(REMOTE_DOMAIN_GET_CPU_STATS_MAX), nparams: int });

export const nodeGetCpuMapArgs = struct({ need_map: int, need_online: int, flags: uint });
export const nodeGetCpuMapRet = struct({ cpumap: opaqueVar(REMOTE_CPUMAP_MAX), online: uint, ret: int });

const nodeStat = struct({ field: nonnullString, value: uhyper });
export const nodeGetCpuStatsArgs = struct({ cpuNum: int, nparams: int, flags: uint });
export const nodeGetCpuStatsRet = struct({ params: array(nodeStat, REMOTE_NODE_CPU_STATS_MAX), nparams: int });
export const nodeGetMemoryStatsArgs = struct({ nparams: int, cellNum: int, flags: uint });
export const nodeGetMemoryStatsRet = struct({ params: array(nodeStat, REMOTE_NODE_MEMORY_STATS_MAX), nparams: int });

export const nodeGetCellsFreeMemoryArgs = struct({ startCell: int, maxcells: int });
export const nodeGetCellsFreeMemoryRet = struct({ cells: array(uhyper, REMOTE_NODE_MAX_CELLS) });
export const nodeGetFreeMemoryRet = struct({ freeMem: uhyper });

export const setMaxMemoryArgs = struct({ dom: nonnullDomain, memory: uhyperNumber });
export const setMemoryFlagsArgs = struct({ dom: nonnullDomain, memory: uhyperNumber, flags: uint });
export const setMemoryStatsPeriodArgs = struct({ dom: nonnullDomain, period: int, flags: uint });
export const setVcpusFlagsArgs = struct({ dom: nonnullDomain, nvcpus: uint, flags: uint });
