/**
 * The data types of the connection interface, shared by the public API and
 * every driver. Units are libvirt's: memory in KiB, CPU time in nanoseconds.
 */
import type { DomainEventType, DomainMemoryStatTag, DomainState, VcpuState } from './constants';
import type { TypedParam } from './typed-params';
import type { NetworkStorageDriver } from './netstore-types';
import type { Duplex } from 'node:stream';
import type { ConnectionUri } from './uri';

/** What identifies a domain on a connection (libvirt's remote_nonnull_domain). */
export interface DomainRef {
  readonly name: string;
  /** Canonical lower-case 8-4-4-4-12 form. */
  readonly uuid: string;
  /** Hypervisor id while running; -1 while inactive. */
  readonly id: number;
}

/** virDomainInfo */
export interface DomainInfo {
  state: DomainState;
  /** Maximum memory in KiB. */
  maxMemKiB: number;
  /** Current memory in KiB. */
  memoryKiB: number;
  nrVirtCpu: number;
  /** CPU time used, in nanoseconds (bigint: it outgrows 2^53 on long-lived hosts). */
  cpuTimeNs: bigint;
}

/** virDomainGetState's result: state plus a per-state reason (see constants.ts). */
export interface DomainStateInfo {
  state: DomainState;
  reason: number;
}

/** virNodeInfo */
export interface NodeInfo {
  /** CPU model string, at most 31 characters (libvirt's char[32]). */
  model: string;
  /** Memory size in KiB. */
  memoryKiB: number;
  /** Number of active CPUs. */
  cpus: number;
  /** Expected CPU frequency in MHz (0 if unknown). */
  mhz: number;
  /** NUMA cells. */
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

/** One domain's record from virConnectGetAllDomainStats / virDomainListGetStats. */
export interface DomainStatsRecord {
  domain: DomainRef;
  /**
   * libvirt's keys and types, group by group: state.state/state.reason (INT),
   * cpu.time/cpu.user/cpu.system (ULLONG ns), balloon.current/balloon.maximum
   * (ULLONG KiB), vcpu.current/vcpu.maximum (UINT), vcpu.<n>.state (INT),
   * vcpu.<n>.time (ULLONG ns), net.count, net.<n>.name, net.<n>.rx.bytes...,
   * block.count, block.<n>.name, block.<n>.rd.reqs, block.<n>.rd.bytes...
   * A value the backend cannot give is absent, never zero-filled.
   */
  params: TypedParam[];
}

/** One virDomainMemoryStats entry. Units: KiB, except faults (counts) and LAST_UPDATE (seconds). */
export interface MemoryStat {
  tag: DomainMemoryStatTag;
  value: bigint;
}

/** virDomainBlockStatsStruct: counters since the disk was attached; -1n where unknown. */
export interface BlockStats {
  rdReq: bigint;
  rdBytes: bigint;
  wrReq: bigint;
  wrBytes: bigint;
  errs: bigint;
}

/** virDomainInterfaceStatsStruct, as seen from the guest; -1n where unknown. */
export interface InterfaceStats {
  rxBytes: bigint;
  rxPackets: bigint;
  rxErrs: bigint;
  rxDrop: bigint;
  txBytes: bigint;
  txPackets: bigint;
  txErrs: bigint;
  txDrop: bigint;
}

/** virVcpuInfo plus the vCPU's affinity. */
export interface VcpuInfo {
  /** vCPU number. */
  number: number;
  state: VcpuState;
  /** CPU time used, in nanoseconds. */
  cpuTimeNs: bigint;
  /** Host CPU it runs on (-1 when offline). */
  cpu: number;
  /** Affinity: cpumap[i] is true when the vCPU may run on host CPU i (one entry per host CPU). */
  cpumap: boolean[];
}

/** virNodeGetCPUMap's result. */
export interface NodeCPUMap {
  /** One entry per present host CPU: true when online. */
  cpumap: boolean[];
  /** Number of online CPUs. */
  online: number;
}

/** One virNodeCPUStats / virNodeMemoryStats entry: CPU fields in ns, memory fields in KiB. */
export interface NodeStat {
  /** e.g. 'kernel', 'user', 'idle', 'iowait' / 'total', 'free', 'buffers', 'cached'. */
  field: string;
  value: bigint;
}

/** A lifecycle event as a driver reports it. */
export interface DriverLifecycleEvent {
  domain: DomainRef;
  event: DomainEventType;
  /** The per-event detail number (see DomainEvent*Detail in constants.ts). */
  detail: number;
}

export interface OpenOptions {
  /** Open read-only: every state-changing call fails with OPERATION_DENIED. */
  readonly?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Remote connections whose daemon asks for SASL (SCRAM-SHA-256): the user
   * and password. Without them libvirt's auth.conf is consulted (docs/security.md).
   */
  credentials?: { username: string; password: string } | undefined;
}

/**
 * One backend behind the connection interface. The Connection layer checks
 * read-only access and arguments; a driver implements the calls themselves.
 * Every method rejects with XvirtError.
 */
export interface Driver extends NetworkStorageDriver {
  /** Short driver name, e.g. 'test', 'xen', 'remote'. */
  readonly name: string;

  getType(): Promise<string>;
  /** Hypervisor version, libvirt-encoded (major*1e6 + minor*1e3 + release). */
  getVersion(): Promise<number>;
  /** Version of the library serving the calls (xvirt's, or the remote daemon's). */
  getLibVersion(): Promise<number>;
  getHostname(): Promise<string>;
  /** The canonical URI of this connection. */
  getUri(): Promise<string>;
  getCapabilities(): Promise<string>;
  getNodeInfo(): Promise<NodeInfo>;
  /** Whether the channel to the hypervisor is encrypted or local. */
  isSecure(): Promise<boolean>;
  getMaxVcpus(type: string | null): Promise<number>;

  /** flags: ListDomainsFlags, 0 meaning all. */
  listAllDomains(flags: number): Promise<DomainRef[]>;
  lookupById(id: number): Promise<DomainRef>;
  lookupByName(name: string): Promise<DomainRef>;
  lookupByUuid(uuid: string): Promise<DomainRef>;
  defineXML(xml: string): Promise<DomainRef>;
  /** Creates and starts a transient domain. */
  createXML(xml: string, flags: number): Promise<DomainRef>;

  domainGetInfo(dom: DomainRef): Promise<DomainInfo>;
  domainGetState(dom: DomainRef): Promise<DomainStateInfo>;
  domainGetXMLDesc(dom: DomainRef, flags: number): Promise<string>;
  domainGetOSType(dom: DomainRef): Promise<string>;
  domainGetMaxMemory(dom: DomainRef): Promise<number>;
  /** Starts a defined domain; resolves with its new reference (now with an id). */
  domainCreate(dom: DomainRef, flags: number): Promise<DomainRef>;
  domainDestroy(dom: DomainRef): Promise<void>;
  domainSuspend(dom: DomainRef): Promise<void>;
  domainResume(dom: DomainRef): Promise<void>;
  domainShutdown(dom: DomainRef): Promise<void>;
  domainReboot(dom: DomainRef, flags: number): Promise<void>;
  domainUndefine(dom: DomainRef, flags: number): Promise<void>;
  /** virDomainSaveFlags: the running domain's state goes to `file` (absolute path) and it stops. */
  domainSave?(dom: DomainRef, file: string, flags: number): Promise<void>;
  /**
   * virDomainRestoreFlags: starts the domain saved in `file`. Resolves with
   * nothing, as libvirt's API and its remote protocol do: a remote driver
   * cannot learn which domain came back without a second, racy call.
   */
  domainRestore?(file: string, flags: number): Promise<void>;
  /** virDomainManagedSave: saves into the driver's own image, which the next domainCreate restores. */
  domainManagedSave?(dom: DomainRef, flags: number): Promise<void>;
  domainHasManagedSaveImage?(dom: DomainRef, flags: number): Promise<boolean>;
  domainManagedSaveRemove?(dom: DomainRef, flags: number): Promise<void>;
  /** virDomainOpenConsole: the guest's console as a byte stream (flags: DomainConsoleFlags). */
  domainOpenConsole?(dom: DomainRef, devName: string | null, flags: number): Promise<Duplex>;
  domainIsActive(dom: DomainRef): Promise<boolean>;
  domainIsPersistent(dom: DomainRef): Promise<boolean>;
  domainGetAutostart(dom: DomainRef): Promise<boolean>;
  domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void>;
  domainSetMemory(dom: DomainRef, memoryKiB: number): Promise<void>;
  domainSetVcpus(dom: DomainRef, nvcpus: number): Promise<void>;

  // Monitoring (optional: the Connection rejects NO_SUPPORT naming the virXxx API when absent).

  /**
   * virConnectGetAllDomainStats (doms null) / virDomainListGetStats (doms given).
   * stats: DomainStatsTypes (0 = every group the driver supports); flags:
   * GetAllDomainStatsFlags (filter bits only with doms null). Unsupported groups
   * are skipped, or rejected (ARGUMENT_UNSUPPORTED) with ENFORCE_STATS.
   */
  connectGetAllDomainStats?(doms: DomainRef[] | null, stats: number, flags: number): Promise<DomainStatsRecord[]>;
  /** virDomainMemoryStats: at most `maxStats` entries. */
  domainMemoryStats?(dom: DomainRef, maxStats: number, flags: number): Promise<MemoryStat[]>;
  /** virDomainBlockStats: `disk` is a target name (vda) or source path. */
  domainBlockStats?(dom: DomainRef, disk: string): Promise<BlockStats>;
  /** virDomainBlockStatsFlags: typed form (rd_operations, rd_bytes, ..., in libvirt's field names). */
  domainBlockStatsFlags?(dom: DomainRef, disk: string, flags: number): Promise<TypedParam[]>;
  /** virDomainInterfaceStats: `device` is the interface's target dev name or MAC address. */
  domainInterfaceStats?(dom: DomainRef, device: string): Promise<InterfaceStats>;
  /** virDomainGetVcpus: at most `maxInfo` vCPUs (running domains only). */
  domainGetVcpus?(dom: DomainRef, maxInfo: number): Promise<VcpuInfo[]>;
  /**
   * virDomainGetVcpuPinInfo: the affinity of at most `ncpumaps` vCPUs of the live or persistent
   * definition (flags LIVE/CONFIG), one entry per host CPU; works on inactive domains.
   */
  domainGetVcpuPinInfo?(dom: DomainRef, ncpumaps: number, flags: number): Promise<boolean[][]>;
  /** virDomainGetVcpusFlags: flags DomainVcpuFlags (LIVE/CONFIG, MAXIMUM). */
  domainGetVcpusFlags?(dom: DomainRef, flags: number): Promise<number>;
  /**
   * virDomainGetCPUStats: per host CPU `startCpu`..`startCpu+ncpus-1` (cut at the
   * last CPU the driver knows), or the total with startCpu -1 (one record).
   */
  domainGetCPUStats?(dom: DomainRef, startCpu: number, ncpus: number, flags: number): Promise<TypedParam[][]>;
  /** virDomainSetMemoryFlags: KiB; flags DomainMemoryModFlags. */
  domainSetMemoryFlags?(dom: DomainRef, memoryKiB: number, flags: number): Promise<void>;
  /** virDomainSetVcpusFlags: flags DomainVcpuFlags. */
  domainSetVcpusFlags?(dom: DomainRef, nvcpus: number, flags: number): Promise<void>;
  /** virDomainPinVcpu: the running guest's vCPU `vcpu` on the host CPUs set in `cpumap`. */
  domainPinVcpu?(dom: DomainRef, vcpu: number, cpumap: boolean[]): Promise<void>;
  /** virDomainPinVcpuFlags: flags DomainVcpuFlags LIVE/CONFIG. */
  domainPinVcpuFlags?(dom: DomainRef, vcpu: number, cpumap: boolean[], flags: number): Promise<void>;
  /** virDomainSetMaxMemory: KiB. */
  domainSetMaxMemory?(dom: DomainRef, memoryKiB: number): Promise<void>;
  /** virDomainSetMemoryStatsPeriod: seconds between balloon statistics updates (0: off); flags LIVE/CONFIG. */
  domainSetMemoryStatsPeriod?(dom: DomainRef, period: number, flags: number): Promise<void>;
  /** virNodeGetCPUMap */
  nodeGetCPUMap?(flags: number): Promise<NodeCPUMap>;
  /** virNodeGetCPUStats: cpuNum -1 = all CPUs. */
  nodeGetCPUStats?(cpuNum: number, flags: number): Promise<NodeStat[]>;
  /** virNodeGetMemoryStats: cellNum -1 = all cells. */
  nodeGetMemoryStats?(cellNum: number, flags: number): Promise<NodeStat[]>;
  /** virNodeGetFreeMemory: bytes. */
  nodeGetFreeMemory?(): Promise<bigint>;
  /** virNodeGetCellsFreeMemory: bytes per cell from `startCell`, at most `maxCells`. */
  nodeGetCellsFreeMemory?(startCell: number, maxCells: number): Promise<bigint[]>;

  /**
   * Starts delivering lifecycle events to `sink` (at most one sink per driver
   * instance; the Connection fans out). Resolves once delivery is armed, so
   * any change made after it resolves is reported.
   */
  startLifecycleEvents(sink: (event: DriverLifecycleEvent) => void): Promise<void>;
  stopLifecycleEvents(): Promise<void>;

  /** Called at most once when the driver's channel dies on its own (remote EOF, keepalive...). */
  onClosed(listener: (reason: number) => void): void;
  isAlive(): boolean;
  close(): Promise<void>;
}

/** Opens a driver for a URI (lib/drivers/registry.ts loads one per URI scheme). */
export type DriverOpener = (uri: ConnectionUri, options: OpenOptions) => Promise<Driver>;
