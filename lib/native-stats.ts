/**
 * The statistics calls of the native hypervisor (native/addon_stats.cc):
 * typed results decoded from the Float64Arrays the addon fills, which are
 * kept and grown here so a poll allocates only its results.
 */

/** Slots of one vCPU record (VCPU_* in native/addon_stats.h). */
export enum VcpuSlot {
  PRESENT = 0,
  ONLINE = 1,
  BLOCKED = 2,
  RUNNING = 3,
  CPU = 4,
  CPU_TIME = 5,
}
export const VCPU_STRIDE = 6;
/** Slots of one NUMA node record (NODE_* in native/addon_stats.h). */
export enum NodeSlot {
  ONLINE = 0,
  SIZE_KIB = 1,
  FREE_KIB = 2,
}
export const NODE_STRIDE = 3;
/** The most physical CPU ids a vCPU affinity map covers (XC_CPUMAP_MAX bytes, native/xc_core.h). */
export const AFFINITY_CPUS_MAX = 448 * 8;

/** One vCPU as XEN_DOMCTL_getvcpuinfo reports it. */
export interface XenVcpu {
  /** The vCPU id. */
  id: number;
  /** False when Xen holds no vCPU with this id (no other field is meaningful then). */
  present: boolean;
  /** Up (not hot-unplugged by the guest). */
  online: boolean;
  /** Waiting for an event. */
  blocked: boolean;
  /** On a physical CPU right now. */
  running: boolean;
  /** The physical CPU it runs on, or last ran on. */
  cpu: number;
  /** Time it spent running, in nanoseconds. */
  cpuTimeNs: bigint;
}

/** One NUMA node's memory (XEN_SYSCTL_numainfo). */
export interface XenNodeMemory {
  node: number;
  /** False for a node id not in use (sizes 0). */
  online: boolean;
  sizeKiB: number;
  freeKiB: number;
}

/** The addon Hypervisor's statistics calls (part of NativeHypervisor, lib/native.ts), which fill `out`. */
export interface NativeStatsCalls {
  /** vCPU records into `out`; the vCPU count, or -1 for no such domain (or another UUID). */
  vcpus(domid: number, expectUuid: Uint8Array | null, out: Float64Array): number;
  /** One vCPU's hard affinity into `out` (libvirt's cpumap bytes); 0, or -1 for no such domain or vCPU. */
  vcpuAffinity(domid: number, vcpu: number, out: Uint8Array): number;
  /** Raw uint64 idle ns per CPU into `out`; the CPU id count. */
  cpuIdle(out: Float64Array): number;
  /** NUMA node records into `out`; the node id count. */
  nodeMemory(out: Float64Array): number;
}

/** The addon's own record strides, checked once against this file's. */
export interface NativeStrides {
  VCPU_STRIDE: number;
  NODE_STRIDE: number;
}

export function stridesMatch(addon: NativeStrides): boolean {
  return addon.VCPU_STRIDE === VCPU_STRIDE && addon.NODE_STRIDE === NODE_STRIDE;
}

/** Grows `buf` (by doubling) until it holds `records` records of `stride` slots. */
function room(buf: Float64Array<ArrayBuffer>, records: number, stride: number): Float64Array<ArrayBuffer> {
  let n = buf.length;
  while (n < records * stride) n *= 2;
  return n === buf.length ? buf : new Float64Array(n);
}

export class NativeStatsReader {
  readonly #native: NativeStatsCalls;
  #vcpus = new Float64Array(8 * VCPU_STRIDE);
  #cpus = new Float64Array(64);
  #nodes = new Float64Array(4 * NODE_STRIDE);
  #map = new Uint8Array(1);

  constructor(native: NativeStatsCalls) {
    this.#native = native;
  }

  /** The domain's vCPUs; null when no domain has that id (or, with `expectUuid`, it has another UUID). */
  vcpus(domid: number, expectUuid: Uint8Array | null): XenVcpu[] | null {
    for (;;) {
      const count = this.#native.vcpus(domid, expectUuid, this.#vcpus);
      if (count < 0) return null;
      if (count * VCPU_STRIDE > this.#vcpus.length) {
        this.#vcpus = room(this.#vcpus, count, VCPU_STRIDE);
        continue; // read again: the records must come from one consistent pass
      }
      const f = this.#vcpus;
      const u = new BigUint64Array(f.buffer, f.byteOffset, f.length);
      const out: XenVcpu[] = [];
      for (let i = 0; i < count; i++) {
        const o = i * VCPU_STRIDE;
        out.push({
          id: i,
          present: f[o + VcpuSlot.PRESENT] === 1,
          online: f[o + VcpuSlot.ONLINE] === 1,
          blocked: f[o + VcpuSlot.BLOCKED] === 1,
          running: f[o + VcpuSlot.RUNNING] === 1,
          cpu: f[o + VcpuSlot.CPU]!,
          cpuTimeNs: u[o + VcpuSlot.CPU_TIME]!,
        });
      }
      return out;
    }
  }

  /** vCPU `vcpu`'s hard affinity over physical CPUs 0 .. cpus - 1; null when the domain or that vCPU is gone. */
  vcpuAffinity(domid: number, vcpu: number, cpus: number): boolean[] | null {
    const bytes = Math.ceil(cpus / 8);
    if (this.#map.length !== bytes) this.#map = new Uint8Array(bytes);
    const map = this.#map;
    if (this.#native.vcpuAffinity(domid, vcpu, map) < 0) return null;
    return Array.from({ length: cpus }, (_, c) => (map[c >> 3]! & (1 << (c & 7))) !== 0);
  }

  /** Idle time (ns) of every physical CPU id Xen reports; an offline CPU reads 0. */
  cpuIdle(): bigint[] {
    for (;;) {
      const count = this.#native.cpuIdle(this.#cpus);
      if (count > this.#cpus.length) {
        this.#cpus = room(this.#cpus, count, 1);
        continue;
      }
      return Array.from(new BigUint64Array(this.#cpus.buffer, 0, count));
    }
  }

  /** Memory of every NUMA node id Xen reports. */
  nodeMemory(): XenNodeMemory[] {
    for (;;) {
      const count = this.#native.nodeMemory(this.#nodes);
      if (count * NODE_STRIDE > this.#nodes.length) {
        this.#nodes = room(this.#nodes, count, NODE_STRIDE);
        continue;
      }
      const f = this.#nodes;
      const out: XenNodeMemory[] = [];
      for (let i = 0; i < count; i++) {
        const o = i * NODE_STRIDE;
        out.push({
          node: i,
          online: f[o + NodeSlot.ONLINE] === 1,
          sizeKiB: f[o + NodeSlot.SIZE_KIB]!,
          freeKiB: f[o + NodeSlot.FREE_KIB]!,
        });
      }
      return out;
    }
  }
}
