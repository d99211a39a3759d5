/**
 * xen:///system for unprivileged users: the driver registry dispatches here
 * when not root. Read calls go to the setuid helper xvirt-proxy (started
 * on demand, docs/proxy.md) and return what the direct driver returns for
 * running domains; every state-changing call is refused.
 */
import * as os from 'node:os';
import type { Duplex } from 'node:stream';
import { DomainState } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { DOMID_MAX } from '../../native';
import type {
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  Driver,
  DriverLifecycleEvent,
  DriverOpener,
  NodeInfo,
} from '../../types';
import { XVIRT_LIB_VERSION } from '../../version';
import { capabilitiesXml, maxVcpusOf, nodeInfoOf, xenVersion } from '../xen-common/capabilities';
import { describeLiveDomain } from '../xen-common/live-xml';
import { matchesListFlags, noDomain, osTypeOf } from '../xen-common/records';
import { checkXenUri } from '../xen-common/uri';
import { LifecycleWatcher, WatcherSlot, type DomainSnapshot } from '../xen-common/events';
import { XenStatsCalls, attachXenStats } from '../xen-common/stats/calls';
import type { XenState } from '../xen-common/state';
import { ProxyClient, wholePayload } from './client';
import { proxyPaths, type ProxyPaths } from './helper';
import { Command, decodeHello, decodeNamed, type Hello } from './protocol';
import { ProxyQueries } from './queries';
import { decodeInfo, domainInfo, liveDomain, refOf } from './records';
import { ProxyStatsSource } from './stats-source';

/** No xenstore watches through the proxy: events come from diffing LIST this often (the direct driver's fallback). */
const EVENT_POLL_MS = 1000;

const hello = wholePayload(decodeHello);
const capabilities = wholePayload((p) => p.toString('latin1'));
const namedRef = wholePayload((p): DomainRef => refOf(decodeNamed(p).record));

function denied(api: string): XvirtError {
  return XvirtError.of(
    ErrorNumber.OPERATION_DENIED,
    ErrorDomain.PROXY,
    `${api} changes state, and xvirt-proxy gives unprivileged users read-only access: ` +
      'run as root (xen:///system) or connect through xvirtd (xen+unix:///system) to do it',
  );
}

export class ProxyDriver extends XenStatsCalls implements Driver {
  readonly name = 'xen-proxy';
  readonly #client: ProxyClient;
  readonly #q: ProxyQueries;
  #hello: Hello | null = null;
  #closed = false;
  readonly #events = new WatcherSlot(ErrorDomain.PROXY);

  /** `sysfsRoot`: where sysfs is mounted, for the disk and vif counters read without the helper (tests: a fake tree). */
  constructor(paths: ProxyPaths, sysfsRoot?: string) {
    const queries = new ProxyQueries(new ProxyClient(paths));
    super();
    attachXenStats(this, new ProxyStatsSource(queries, sysfsRoot));
    this.#q = queries;
    this.#client = queries.client;
  }

  async hello(): Promise<Hello> {
    this.#hello ??= await this.#client.call({ command: Command.HELLO }, hello);
    return this.#hello;
  }

  async getType(): Promise<string> {
    return 'Xen';
  }

  async getVersion(): Promise<number> {
    return xenVersion(await this.hello());
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
  async isSecure(): Promise<boolean> {
    return true;
  }

  async getCapabilities(): Promise<string> {
    const caps = await this.#client.call({ command: Command.CAPABILITIES }, capabilities);
    return capabilitiesXml(caps, await this.#q.physinfo());
  }

  async getNodeInfo(): Promise<NodeInfo> {
    return nodeInfoOf(await this.#q.physinfo());
  }
  async getMaxVcpus(type: string | null): Promise<number> {
    return maxVcpusOf(await this.#q.physinfo(), type);
  }

  async listAllDomains(flags: number): Promise<DomainRef[]> {
    // The proxy sees running domains only: their stored definitions are root's (docs/proxy.md).
    return (await this.#q.list())
      .filter((d) =>
        matchesListFlags(flags, { active: true, persistent: false, state: d.state as DomainState, autostart: false }),
      )
      .map(refOf);
  }

  async lookupById(id: number): Promise<DomainRef> {
    if (!Number.isInteger(id) || id < 0 || id > DOMID_MAX) throw noDomain(`no domain with matching id ${id}`);
    try {
      return await this.#client.call({ command: Command.LOOKUP_ID, domid: id }, namedRef);
    } catch (err) {
      if ((err as XvirtError).number === ErrorNumber.NO_DOMAIN) throw noDomain(`no domain with matching id ${id}`);
      throw err;
    }
  }

  async lookupByName(name: string): Promise<DomainRef> {
    const d = (await this.#q.list()).map(refOf).find((r) => r.name === name);
    if (!d) throw noDomain(`no domain with matching name '${name}'`);
    return d;
  }

  async lookupByUuid(uuid: string): Promise<DomainRef> {
    try {
      return await this.#client.call({ command: Command.LOOKUP_UUID, uuid: this.#q.uuidBytes(uuid) }, namedRef);
    } catch (err) {
      if ((err as XvirtError).number === ErrorNumber.NO_DOMAIN)
        throw noDomain(`no domain with matching uuid '${uuid}'`);
      throw err;
    }
  }

  /** The hot path: one GET_INFO decoded straight into DomainInfo; only a moved domain costs more. */
  domainGetInfo(dom: DomainRef): Promise<DomainInfo> {
    return this.#q.atId(dom, decodeInfo, domainInfo);
  }

  async domainGetState(dom: DomainRef): Promise<DomainStateInfo> {
    const r = await this.#q.record(dom);
    return { state: r.state as DomainState, reason: r.reason };
  }

  async domainGetXMLDesc(dom: DomainRef, _flags: number): Promise<string> {
    const r = await this.#q.record(dom);
    return describeLiveDomain(liveDomain({ ...r, name: dom.name }));
  }

  async domainGetOSType(dom: DomainRef): Promise<string> {
    return osTypeOf((await this.#q.record(dom)).flags);
  }
  async domainGetMaxMemory(dom: DomainRef): Promise<number> {
    return (await this.domainGetInfo(dom)).maxMemKiB;
  }
  async domainIsActive(dom: DomainRef): Promise<boolean> {
    await this.#q.record(dom);
    return true;
  }
  async domainIsPersistent(dom: DomainRef): Promise<boolean> {
    await this.#q.record(dom);
    return false;
  }
  async domainGetAutostart(dom: DomainRef): Promise<boolean> {
    await this.#q.record(dom);
    return false;
  }

  async defineXML(): Promise<DomainRef> {
    throw denied('virDomainDefineXML');
  }
  async createXML(): Promise<DomainRef> {
    throw denied('virDomainCreateXML');
  }
  async domainCreate(): Promise<DomainRef> {
    throw denied('virDomainCreate');
  }
  async domainDestroy(): Promise<void> {
    throw denied('virDomainDestroy');
  }
  async domainSuspend(): Promise<void> {
    throw denied('virDomainSuspend');
  }
  async domainResume(): Promise<void> {
    throw denied('virDomainResume');
  }
  async domainShutdown(): Promise<void> {
    throw denied('virDomainShutdown');
  }
  async domainReboot(): Promise<void> {
    throw denied('virDomainReboot');
  }
  async domainUndefine(): Promise<void> {
    throw denied('virDomainUndefine');
  }
  async domainSetAutostart(): Promise<void> {
    throw denied('virDomainSetAutostart');
  }
  async domainSetMemory(): Promise<void> {
    throw denied('virDomainSetMemory');
  }
  async domainSetVcpus(): Promise<void> {
    throw denied('virDomainSetVcpus');
  }
  async domainPinVcpu(): Promise<void> {
    throw denied('virDomainPinVcpu');
  }
  async domainPinVcpuFlags(): Promise<void> {
    throw denied('virDomainPinVcpuFlags');
  }
  async domainSetMemoryFlags(): Promise<void> {
    throw denied('virDomainSetMemoryFlags');
  }
  async domainSetVcpusFlags(): Promise<void> {
    throw denied('virDomainSetVcpusFlags');
  }
  async domainSetMaxMemory(): Promise<void> {
    throw denied('virDomainSetMaxMemory');
  }
  async domainSetMemoryStatsPeriod(): Promise<void> {
    throw denied('virDomainSetMemoryStatsPeriod');
  }
  async domainSave(): Promise<void> {
    throw denied('virDomainSave');
  }
  async domainRestore(): Promise<void> {
    throw denied('virDomainRestore');
  }
  async domainManagedSave(): Promise<void> {
    throw denied('virDomainManagedSave');
  }
  async domainManagedSaveRemove(): Promise<void> {
    throw denied('virDomainManagedSaveRemove');
  }
  /** libvirt refuses consoles on read-only connections too: a console accepts input. */
  async domainOpenConsole(): Promise<Duplex> {
    throw denied('virDomainOpenConsole');
  }

  /** The live domains the toolstack has named (as the direct driver, it reports the others once built). */
  async #snapshot(): Promise<Map<number, DomainSnapshot>> {
    const snap = new Map<number, DomainSnapshot>();
    for (const r of await this.#q.list()) {
      if (r.name) snap.set(r.domid, { ref: refOf(r), xenState: r.xenState as XenState, shutdownCode: r.shutdownCode });
    }
    return snap;
  }

  startLifecycleEvents(sink: (event: DriverLifecycleEvent) => void): Promise<void> {
    return this.#events.start(new LifecycleWatcher(() => this.#snapshot(), sink, null, EVENT_POLL_MS));
  }

  stopLifecycleEvents(): Promise<void> {
    return this.#events.stop();
  }

  onClosed(_listener: (reason: number) => void): void {
    // The helper may exit when idle; the client reconnects (and restarts it) on the next call.
  }

  isAlive(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.stopLifecycleEvents();
    this.#client.close();
  }
}

/** Opens the proxy driver and checks the helper answers (starting it if needed). */
export const openProxyDriver: DriverOpener = async (uri) => {
  checkXenUri(uri);
  const driver = new ProxyDriver(proxyPaths());
  try {
    await driver.hello();
  } catch (err) {
    await driver.close();
    throw err;
  }
  return driver;
};
