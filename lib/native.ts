/**
 * The native Xen addon (native/addon.cc over the C core), loaded with
 * node-gyp-build, behind a typed facade that checks every argument before the
 * native call and turns core failures into XvirtError.
 *
 * Domain facts come back in DomainRecords: preallocated typed arrays the
 * addon writes into, so the getInfo path allocates nothing per call.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';
import { loadAddonBinary } from './native-addon';
import {
  AFFINITY_CPUS_MAX,
  NativeStatsReader,
  stridesMatch,
  type NativeStatsCalls,
  type NativeStrides,
  type XenNodeMemory,
  type XenVcpu,
} from './native-stats';

export type { XenNodeMemory, XenVcpu } from './native-stats';
export { packageRoot } from './native-addon';

/** Slots of one domain record (must match REC_* in native/addon.cc). */
export enum Slot {
  DOMID = 0,
  /** libvirt virDomainState */
  STATE = 1,
  /** libvirt per-state reason */
  REASON = 2,
  /** raw XEN_DOMINF_* flags */
  FLAGS = 3,
  MEM_KIB = 4,
  MAX_MEM_KIB = 5,
  ONLINE_VCPUS = 6,
  MAX_VCPUS = 7,
  /** raw uint64 nanoseconds: read through the BigUint64Array view */
  CPU_TIME = 8,
  /** SHUTDOWN_* code while shut down, else 255 */
  SHUTDOWN_CODE = 9,
  /** the core's own state (xc_dom_state): 0 nostate, 1 running, 2 blocked, 3 paused, 4 shutoff, 5 crashed, 6 dying */
  XEN_STATE = 10,
}
export const RECORD_STRIDE = 11;
export const UUID_BYTES = 16;
/** Largest domain id a caller may name. */
export const DOMID_MAX = 0x7fef;

export interface XenVersionInfo {
  major: number;
  minor: number;
  /** e.g. '.7' */
  extraversion: string;
  /** XENVER_capabilities, e.g. 'xen-3.0-x86_64 hvm-3.0-x86_32 ...' */
  capabilities: string;
  sysctlInterface: number;
  domctlInterface: number;
  /** Which device and buffer kind the handle uses. */
  transport: string;
}

export interface XenPhysinfo {
  threadsPerCore: number;
  coresPerSocket: number;
  cpus: number;
  nodes: number;
  cpuKhz: number;
  /** XEN_SYSCTL_PHYSCAP_* bits */
  capabilities: number;
  totalKiB: number;
  freeKiB: number;
}

/** What the addon's Hypervisor object offers (exported for tests' stand-ins); statistics calls: native-stats.ts. */
export interface NativeHypervisor extends NativeStatsCalls {
  info(): XenVersionInfo;
  physinfo(): XenPhysinfo;
  getInfo(domid: number, expectUuid: Uint8Array | null, out: Float64Array): number;
  list(out: Float64Array, uuids: Uint8Array): number;
  pause(domid: number): Promise<void>;
  unpause(domid: number): Promise<void>;
  destroy(domid: number): Promise<void>;
  shutdown(domid: number, reboot: boolean): Promise<void>;
  /** XEN_DOMCTL_setvcpuaffinity of the hard map (libvirt's cpumap bytes), on the pool. */
  pinVcpu(domid: number, vcpu: number, map: Uint8Array): Promise<void>;
  close(): void;
}

/** The addon's xvirt-proxy connection (native/proxy_channel.c; typed facade: lib/drivers/proxy/channel.ts). */
export interface NativeProxyChannel {
  /** 0, or the errno of the failed connect. */
  connect(path: string, timeoutMs: number): number;
  /** Sends requests[0, length) and waits for their replies; returns their byte count, copied into `out` if it fits. */
  exchange(requests: Buffer, length: number, out: Buffer): number;
  /** The last exchange's replies, into an `out` large enough. */
  take(out: Buffer): void;
  close(): void;
}

interface NativeAddon extends NativeStrides {
  openHypervisor(): Promise<NativeHypervisor>;
  ProxyChannel: new () => NativeProxyChannel;
  RECORD_STRIDE: number;
}

let addon: NativeAddon | null = null;

/** Loads the addon once and checks its records match this file's; a missing build is a clear NO_SUPPORT error. */
export function loadAddon(): NativeAddon {
  if (addon) return addon;
  const loaded = loadAddonBinary() as NativeAddon;
  if (loaded.RECORD_STRIDE !== RECORD_STRIDE) {
    throw XvirtError.of(
      ErrorNumber.INTERNAL_ERROR,
      ErrorDomain.XEN,
      `native addon record stride ${loaded.RECORD_STRIDE} does not match lib/native.ts (${RECORD_STRIDE}): rebuild it`,
    );
  }
  if (!stridesMatch(loaded)) {
    throw XvirtError.of(
      ErrorNumber.INTERNAL_ERROR,
      ErrorDomain.XEN,
      'native addon statistics record strides do not match lib/native-stats.ts: rebuild it',
    );
  }
  addon = loaded;
  return addon;
}

/** Maps a core failure (err.code = XC_*) to libvirt's error numbers. */
export function toXvirtError(err: unknown): XvirtError {
  if (err instanceof XvirtError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const map: Record<string, ErrorNumber> = {
    XC_ENOPRIVCMD: ErrorNumber.NO_CONNECT,
    XC_EACCESS: ErrorNumber.ACCESS_DENIED,
    XC_EUNSUPPORTED: ErrorNumber.NO_SUPPORT,
    XC_ENODOMAIN: ErrorNumber.NO_DOMAIN,
    XC_EHYPERCALL: ErrorNumber.XEN_CALL,
    XC_ESYSTEM: ErrorNumber.SYSTEM_ERROR,
    XC_EINVAL: ErrorNumber.INVALID_ARG,
  };
  const number = typeof e?.code === 'string' ? map[e.code] : undefined;
  if (number === ErrorNumber.NO_CONNECT) {
    return XvirtError.of(number, ErrorDomain.XEN, `the Xen hypervisor: ${message}`, { cause: err });
  }
  if (number !== undefined) return XvirtError.of(number, ErrorDomain.XEN, message, { cause: err });
  if (err instanceof TypeError) return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, message, { cause: err });
  return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.XEN, message, { cause: err });
}

function invalidArg(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, detail);
}

export function checkDomid(domid: unknown): number {
  if (typeof domid !== 'number' || !Number.isInteger(domid) || domid < 0 || domid > DOMID_MAX) {
    throw invalidArg(`domain id must be an integer from 0 to ${DOMID_MAX}, got ${String(domid)}`);
  }
  return domid;
}

/** Preallocated storage for domain records: numbers in `f64`, CPU time in `u64`, UUIDs in `uuids`. */
export class DomainRecords {
  f64: Float64Array;
  u64: BigUint64Array;
  uuids: Uint8Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > DOMID_MAX + 1) {
      throw invalidArg(`record capacity must be an integer from 1 to ${DOMID_MAX + 1}, got ${String(capacity)}`);
    }
    const buf = new ArrayBuffer(capacity * RECORD_STRIDE * 8);
    this.f64 = new Float64Array(buf);
    this.u64 = new BigUint64Array(buf);
    this.uuids = new Uint8Array(capacity * UUID_BYTES);
  }

  get capacity(): number {
    return this.uuids.length / UUID_BYTES;
  }

  get(i: number, slot: Slot): number {
    return this.f64[i * RECORD_STRIDE + slot]!;
  }
  cpuTimeNs(i: number): bigint {
    return this.u64[i * RECORD_STRIDE + Slot.CPU_TIME]!;
  }
  /** The i-th record's UUID bytes (a view: copy it to keep it). */
  uuid(i: number): Uint8Array {
    return this.uuids.subarray(i * UUID_BYTES, (i + 1) * UUID_BYTES);
  }
}

/** An open hypervisor: two privcmd handles (queries on this thread, control calls on the pool). */
export class XenHypervisor {
  readonly #native: NativeHypervisor;
  readonly #stats: NativeStatsReader;
  /** Version and interface facts, read once at open. */
  readonly version: XenVersionInfo;
  #closed = false;

  private constructor(native: NativeHypervisor) {
    this.#native = native;
    this.#stats = new NativeStatsReader(native);
    this.version = native.info();
  }

  /** Opens /dev/xen/privcmd and confirms the interface versions (off the event loop). */
  static async open(): Promise<XenHypervisor> {
    return XenHypervisor.over(loadAddon().openHypervisor());
  }

  /** @internal wraps an opened native handle (tests pass a stand-in). */
  static async over(opening: Promise<NativeHypervisor>): Promise<XenHypervisor> {
    try {
      return new XenHypervisor(await opening);
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  #check(): void {
    if (this.#closed) throw XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.XEN, 'the hypervisor handle is closed');
  }

  physinfo(): XenPhysinfo {
    this.#check();
    try {
      return this.#native.physinfo();
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  /**
   * Reads domain `domid` into record 0 of `out`. Returns false when no domain
   * has that id, or (with `expectUuid`) when the domain there has another UUID.
   */
  getInfo(domid: number, expectUuid: Uint8Array | null, out: DomainRecords): boolean {
    this.#check();
    checkDomid(domid);
    if (expectUuid !== null && (!(expectUuid instanceof Uint8Array) || expectUuid.length !== UUID_BYTES)) {
      throw invalidArg('expected UUID must be 16 bytes');
    }
    if (!(out instanceof DomainRecords)) throw invalidArg('out must be a DomainRecords');
    try {
      return this.#native.getInfo(domid, expectUuid, out.f64) === 0;
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  /**
   * Reads every domain (one hypercall per 256) into `out`, growing it if
   * needed; returns the records holding them (`out` or a larger replacement) and their count.
   */
  list(out: DomainRecords): { records: DomainRecords; count: number } {
    this.#check();
    if (!(out instanceof DomainRecords)) throw invalidArg('out must be a DomainRecords');
    let records = out;
    try {
      for (;;) {
        const total = this.#native.list(records.f64, records.uuids);
        if (total <= records.capacity) return { records, count: total };
        records = new DomainRecords(Math.min(DOMID_MAX + 1, total + 16));
      }
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  /** The vCPUs of domain `domid` (getvcpuinfo each); null when it is gone (or, with `expectUuid`, has another UUID). */
  vcpus(domid: number, expectUuid: Uint8Array | null): XenVcpu[] | null {
    this.#check();
    checkDomid(domid);
    if (expectUuid !== null && (!(expectUuid instanceof Uint8Array) || expectUuid.length !== UUID_BYTES)) {
      throw invalidArg('expected UUID must be 16 bytes');
    }
    return this.#query(() => this.#stats.vcpus(domid, expectUuid));
  }

  /**
   * The hard affinity of vCPU `vcpu` of domain `domid` over physical CPUs 0 .. cpus - 1
   * (XEN_DOMCTL_getvcpuaffinity); null when the domain, or that vCPU in it, is gone.
   */
  vcpuAffinity(domid: number, vcpu: number, cpus: number): boolean[] | null {
    this.#check();
    checkDomid(domid);
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu > 0xffffffff) {
      throw invalidArg(`vCPU id must be an integer from 0 to 4294967295, got ${String(vcpu)}`);
    }
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > AFFINITY_CPUS_MAX) {
      throw invalidArg(`CPU count must be an integer from 1 to ${AFFINITY_CPUS_MAX}, got ${String(cpus)}`);
    }
    return this.#query(() => this.#stats.vcpuAffinity(domid, vcpu, cpus));
  }

  /** Idle nanoseconds of each physical CPU id (XEN_SYSCTL_getcpuinfo); offline CPUs read 0. */
  cpuIdle(): bigint[] {
    this.#check();
    return this.#query(() => this.#stats.cpuIdle());
  }

  /** Memory of each NUMA node id (XEN_SYSCTL_numainfo). */
  nodeMemory(): XenNodeMemory[] {
    this.#check();
    return this.#query(() => this.#stats.nodeMemory());
  }

  #query<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  pause(domid: number): Promise<void> {
    return this.#control(domid, (n) => n.pause(domid));
  }
  unpause(domid: number): Promise<void> {
    return this.#control(domid, (n) => n.unpause(domid));
  }
  /** Hypervisor-level destroy: no xenstore or backend cleanup (prefer `xl destroy` for xl guests). */
  destroy(domid: number): Promise<void> {
    return this.#control(domid, (n) => n.destroy(domid));
  }

  /**
   * Declares a poweroff (or reboot) of the domain in the hypervisor
   * (SCHEDOP_remote_shutdown): immediate, without asking the guest OS.
   */
  shutdown(domid: number, reboot: boolean): Promise<void> {
    if (typeof reboot !== 'boolean') return Promise.reject(invalidArg('reboot must be a boolean'));
    return this.#control(domid, (n) => n.shutdown(domid, reboot));
  }

  /**
   * Pins vCPU `vcpu` of domain `domid` to the physical CPUs set in `cpus`
   * (index = CPU id): its hard affinity, XEN_DOMCTL_setvcpuaffinity, off the
   * event loop; the soft affinity stays as it is. NO_DOMAIN when the domain
   * or that vCPU is gone; XEN_CALL with Xen's errno when Xen refuses (a vCPU id
   * beyond the domain's, no online CPU of its pool in the map).
   */
  pinVcpu(domid: number, vcpu: number, cpus: readonly boolean[]): Promise<void> {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu > 0xffffffff) {
      return Promise.reject(invalidArg(`vCPU id must be an integer from 0 to 4294967295, got ${String(vcpu)}`));
    }
    if (!Array.isArray(cpus) || cpus.length < 1 || cpus.length > AFFINITY_CPUS_MAX) {
      return Promise.reject(invalidArg(`CPU map must be an array of 1 to ${AFFINITY_CPUS_MAX} booleans`));
    }
    if (!cpus.includes(true)) return Promise.reject(invalidArg(`CPU map for vCPU ${vcpu} names no CPU`));
    const map = new Uint8Array(Math.ceil(cpus.length / 8));
    cpus.forEach((on, c) => {
      if (on === true) map[c >> 3]! |= 1 << (c & 7);
    });
    return this.#control(domid, (n) => n.pinVcpu(domid, vcpu, map));
  }

  /** The checks and error translation every control call shares; `call` makes the native call itself. */
  async #control(domid: number, call: (native: NativeHypervisor) => Promise<void>): Promise<void> {
    this.#check();
    checkDomid(domid);
    try {
      await call(this.#native);
    } catch (err) {
      throw toXvirtError(err);
    }
  }

  /** Releases both handles (a control call in flight finishes first). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }
}
