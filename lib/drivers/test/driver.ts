/**
 * The Driver interface over a TestState: argument and flag checks, then the
 * lookups and lifecycle functions. One TestDriver per connection; several
 * may share one state (test:///default), each with its own event sink.
 */
import { hostname } from 'node:os';
import { DomainCreateFlags, DomainMemoryModFlags, DomainUndefineFlags, DomainXMLFlags } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type {
  BlockStats,
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  DomainStatsRecord,
  Driver,
  DriverLifecycleEvent,
  InterfaceStats,
  MemoryStat,
  NodeCPUMap,
  NodeInfo,
  NodeStat,
  VcpuInfo,
} from '../../types';
import type { TypedParam } from '../../typed-params';
import { XVIRT_LIB_VERSION } from '../../version';
import type { DomainDefinition } from '../../xml';
import { formatDomainXml } from '../../xml/domain-format';
import { formatCapabilities } from './capabilities';
import { TEST_ARCH, TEST_HYPERVISOR_TYPE, TEST_HYPERVISOR_VERSION, TEST_MAX_VCPUS } from './defaults';
import type { TestDomain } from './domain';
import { checkFlags } from './errors';
import * as life from './lifecycle';
import * as save from './save';
import { LIST_FLAGS_ALL, type EventSink, type TestState } from './state';
import { TestNetStoreDriver } from './netstore-driver';
import type { NetStoreState } from './netstore-state';

/** VIR_TYPED_PARAM_STRING_OKAY: the only flag libvirt's test virDomainGetCPUStats takes. */
const TYPED_PARAM_STRING_OKAY = 4;
const MEMORY_FLAGS = DomainMemoryModFlags.LIVE | DomainMemoryModFlags.CONFIG | DomainMemoryModFlags.MAXIMUM;

/** virDomainCreateXML's VALIDATE flag (schema validation; our parser always validates). */
const CREATE_VALIDATE = 16;
/** virDomainReboot's method flags (ACPI, guest agent, initctl, signal, paravirt): all mean "reboot". */
const REBOOT_FLAGS_ALL = 0x1f;

// The monitoring and tuning code (and the typed parameters, device lookups and CPU lists it needs) loads on first
// use: a CLI run that only looks (`xvirt dominfo`, `xvirt list`) never calls it, and its start-up is measured.
let statsCode: typeof import('./stats') | null = null;
let tuningCode: typeof import('./tuning') | null = null;
let allStatsCode: typeof import('./all-stats') | null = null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stats = (): typeof import('./stats') => (statsCode ??= require('./stats') as typeof import('./stats'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tuning = (): typeof import('./tuning') => (tuningCode ??= require('./tuning') as typeof import('./tuning'));
const allStats = (): typeof import('./all-stats') =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (allStatsCode ??= require('./all-stats') as typeof import('./all-stats'));

/**
 * Domain XML as the test driver accepts it: os type hvm or xen, arch defaulting to i686.
 * The parser loads with the first domain XML given (opening test:///default needs none).
 */
export async function parseTestDomainXml(xml: string): Promise<DomainDefinition> {
  const { parseDomainXml } = await import('../../xml/domain-parse');
  return completeTestDefinition(parseDomainXml(xml));
}

export function completeTestDefinition(def: DomainDefinition): DomainDefinition {
  if (def.os.type !== 'hvm' && def.os.type !== 'xen') {
    throw XvirtError.of(
      ErrorNumber.CONFIG_UNSUPPORTED,
      ErrorDomain.TEST,
      `OS type '${def.os.type}' is not supported by the test driver (it runs hvm and xen guests)`,
    );
  }
  def.os.arch ??= TEST_ARCH;
  return def;
}

export class TestDriver extends TestNetStoreDriver implements Driver {
  readonly name = 'test';
  #state: TestState | null;
  readonly #uri: string;
  /** Called with the state once this connection closes (shared by every connection, index.ts). */
  readonly #release: (state: TestState) => void;
  #sink: EventSink | null = null;

  constructor(state: TestState, uri: string, release: (state: TestState) => void) {
    super();
    this.#state = state;
    this.#uri = uri;
    this.#release = release;
  }

  #live(): TestState {
    if (!this.#state) throw XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.TEST, 'connection is closed');
    return this.#state;
  }

  protected netstore(): NetStoreState {
    return this.#live().netstore;
  }

  #dom(ref: DomainRef): TestDomain {
    return this.#live().resolve(ref.uuid, ref.name);
  }

  async getType(): Promise<string> {
    this.#live();
    return TEST_HYPERVISOR_TYPE;
  }
  async getVersion(): Promise<number> {
    this.#live();
    return TEST_HYPERVISOR_VERSION;
  }
  async getLibVersion(): Promise<number> {
    this.#live();
    return XVIRT_LIB_VERSION;
  }
  async getHostname(): Promise<string> {
    this.#live();
    return hostname();
  }
  async getUri(): Promise<string> {
    this.#live();
    return this.#uri;
  }
  async getCapabilities(): Promise<string> {
    return formatCapabilities(this.#live().numaCells);
  }
  async getNodeInfo(): Promise<NodeInfo> {
    return { ...this.#live().nodeInfo };
  }
  /** In-process: nothing travels over a network, so the channel is secure. */
  async isSecure(): Promise<boolean> {
    this.#live();
    return true;
  }
  async getMaxVcpus(_type: string | null): Promise<number> {
    this.#live();
    return TEST_MAX_VCPUS;
  }

  async listAllDomains(flags: number): Promise<DomainRef[]> {
    checkFlags(flags, LIST_FLAGS_ALL, 'testConnectListAllDomains');
    return this.#live()
      .list(flags)
      .map((d) => d.ref);
  }

  async lookupById(id: number): Promise<DomainRef> {
    return this.#live().lookupById(id).ref;
  }
  async lookupByName(name: string): Promise<DomainRef> {
    return this.#live().lookupByName(name).ref;
  }
  async lookupByUuid(uuid: string): Promise<DomainRef> {
    return this.#live().lookupByUuid(uuid).ref;
  }

  async defineXML(xml: string): Promise<DomainRef> {
    const state = this.#live();
    return life.defineDomain(state, await parseTestDomainXml(xml)).ref;
  }

  async createXML(xml: string, flags: number): Promise<DomainRef> {
    checkFlags(flags, DomainCreateFlags.PAUSED | CREATE_VALIDATE, 'testDomainCreateXML');
    const state = this.#live();
    const def = await parseTestDomainXml(xml);
    return life.createDomain(state, def, (flags & DomainCreateFlags.PAUSED) !== 0).ref;
  }

  /** The hot path: one map lookup and one small object. */
  async domainGetInfo(dom: DomainRef): Promise<DomainInfo> {
    return this.#live().resolve(dom.uuid, dom.name).info();
  }

  async domainGetState(dom: DomainRef): Promise<DomainStateInfo> {
    const d = this.#dom(dom);
    return { state: d.state, reason: d.reason };
  }

  async domainGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    checkFlags(
      flags,
      DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.UPDATE_CPU | DomainXMLFlags.MIGRATABLE,
      'testDomainGetXMLDesc',
    );
    const d = this.#dom(dom);
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.config ?? d.def, { inactive: true });
    return formatDomainXml(d.def, { id: d.id });
  }

  /** libvirt's test driver answers 'linux' for every domain; so do we, to compare equal. */
  async domainGetOSType(dom: DomainRef): Promise<string> {
    this.#dom(dom);
    return 'linux';
  }

  async domainGetMaxMemory(dom: DomainRef): Promise<number> {
    return this.#dom(dom).def.memoryKiB;
  }

  async domainCreate(dom: DomainRef, flags: number): Promise<DomainRef> {
    checkFlags(flags, DomainCreateFlags.PAUSED, 'testDomainCreateWithFlags');
    const d = this.#dom(dom);
    life.startDomain(this.#live(), d, (flags & DomainCreateFlags.PAUSED) !== 0);
    return d.ref;
  }

  async domainSave(dom: DomainRef, file: string, flags: number): Promise<void> {
    return save.saveDomain(this.#live(), this.#dom(dom), file, flags);
  }
  async domainRestore(file: string, flags: number): Promise<void> {
    return save.restoreDomain(this.#live(), file, flags, parseTestDomainXml);
  }
  async domainManagedSave(dom: DomainRef, flags: number): Promise<void> {
    save.managedSave(this.#live(), this.#dom(dom), flags);
  }
  async domainHasManagedSaveImage(dom: DomainRef, flags: number): Promise<boolean> {
    return save.hasManagedSaveImage(this.#dom(dom), flags);
  }
  async domainManagedSaveRemove(dom: DomainRef, flags: number): Promise<void> {
    save.managedSaveRemove(this.#dom(dom), flags);
  }

  async domainDestroy(dom: DomainRef): Promise<void> {
    life.destroyDomain(this.#live(), this.#dom(dom));
  }
  async domainSuspend(dom: DomainRef): Promise<void> {
    life.suspendDomain(this.#live(), this.#dom(dom));
  }
  async domainResume(dom: DomainRef): Promise<void> {
    life.resumeDomain(this.#live(), this.#dom(dom));
  }
  async domainShutdown(dom: DomainRef): Promise<void> {
    life.shutdownDomain(this.#live(), this.#dom(dom));
  }

  async domainReboot(dom: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, REBOOT_FLAGS_ALL, 'testDomainReboot');
    life.rebootDomain(this.#live(), this.#dom(dom));
  }

  async domainUndefine(dom: DomainRef, flags: number): Promise<void> {
    checkFlags(
      flags,
      DomainUndefineFlags.MANAGED_SAVE | DomainUndefineFlags.SNAPSHOTS_METADATA,
      'testDomainUndefineFlags',
    );
    life.undefineDomain(this.#live(), this.#dom(dom), (flags & DomainUndefineFlags.MANAGED_SAVE) !== 0);
  }

  async domainIsActive(dom: DomainRef): Promise<boolean> {
    return this.#dom(dom).active;
  }
  async domainIsPersistent(dom: DomainRef): Promise<boolean> {
    return this.#dom(dom).persistent;
  }
  async domainGetAutostart(dom: DomainRef): Promise<boolean> {
    return this.#dom(dom).autostart;
  }
  async domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
    life.setDomainAutostart(this.#dom(dom), autostart);
  }
  async domainSetMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    life.setDomainMemory(this.#dom(dom), memoryKiB);
  }
  async domainSetVcpus(dom: DomainRef, nvcpus: number): Promise<void> {
    life.setDomainVcpus(this.#dom(dom), nvcpus);
  }

  // Monitoring: values and errors as libvirt 9.0's test driver (see stats.ts, tuning.ts).

  async connectGetAllDomainStats(
    doms: DomainRef[] | null,
    groups: number,
    flags: number,
  ): Promise<DomainStatsRecord[]> {
    return allStats().allDomainStats(this.#live(), doms, groups, flags);
  }

  async domainMemoryStats(dom: DomainRef, maxStats: number, flags: number): Promise<MemoryStat[]> {
    checkFlags(flags, 0, 'testDomainMemoryStats');
    return stats().memoryStats(this.#dom(dom), maxStats);
  }

  async domainBlockStats(dom: DomainRef, disk: string): Promise<BlockStats> {
    return stats().blockStats(this.#dom(dom), disk);
  }
  async domainInterfaceStats(dom: DomainRef, device: string): Promise<InterfaceStats> {
    return stats().interfaceStats(this.#dom(dom), device);
  }

  async domainGetVcpus(dom: DomainRef, maxInfo: number): Promise<VcpuInfo[]> {
    return stats().vcpus(this.#live().nodeInfo, this.#dom(dom), maxInfo);
  }

  async domainPinVcpu(dom: DomainRef, vcpu: number, cpumap: boolean[]): Promise<void> {
    tuning().pinLiveVcpu(this.#dom(dom), vcpu, cpumap);
  }

  /** libvirt 9.0's test driver takes no flags here: LIVE and CONFIG are refused as unknown. */
  async domainPinVcpuFlags(dom: DomainRef, vcpu: number, cpumap: boolean[], flags: number): Promise<void> {
    checkFlags(flags, 0, 'testDomainPinVcpuFlags');
    tuning().pinLiveVcpu(this.#dom(dom), vcpu, cpumap);
  }

  async domainGetVcpuPinInfo(dom: DomainRef, ncpumaps: number, flags: number): Promise<boolean[][]> {
    checkFlags(flags, DomainMemoryModFlags.LIVE | DomainMemoryModFlags.CONFIG, 'testDomainGetVcpuPinInfo');
    return tuning().vcpuPinInfo(this.#dom(dom), stats().maxHostCpus(this.#live().nodeInfo), ncpumaps, flags);
  }

  async domainGetVcpusFlags(dom: DomainRef, flags: number): Promise<number> {
    checkFlags(flags, MEMORY_FLAGS, 'testDomainGetVcpusFlags');
    return tuning().getVcpusFlags(this.#dom(dom), flags);
  }

  async domainGetCPUStats(dom: DomainRef, startCpu: number, ncpus: number, flags: number): Promise<TypedParam[][]> {
    checkFlags(flags, TYPED_PARAM_STRING_OKAY, 'testDomainGetCPUStats');
    return stats().cpuStats(this.#live().nodeInfo, this.#dom(dom), startCpu, ncpus);
  }

  async domainSetMemoryFlags(dom: DomainRef, memoryKiB: number, flags: number): Promise<void> {
    checkFlags(flags, MEMORY_FLAGS, 'testDomainSetMemoryFlags');
    tuning().setMemoryFlags(this.#dom(dom), memoryKiB, flags);
  }

  async domainSetVcpusFlags(dom: DomainRef, nvcpus: number, flags: number): Promise<void> {
    checkFlags(flags, MEMORY_FLAGS, 'testDomainSetVcpusFlags');
    tuning().setVcpusFlags(this.#dom(dom), nvcpus, flags);
  }

  async domainSetMemoryStatsPeriod(dom: DomainRef, period: number, flags: number): Promise<void> {
    checkFlags(flags, DomainMemoryModFlags.LIVE | DomainMemoryModFlags.CONFIG, 'testDomainSetMemoryStatsPeriod');
    tuning().setMemoryStatsPeriod(this.#dom(dom), period, flags);
  }

  /** libvirt's test driver implements it as setMemoryFlags(MAXIMUM). */
  async domainSetMaxMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    tuning().setMemoryFlags(this.#dom(dom), memoryKiB, DomainMemoryModFlags.MAXIMUM);
  }

  async nodeGetCPUMap(flags: number): Promise<NodeCPUMap> {
    checkFlags(flags, 0, 'testNodeGetCPUMap');
    this.#live();
    return stats().cpuMap();
  }

  async nodeGetCPUStats(_cpuNum: number, flags: number): Promise<NodeStat[]> {
    checkFlags(flags, 0, 'testNodeGetCPUStats');
    this.#live();
    return stats().nodeCpuStats();
  }

  async nodeGetFreeMemory(): Promise<bigint> {
    return stats().freeMemory(this.#live().numaCells);
  }
  async nodeGetCellsFreeMemory(startCell: number, maxCells: number): Promise<bigint[]> {
    return stats().cellsFreeMemory(this.#live().numaCells, startCell, maxCells);
  }

  async startLifecycleEvents(sink: (event: DriverLifecycleEvent) => void): Promise<void> {
    const state = this.#live();
    if (this.#sink) state.unsubscribe(this.#sink);
    this.#sink = sink;
    state.subscribe(sink);
  }

  async stopLifecycleEvents(): Promise<void> {
    if (this.#sink && this.#state) this.#state.unsubscribe(this.#sink);
    this.#sink = null;
  }

  /** The in-memory hypervisor never goes away on its own: nothing to report. */
  onClosed(_listener: (reason: number) => void): void {}

  isAlive(): boolean {
    return this.#state !== null;
  }

  async close(): Promise<void> {
    const state = this.#state;
    if (!state) return;
    if (this.#sink) state.unsubscribe(this.#sink);
    this.releaseNetStore();
    this.#sink = null;
    this.#state = null;
    this.#release(state);
  }
}
