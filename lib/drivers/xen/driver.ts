/**
 * The direct Xen driver (xen:///system as root): queries and pause/resume/
 * shutdown/destroy go straight to the hypervisor through the native core;
 * names and lifecycle notifications come from xenstore; building domains is
 * left to `xl create`; persistent definitions live in a state directory.
 */
import * as os from 'node:os';
import {
  DomainConsoleFlags,
  DomainCreateFlags,
  DomainEventDefinedDetail,
  DomainEventType,
  DomainEventUndefinedDetail,
  DomainPausedReason,
  DomainRunningReason,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainShutoffReason,
  DomainState,
  DomainUndefineFlags,
  DomainXMLFlags,
  DomainMemoryModFlags,
  DomainVcpuFlags,
} from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { DOMID_MAX, DomainRecords, Slot, type XenHypervisor } from '../../native';
import type { DomainInfo, DomainRef, DomainStateInfo, Driver, DriverLifecycleEvent, NodeInfo } from '../../types';
import { UuidBytesCache } from '../../uuid';
import { XVIRT_LIB_VERSION } from '../../version';
import { capabilitiesXml, maxVcpusOf, nodeInfoOf, xenVersion } from '../xen-common/capabilities';
import type { StoredDefinition } from '../definition-store';
import type { DomainDirectory, Found } from './directory';
import { infoAt } from './domains';
import { noDomain, osTypeOf, type LiveDomain } from '../xen-common/records';
import type { XenControl } from './control';
import { activeAfterTeardown } from './lifecycle';
import { describeLiveDomain } from '../xen-common/live-xml';
import type { DomainXmlCodec } from './domain-xml';
import type { ReasonBook } from './reasons';
import { HubSubscription } from '../event-hub';
import { XenHost, type XenDriverDeps } from './host';
import { rejectUnknownFlags } from '../unknown-flags';
import { checkSaveTarget, readSaveImage, type ManagedSaveImages } from './save-images';
import { checkConsoleName, processConsoles } from './console';
import type { Duplex } from 'node:stream';
import { resolveDeviceSources } from './device-sources';
import { pinVcpuFlags, setMemoryFlags, setVcpusFlags, type TuningTarget } from './tuning';
import type { XlDomainConfig } from './xl';
import { HostNetworkDriver } from '../host-network/driver';
import type { HostBridgeNetworks } from '../host-network/bridge-networks';
import type { HostDirPools } from '../host-storage/dir-pools';
import { BackendCounters } from '../xen-common/stats/backend-counters';
import { attachXenStats, withXenStats } from '../xen-common/stats/calls';
import { DirectStatsSource } from './stats/direct-source';
import type { XenDomainStats } from '../xen-common/stats/domain-stats';

function wrongState(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.XEN, detail);
}

function noFlags(flags: number, what: string): void {
  if (flags !== 0)
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, `unsupported ${what} flags 0x${flags.toString(16)}`);
}

export type { XenDriverDeps } from './host';

export class XenDriver extends withXenStats(HostNetworkDriver) implements Driver {
  readonly name = 'xen';
  /** This process's shared xen:///system state (lib/drivers/xen/host.ts), held until close. */
  readonly #host: XenHost;
  readonly #hv: XenHypervisor;
  readonly #codec: DomainXmlCodec;
  readonly #dir: DomainDirectory;
  readonly #control: XenControl;
  readonly #reasons: ReasonBook;
  /** One record for getInfo: the hot path reuses it instead of allocating. */
  readonly #one = new DomainRecords(1);
  readonly #uuidBytes = new UuidBytesCache();
  /** This connection's lifecycle sink on the host's hub, while it listens. */
  readonly #listening = new HubSubscription<DriverLifecycleEvent>();
  /** The statistics' domain calls: tuning reads the vCPUs through them too (one read, one NO_DOMAIN). */
  readonly #domainStats: XenDomainStats;
  readonly #managed: ManagedSaveImages;
  #closed = false;
  /** Host `dir` storage pools (lib/drivers/host-storage), when the opener set them up. */
  readonly #storage: HostDirPools | null;
  readonly #networks: HostBridgeNetworks | null;

  protected hostPools(): HostDirPools | null {
    return this.#storage;
  }
  protected hostNetworks(): HostBridgeNetworks | null {
    return this.#networks;
  }

  /**
   * On `host` (a shared one: openXenDriver), or on `deps` alone (a host of
   * its own, closed with this driver: tests over fakes).
   */
  constructor(host: XenHost | XenDriverDeps) {
    super();
    if (!(host instanceof XenHost)) {
      host = new XenHost(host);
      host.tryAcquire();
    }
    this.#host = host;
    this.#storage = host.storage;
    this.#networks = host.networks;
    const source = new DirectStatsSource(
      host.hv,
      host.dir,
      host.reasons,
      this.#uuidBytes,
      new BackendCounters(host.sysfsRoot),
    );
    this.#domainStats = attachXenStats(this, source);
    this.#hv = host.hv;
    this.#codec = host.codec;
    this.#dir = host.dir;
    this.#control = host.control;
    this.#reasons = host.reasons;
    this.#managed = host.managed;
  }

  async getType(): Promise<string> {
    return 'Xen';
  }

  async getVersion(): Promise<number> {
    return xenVersion(this.#hv.version);
  }

  async getLibVersion(): Promise<number> {
    return XVIRT_LIB_VERSION;
  }
  async getHostname(): Promise<string> {
    return os.hostname();
  }
  async getUri(): Promise<string> {
    return 'xen:///system';
  }
  async getCapabilities(): Promise<string> {
    return capabilitiesXml(this.#hv.version.capabilities, this.#hv.physinfo());
  }
  async isSecure(): Promise<boolean> {
    return true;
  }

  async getNodeInfo(): Promise<NodeInfo> {
    return nodeInfoOf(this.#hv.physinfo());
  }
  async getMaxVcpus(type: string | null): Promise<number> {
    return maxVcpusOf(this.#hv.physinfo(), type);
  }

  async listAllDomains(flags: number): Promise<DomainRef[]> {
    return this.#dir.list(flags);
  }

  async lookupById(id: number): Promise<DomainRef> {
    return this.#dir.byId(id);
  }
  async lookupByName(name: string): Promise<DomainRef> {
    return this.#dir.byName(name);
  }
  async lookupByUuid(uuid: string): Promise<DomainRef> {
    return this.#dir.byUuid(uuid);
  }

  /**
   * The hot path: one getdomaininfo for the id the reference carries, checked
   * against its UUID. Only when the domain moved (a restart gives it a new id)
   * or stopped does the driver list domains or read the definitions.
   */
  domainGetInfo(dom: DomainRef): Promise<DomainInfo> {
    // Not an async function: the fast path skips its frame and extra promise (measured in bench/xen-direct.js).
    try {
      if (dom.id >= 0 && this.#hv.getInfo(dom.id, this.#uuidBytes.get(dom.uuid), this.#one))
        return Promise.resolve(infoAt(this.#one, 0));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#lookupInfo(dom);
  }

  async #lookupInfo(dom: DomainRef): Promise<DomainInfo> {
    const found = await this.#dir.find(dom);
    if (found.live) return found.live.info;
    if (found.def) return this.#inactiveInfo(found.def);
    throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
  }

  /** Polled like getInfo, so the same fast path: one getdomaininfo at the reference's id, UUID-checked. */
  domainGetState(dom: DomainRef): Promise<DomainStateInfo> {
    try {
      // In range only: an id checkDomid refuses falls back to the lookup by UUID, as before.
      if (dom.id >= 0 && dom.id <= DOMID_MAX && this.#hv.getInfo(dom.id, this.#uuidBytes.get(dom.uuid), this.#one)) {
        // The same record fields LiveDomains copies into info.state and reason.
        const state = this.#one.get(0, Slot.STATE) as DomainState;
        return Promise.resolve({
          state,
          reason: this.#one.get(0, Slot.REASON) || this.#reasons.reason(dom.uuid, dom.id, state),
        });
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#lookupState(dom);
  }

  async #lookupState(dom: DomainRef): Promise<DomainStateInfo> {
    const found = await this.#dir.find(dom);
    const live = found.live;
    if (live)
      return {
        state: live.info.state,
        reason: live.reason || this.#reasons.reason(dom.uuid, live.ref.id, live.info.state),
      };
    if (found.def)
      return { state: DomainState.SHUTOFF, reason: this.#reasons.reason(dom.uuid, -1, DomainState.SHUTOFF) };
    throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
  }

  async domainGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    const found = await this.#dir.find(dom);
    const inactive = (flags & DomainXMLFlags.INACTIVE) !== 0 || !found.live;
    if (found.def) return this.#codec.format(found.def.xml, inactive ? -1 : found.live!.ref.id);
    if (found.live) return describeLiveDomain(found.live);
    throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
  }

  async domainGetOSType(dom: DomainRef): Promise<string> {
    const found = await this.#dir.find(dom);
    if (found.live) return osTypeOf(found.live.flags);
    if (found.def) return found.def.config.type === 'hvm' ? 'hvm' : 'xen';
    throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
  }

  async domainGetMaxMemory(dom: DomainRef): Promise<number> {
    return (await this.domainGetInfo(dom)).maxMemKiB;
  }

  async defineXML(xml: string): Promise<DomainRef> {
    const config = this.#codec.parse(xml);
    const { definition, replaced } = await this.#dir.store.save(xml, config);
    const ref = await this.#dir.refFor(definition);
    this.#host.watcher?.emit({
      domain: ref,
      event: DomainEventType.DEFINED,
      detail: replaced ? DomainEventDefinedDetail.UPDATED : DomainEventDefinedDetail.ADDED,
    });
    return ref;
  }

  async createXML(xml: string, flags: number): Promise<DomainRef> {
    const config = this.#codec.parse(xml);
    const running = await activeAfterTeardown(
      () => this.#dir.live.list(false),
      (d) => d.ref.uuid === config.uuid || d.ref.name === config.name,
    );
    if (running)
      throw XvirtError.of(ErrorNumber.DOM_EXIST, ErrorDomain.XEN, `domain '${running.ref.name}' is already running`);
    return this.#start(config, flags);
  }

  async domainCreate(dom: DomainRef, flags: number): Promise<DomainRef> {
    const found = await this.#dir.find(dom);
    const live =
      found.live &&
      (await activeAfterTeardown(
        () => this.#dir.live.list(false),
        (d) => d.ref.uuid === dom.uuid,
      ));
    if (live)
      throw XvirtError.of(
        ErrorNumber.OPERATION_INVALID,
        ErrorDomain.XEN,
        `domain '${live.ref.name}' is already running`,
      );
    if (!found.def) throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
    if (await this.#managed.has(found.def.uuid)) {
      if ((flags & DomainCreateFlags.FORCE_BOOT) !== 0) {
        await this.#managed.remove(found.def.uuid);
      } else {
        const ref = await this.#restore(this.#managed.pathOf(found.def.uuid));
        await this.#managed.remove(found.def.uuid); // as libvirt: the image served its one start
        return ref;
      }
    }
    return this.#start(found.def.config, flags);
  }

  async domainSave(dom: DomainRef, file: string, flags: number): Promise<void> {
    rejectUnknownFlags(ErrorDomain.XEN, flags, 0, 'libxlDomainSaveFlags');
    await checkSaveTarget(file);
    await this.#save(dom, file);
  }

  async domainRestore(file: string, flags: number): Promise<void> {
    rejectUnknownFlags(ErrorDomain.XEN, flags, 0, 'libxlDomainRestoreFlags');
    await this.#restore(file);
  }

  async domainManagedSave(dom: DomainRef, flags: number): Promise<void> {
    rejectUnknownFlags(ErrorDomain.XEN, flags, 0, 'libxlDomainManagedSave');
    const found = await this.#dir.existing(dom);
    if (!found.def) throw wrongState('cannot do managed save for transient domain');
    if (!found.live) throw wrongState(`domain '${dom.name}' is not running`);
    await this.#save(dom, await this.#managed.prepare(found.def.uuid));
  }

  async domainHasManagedSaveImage(dom: DomainRef, flags: number): Promise<boolean> {
    rejectUnknownFlags(ErrorDomain.XEN, flags, 0, 'libxlDomainHasManagedSaveImage');
    return this.#managed.has((await this.#dir.existing(dom)).def?.uuid ?? dom.uuid);
  }

  async domainManagedSaveRemove(dom: DomainRef, flags: number): Promise<void> {
    rejectUnknownFlags(ErrorDomain.XEN, flags, 0, 'libxlDomainManagedSaveRemove');
    await this.#managed.remove((await this.#dir.existing(dom)).def?.uuid ?? dom.uuid);
  }

  async domainDestroy(dom: DomainRef): Promise<void> {
    await this.#act(dom, async (d) => {
      await this.#control.destroy(d);
      this.#reasons.record(d.ref.uuid, -1, DomainState.SHUTOFF, DomainShutoffReason.DESTROYED);
    });
  }

  // Xen counts pauses, so a second pause would need two unpauses; refuse it
  // (and unpausing a running domain) the way the test driver does.
  async domainSuspend(dom: DomainRef): Promise<void> {
    await this.#act(dom, async (d) => {
      if (d.info.state === DomainState.PAUSED) throw wrongState(`domain '${d.ref.name}' is already paused`);
      await this.#hv.pause(d.ref.id);
      this.#reasons.record(d.ref.uuid, d.ref.id, DomainState.PAUSED, DomainPausedReason.USER);
    });
  }

  async domainResume(dom: DomainRef): Promise<void> {
    await this.#act(dom, async (d) => {
      if (d.info.state !== DomainState.PAUSED) throw wrongState(`domain '${d.ref.name}' is not paused`);
      await this.#hv.unpause(d.ref.id);
      this.#reasons.record(d.ref.uuid, d.ref.id, DomainState.RUNNING, DomainRunningReason.UNPAUSED);
    });
  }

  async domainShutdown(dom: DomainRef): Promise<void> {
    await this.#act(dom, (d) => this.#control.shutdown(d.ref.id, false));
  }

  async domainReboot(dom: DomainRef, flags: number): Promise<void> {
    if (flags !== 0)
      throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, `unsupported reboot flags 0x${flags.toString(16)}`);
    await this.#act(dom, (d) => this.#control.shutdown(d.ref.id, true));
  }

  async domainUndefine(dom: DomainRef, flags: number): Promise<void> {
    const found = await this.#dir.find(dom);
    if (!found.def) {
      if (found.live)
        throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.XEN, 'cannot undefine transient domain');
      throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
    }
    if (await this.#managed.has(found.def.uuid)) {
      if ((flags & DomainUndefineFlags.MANAGED_SAVE) === 0)
        throw wrongState('Refusing to undefine while domain managed save image exists');
      await this.#managed.remove(found.def.uuid);
    }
    await this.#dir.store.remove(found.def.uuid);
    const ref = found.live?.ref ?? { name: found.def.name, uuid: found.def.uuid, id: -1 };
    this.#host.watcher?.emit({
      domain: ref,
      event: DomainEventType.UNDEFINED,
      detail: DomainEventUndefinedDetail.REMOVED,
    });
  }

  async domainOpenConsole(dom: DomainRef, devName: string | null, flags: number): Promise<Duplex> {
    if ((flags & ~(DomainConsoleFlags.FORCE | DomainConsoleFlags.SAFE)) !== 0) noFlags(flags, 'console');
    checkConsoleName(devName);
    const found = await this.#dir.existing(dom);
    if (!found.live) throw wrongState('domain is not running');
    const id = found.live.ref.id;
    const xs = this.#host.xs;
    const pty = xs && id !== 0 ? await xs.read(`/local/domain/${id}/console/tty`).catch(() => null) : null;
    if (!pty) {
      throw XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.XEN,
        `domain '${found.live.ref.name}' has no console pty in xenstore (is xenconsoled running?)`,
      );
    }
    return processConsoles.open(found.live.ref.uuid, pty, flags);
  }

  async domainIsActive(dom: DomainRef): Promise<boolean> {
    return !!(await this.#dir.existing(dom)).live;
  }
  async domainIsPersistent(dom: DomainRef): Promise<boolean> {
    return !!(await this.#dir.existing(dom)).def;
  }
  async domainGetAutostart(dom: DomainRef): Promise<boolean> {
    return (await this.#dir.existing(dom)).def?.autostart ?? false;
  }

  async domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
    const found = await this.#dir.existing(dom);
    if (!found.def)
      throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.XEN, 'cannot set autostart for transient domain');
    await this.#dir.store.setAutostart(found.def.uuid, autostart);
  }

  async domainSetMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    await this.#act(dom, (d) => this.#control.setMemory(d.ref.id, memoryKiB));
  }

  async domainSetVcpus(dom: DomainRef, nvcpus: number): Promise<void> {
    await this.#act(dom, (d) => this.#control.setVcpus(d.ref.id, nvcpus));
  }

  async domainSetMemoryFlags(dom: DomainRef, memoryKiB: number, flags: number): Promise<void> {
    await this.#tune(dom, (found) => setMemoryFlags(this.#tuning, found, memoryKiB, flags));
  }

  /** As libvirt's libxl driver: setMemoryFlags(MAXIMUM), on the running guest or the definition (CURRENT). */
  async domainSetMaxMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    await this.#tune(dom, (found) => setMemoryFlags(this.#tuning, found, memoryKiB, DomainMemoryModFlags.MAXIMUM));
  }

  async domainSetVcpusFlags(dom: DomainRef, nvcpus: number, flags: number): Promise<void> {
    await this.#tune(dom, (found) => setVcpusFlags(this.#tuning, found, nvcpus, flags));
  }

  async domainPinVcpu(dom: DomainRef, vcpu: number, cpumap: boolean[]): Promise<void> {
    await this.#tune(dom, (found) => pinVcpuFlags(this.#tuning, found, vcpu, cpumap, DomainVcpuFlags.LIVE));
  }

  async domainPinVcpuFlags(dom: DomainRef, vcpu: number, cpumap: boolean[], flags: number): Promise<void> {
    await this.#tune(dom, (found) => pinVcpuFlags(this.#tuning, found, vcpu, cpumap, flags));
  }

  readonly #tuning: TuningTarget = {
    setLiveMemory: (d, kib) => this.#control.setMemory(d.ref.id, kib),
    setLiveMaxMemory: (d, kib) => this.#control.setMaxMemory(d.ref.id, kib),
    setLiveVcpus: (d, n) => this.#control.setVcpus(d.ref.id, n),
    // The vCPU ids Xen holds for the guest already found (no second walk of the live domains).
    liveVcpus: (d) => this.#domainStats.vcpus(d),
    pinLiveVcpu: (d, vcpu, cpus) => this.#hv.pinVcpu(d.ref.id, vcpu, cpus),
    hostCpus: async () => this.#hv.cpuIdle().length,
    editConfig: async (found, change) => {
      await this.#dir.store.save(this.#codec.edit(found.def!.xml, change));
    },
  };

  /** A tuning call on the domain as it is now; event watchers rescan afterwards (a live change may show). */
  async #tune(dom: DomainRef, call: (found: Found) => Promise<void>): Promise<void> {
    try {
      await call(await this.#dir.existing(dom));
    } finally {
      void this.#host.watcher?.trigger();
    }
  }

  /** The sink joins the host's hub: it gets what any connection of this process changed. */
  async startLifecycleEvents(sink: (event: DriverLifecycleEvent) => void): Promise<void> {
    if (this.#listening.active)
      throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.XEN, 'lifecycle events are already started');
    this.#listening.subscribe(this.#host.events, sink);
    try {
      await this.#host.listen();
    } catch (err) {
      this.#listening.release();
      throw err;
    }
  }

  async stopLifecycleEvents(): Promise<void> {
    if (!this.#listening.active) return;
    this.#listening.release();
    await this.#host.unlisten();
  }

  onClosed(_listener: (reason: number) => void): void {
    // The hypervisor handle cannot drop on its own; xenstore loss only degrades names and events.
  }

  isAlive(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stopLifecycleEvents();
    this.releaseHostEvents();
    await this.#host.release();
  }

  /** Runs a state change on the running domain, then lets the event watcher look at once. */
  async #act(dom: DomainRef, action: (d: LiveDomain) => Promise<void>): Promise<void> {
    const found = await this.#dir.existing(dom);
    if (!found.live) throw wrongState(`domain '${dom.name}' is not running`);
    try {
      await action(found.live);
    } finally {
      void this.#host.watcher?.trigger();
    }
  }

  /** xl save of a running domain; the STOPPED event says SAVED, the state reason too. */
  async #save(dom: DomainRef, file: string): Promise<void> {
    await this.#act(dom, async (d) => {
      const cancel = this.#host.watcher?.expect(d.ref.uuid, DomainEventType.STOPPED, DomainEventStoppedDetail.SAVED);
      try {
        await this.#control.save(d.ref.id, file);
      } catch (err) {
        cancel?.();
        throw err;
      }
      this.#reasons.record(d.ref.uuid, -1, DomainState.SHUTOFF, DomainShutoffReason.SAVED);
    });
  }

  /** xl restore of an image whose header xvirt has checked; the STARTED event says RESTORED. */
  async #restore(file: string): Promise<DomainRef> {
    const image = await readSaveImage(file);
    const running = await activeAfterTeardown(
      () => this.#dir.live.list(false),
      (d) => d.ref.uuid === image.uuid || d.ref.name === image.name,
    );
    if (running) throw wrongState(`domain '${running.ref.name}' is already active`);
    const cancel = this.#host.watcher?.expect(image.uuid, DomainEventType.STARTED, DomainEventStartedDetail.RESTORED);
    try {
      await this.#control.restore(file);
    } catch (err) {
      cancel?.();
      throw err;
    } finally {
      void this.#host.watcher?.trigger();
    }
    const live = (await this.#dir.live.list(true)).find((d) => d.ref.uuid === image.uuid);
    if (!live)
      throw XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.XEN,
        `xl restored '${image.name}' but it is gone already`,
      );
    this.#reasons.record(live.ref.uuid, live.ref.id, DomainState.RUNNING, DomainRunningReason.RESTORED);
    return live.ref;
  }

  async #start(defined: XlDomainConfig, flags: number): Promise<DomainRef> {
    const config = await resolveDeviceSources(defined, this.#storage, this.#networks);
    await this.#control.create(config, flags);
    void this.#host.watcher?.trigger();
    const live = (await this.#dir.live.list(true)).find((d) => d.ref.uuid === config.uuid);
    if (!live)
      throw XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.XEN,
        `xl created '${config.name}' but it is gone already`,
      );
    const paused = (flags & DomainCreateFlags.PAUSED) !== 0;
    this.#reasons.record(
      live.ref.uuid,
      live.ref.id,
      paused ? DomainState.PAUSED : DomainState.RUNNING,
      paused ? DomainPausedReason.USER : DomainRunningReason.BOOTED,
    );
    return live.ref;
  }

  #inactiveInfo(def: StoredDefinition<XlDomainConfig>): DomainInfo {
    const c = def.config;
    return {
      state: DomainState.SHUTOFF,
      maxMemKiB: c.maxMemoryKiB,
      memoryKiB: c.memoryKiB,
      nrVirtCpu: c.vcpus,
      cpuTimeNs: 0n,
    };
  }
}
