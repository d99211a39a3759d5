/**
 * The statistics libvirt 9.0's test driver reports, value for value: fixed
 * figures where libvirt's are fixed, and figures derived from the wall clock
 * (in microseconds, as libvirt's g_get_real_time) where libvirt's are.
 */
import { DomainMemoryStatTag as Tag, VcpuState } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { ullongParam, type TypedParam } from '../../typed-params';
import type { BlockStats, InterfaceStats, MemoryStat, NodeCPUMap, NodeInfo, NodeStat, VcpuInfo } from '../../types';
import { devicesOf, findDisk, findNet } from './devices';
import type { TestDomain } from './domain';
import type { NumaCell } from './defaults';
import { invalidArg, operationInvalid } from './errors';
import { pinnedMap } from '../vcpu-pins';

/** libvirt's TEST_TOTAL_CPUTIME: the domain CPU time cpu-stats reports, in ns. */
const TOTAL_CPU_TIME = 48772617035n;
/** The fixed LAST_UPDATE of libvirt's test memory stats. */
const MEMORY_LAST_UPDATE = 627319920n;

/** virDomainObjCheckActive's error (raised in libvirt's domain layer). */
export function requireRunning(dom: TestDomain): void {
  if (!dom.active) throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, 'domain is not running');
}

/** Microseconds since the epoch (libvirt's g_get_real_time). */
function realTimeUs(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/** VIR_NODEINFO_MAXCPUS: nodes × sockets × cores × threads. */
export function maxHostCpus(node: Readonly<NodeInfo>): number {
  return node.nodes * node.sockets * node.cores * node.threads;
}

export function memoryStats(dom: TestDomain, maxStats: number): MemoryStat[] {
  requireRunning(dom);
  const def = dom.def;
  if (!devicesOf(def).memballoon) return [];
  const cur = BigInt(def.currentMemoryKiB);
  const all: [Tag, bigint][] = [
    [Tag.ACTUAL_BALLOON, cur],
    [Tag.SWAP_IN, 0n],
    [Tag.SWAP_OUT, 0n],
    [Tag.MAJOR_FAULT, 0n],
    [Tag.MINOR_FAULT, 0n],
    [Tag.UNUSED, cur / 2n],
    [Tag.AVAILABLE, cur],
    [Tag.USABLE, cur / 2n],
    [Tag.LAST_UPDATE, MEMORY_LAST_UPDATE],
    [Tag.DISK_CACHES, cur / 8n],
    [Tag.HUGETLB_PGALLOC, 0n],
    [Tag.HUGETLB_PGFAIL, 0n],
    [Tag.RSS, cur / 2n],
  ];
  return all.slice(0, maxStats).map(([tag, value]) => ({ tag, value }));
}

export function blockStats(dom: TestDomain, disk: string): BlockStats {
  if (disk === '') {
    throw XvirtError.of(
      ErrorNumber.OPERATION_UNSUPPORTED,
      ErrorDomain.TEST,
      'summary statistics are not supported yet',
    );
  }
  requireRunning(dom);
  if (!findDisk(devicesOf(dom.def), disk)) throw invalidArg(`invalid path: ${disk}`);
  const base = realTimeUs();
  return { rdReq: base / 10n, rdBytes: base / 20n, wrReq: base / 30n, wrBytes: base / 40n, errs: base / 2_000_000n };
}

export function interfaceStats(dom: TestDomain, device: string): InterfaceStats {
  requireRunning(dom);
  if (!findNet(devicesOf(dom.def), device)) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN, `'${device}' is not a known interface`);
  }
  const base = realTimeUs();
  return {
    rxBytes: base / 10n,
    rxPackets: base / 100n,
    rxErrs: base / 1_000_000n,
    rxDrop: base / 2_000_000n,
    txBytes: base / 20n,
    txPackets: base / 110n,
    txErrs: base / 3_000_000n,
    txDrop: base / 4_000_000n,
  };
}

/** Every vCPU may run on all host CPUs (or where pinned), runs on the last of them, and has used (µs since the epoch / 10) ns. */
export function vcpus(node: Readonly<NodeInfo>, dom: TestDomain, maxInfo: number): VcpuInfo[] {
  if (!dom.active) throw operationInvalid('cannot list vcpus for an inactive domain');
  const hostCpus = maxHostCpus(node);
  const cpuTimeNs = realTimeUs() / 10n;
  const count = Math.min(maxInfo, dom.def.vcpus);
  const out: VcpuInfo[] = [];
  for (let i = 0; i < count; i++) {
    const cpumap = pinnedMap(dom.def, i, hostCpus) ?? new Array<boolean>(hostCpus).fill(true);
    // As libvirt's: the last CPU the vCPU may run on.
    out.push({ number: i, state: VcpuState.RUNNING, cpuTimeNs, cpu: cpumap.lastIndexOf(true), cpumap });
  }
  return out;
}

/** virDomainGetCPUStats: the fixed total, or per CPU (as many CPUs as the node has cores). */
export function cpuStats(node: Readonly<NodeInfo>, dom: TestDomain, startCpu: number, ncpus: number): TypedParam[][] {
  requireRunning(dom);
  if (startCpu === -1) {
    return [
      [
        ullongParam('cpu_time', TOTAL_CPU_TIME),
        ullongParam('user_time', 5540000000n),
        ullongParam('system_time', 6460000000n),
      ],
    ];
  }
  const total = node.cores;
  if (startCpu >= total) throw invalidArg(`start_cpu ${startCpu} larger than maximum of ${total - 1}`);
  const perCpu = TOTAL_CPU_TIME / BigInt(total);
  const out: TypedParam[][] = [];
  for (let i = startCpu; i < Math.min(total, startCpu + ncpus); i++) {
    out.push([ullongParam('cpu_time', perCpu + BigInt(i)), ullongParam('vcpu_time', perCpu + BigInt(i) - 1234567890n)]);
  }
  return out;
}

/** libvirt's fixed answer: 8 CPUs present, 0, 2 and 4 online. */
export function cpuMap(): NodeCPUMap {
  return { cpumap: [true, false, true, false, true, false, false, false], online: 3 };
}

/** libvirt's fixed host CPU times (ns), whatever CPU is asked for. */
export function nodeCpuStats(): NodeStat[] {
  return [
    { field: 'user', value: 9797400000n },
    { field: 'kernel', value: 34678723400000n },
    { field: 'idle', value: 87264900000n },
    { field: 'iowait', value: 763600000n },
  ];
}

/**
 * virNodeGetFreeMemory: the cells' free bytes summed. Without cells libvirt's
 * test driver returns 0, the API's error value, with no error set: libvirt
 * then reports what it reports for that, and so do we.
 */
export function freeMemory(cells: readonly NumaCell[]): bigint {
  const sum = cells.reduce((acc, c) => acc + BigInt(c.freeBytes), 0n);
  if (sum === 0n) {
    throw new XvirtError(ErrorNumber.INTERNAL_ERROR, ErrorDomain.NONE, 'An error occurred, but the cause is unknown');
  }
  return sum;
}

/**
 * virNodeGetCellsFreeMemory. libvirt's test driver answers each cell's memory
 * size figure (its KiB count) as the free byte count; so do we, to compare equal.
 */
export function cellsFreeMemory(cells: readonly NumaCell[], startCell: number, maxCells: number): bigint[] {
  if (startCell >= cells.length) throw invalidArg('Range exceeds available cells');
  return cells.slice(startCell, startCell + maxCells).map((c) => BigInt(c.memoryKiB));
}
