/**
 * The host statistics of the Xen drivers, from the hypervisor rather than
 * dom0's /proc (dom0 is a guest: its CPUs and memory are not the host's):
 * CPU idle times (getcpuinfo), memory (physinfo) and NUMA nodes (numainfo).
 * Xen keeps only idle time per CPU, so 'idle' is the one CPU field reported.
 */
import type { NodeCPUMap, NodeStat } from '../../../types';
import { checkFlags, invalidArg, type XenStatsSource } from './source';

export class XenNodeStats {
  readonly #src: XenStatsSource;

  constructor(source: XenStatsSource) {
    this.#src = source;
  }

  /** Every CPU id Xen reports; a CPU counts as online when its idle vCPU has run (offline CPUs read 0). */
  async cpuMap(flags: number): Promise<NodeCPUMap> {
    checkFlags(this.#src.errorDomain, flags, 0, 'virNodeGetCPUMap');
    const cpumap = (await this.#src.cpuIdle()).map((idle) => idle > 0n);
    return { cpumap, online: cpumap.filter(Boolean).length };
  }

  /** virNodeGetCPUStats: idle ns of one CPU, or of all summed (cpuNum -1). */
  async cpuStats(cpuNum: number, flags: number): Promise<NodeStat[]> {
    checkFlags(this.#src.errorDomain, flags, 0, 'virNodeGetCPUStats');
    const idle = await this.#src.cpuIdle();
    if (cpuNum === -1) return [{ field: 'idle', value: idle.reduce((a, b) => a + b, 0n) }];
    if (cpuNum >= idle.length || idle[cpuNum] === 0n) {
      throw invalidArg(
        this.#src.errorDomain,
        `Invalid cpuNum ${cpuNum}: the host's online CPUs are ` +
          `${idle.flatMap((v, i) => (v > 0n ? [i] : [])).join(', ')}`,
      );
    }
    return [{ field: 'idle', value: idle[cpuNum]! }];
  }

  /** virNodeGetMemoryStats in KiB: the whole host from physinfo, one cell from numainfo. */
  async memoryStats(cellNum: number, flags: number): Promise<NodeStat[]> {
    checkFlags(this.#src.errorDomain, flags, 0, 'virNodeGetMemoryStats');
    if (cellNum === -1) {
      const p = await this.#src.physinfo();
      return [
        { field: 'total', value: BigInt(p.totalKiB) },
        { field: 'free', value: BigInt(p.freeKiB) },
      ];
    }
    const nodes = await this.#src.nodeMemory();
    const node = nodes[cellNum];
    if (!node || !node.online) {
      throw invalidArg(
        this.#src.errorDomain,
        `cell number ${cellNum} is not one of the host's NUMA cells ` +
          `(${nodes
            .filter((n) => n.online)
            .map((n) => n.node)
            .join(', ')})`,
      );
    }
    return [
      { field: 'total', value: BigInt(node.sizeKiB) },
      { field: 'free', value: BigInt(node.freeKiB) },
    ];
  }

  /** virNodeGetFreeMemory: the hypervisor's free pages, in bytes. */
  async freeMemory(): Promise<bigint> {
    return BigInt((await this.#src.physinfo()).freeKiB) * 1024n;
  }

  /** virNodeGetCellsFreeMemory: free bytes of cells startCell.. (at most maxCells); an unused node id has none. */
  async cellsFreeMemory(startCell: number, maxCells: number): Promise<bigint[]> {
    const nodes = await this.#src.nodeMemory();
    if (startCell >= nodes.length) {
      throw invalidArg(this.#src.errorDomain, `start cell ${startCell} out of range (0-${nodes.length - 1})`);
    }
    return nodes.slice(startCell, startCell + maxCells).map((n) => BigInt(n.freeKiB) * 1024n);
  }
}
