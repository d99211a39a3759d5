/**
 * The data types of the connection interface, shared by the public API and
 * every driver. Units are libvirt's: memory in KiB, CPU time in nanoseconds.
 */
import type { DomainEventType, DomainState } from './constants';

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

/** A lifecycle event as a driver reports it. */
export interface DriverLifecycleEvent {
  domain: DomainRef;
  event: DomainEventType;
  /** The per-event detail number (see DomainEvent*Detail in constants.ts). */
  detail: number;
}

export interface OpenOptions {
  /** Open read-only: every state-changing call fails with OPERATION_DENIED. */
  readonly?: boolean;
  signal?: AbortSignal;
  /**
   * Remote connections whose daemon asks for SASL (SCRAM-SHA-256): the user
   * and password. Without them libvirt's auth.conf is consulted (docs/security.md).
   */
  credentials?: { username: string; password: string };
}

/**
 * One backend behind the connection interface. The Connection layer checks
 * read-only access and arguments; a driver implements the calls themselves.
 * Every method rejects with XvirtError.
 */
export interface Driver {
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
  domainIsActive(dom: DomainRef): Promise<boolean>;
  domainIsPersistent(dom: DomainRef): Promise<boolean>;
  domainGetAutostart(dom: DomainRef): Promise<boolean>;
  domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void>;
  domainSetMemory(dom: DomainRef, memoryKiB: number): Promise<void>;
  domainSetVcpus(dom: DomainRef, nvcpus: number): Promise<void>;

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
