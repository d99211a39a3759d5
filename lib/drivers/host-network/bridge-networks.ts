/**
 * Virtual networks of a real host (xen:///system). Two kinds:
 * - `<forward mode='bridge'/><bridge name='br0'/>`: a bridge the host
 *   already has; starting checks it is there, stopping leaves it.
 * - nat, route, open and isolated (no <forward>) networks: xvirt creates the
 *   bridge, its addresses, the forwarding rules and dnsmasq for DHCP
 *   (managed-bridge.ts) and removes them all when the network stops.
 * Guests' `<interface type='network'>` resolve to the bridge when they
 * start. Definitions persist in the state directory (atomic writes), with
 * dnsmasq's files in its dnsmasq/ subdirectory; which networks run is
 * process state, shared by every connection: a managed network whose bridge
 * an earlier xvirtd created is still there when the driver opens is taken as
 * running, and autostart networks start on the first open.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { NetworkEventType } from '../../netstore-constants';
import type { NetworkDHCPLease, NetworkRef } from '../../netstore-types';
import { formatNetworkXml, parseNetworkXml, type NetworkDefinition } from '../../xml/network';
import { HostObjects, openShared } from '../host-objects';
import { DefinitionStore } from '../definition-store';
import { readLeases } from './dnsmasq';
import { hostToolRunner } from '../host-commands';
import {
  MANAGED_MODES,
  checkManagedNetwork,
  managedBridgeUp,
  startManagedBridge,
  stopManagedBridge,
  type ManagedHost,
} from './managed-bridge';

function networkError(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.NETWORK, detail);
}

function isManaged(def: NetworkDefinition): boolean {
  return MANAGED_MODES.has(def.forward);
}

/** Network XML as this host accepts it: an existing bridge (forward mode 'bridge'), or a bridge xvirt manages. */
export function parseHostNetworkXml(xml: string): NetworkDefinition {
  const def = parseNetworkXml(xml);
  if (isManaged(def)) {
    checkManagedNetwork(def);
  } else if (def.forward !== 'bridge' || def.bridge === null) {
    throw networkError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `network '${def.name}': forward mode '${def.forward}' is not supported on this host; ` +
        "use <forward mode='bridge'/> with <bridge name='...'/> (an existing host bridge), or a nat, route, open or isolated network",
    );
  }
  return def;
}

const SHARED = new Map<string, Promise<HostBridgeNetworks>>();

const NETWORKS = {
  noun: 'network',
  shortNoun: 'network',
  missing: ErrorNumber.NO_NETWORK,
  domain: ErrorDomain.NETWORK,
};

export interface HostNetworkOptions {
  /** /sys/class/net of xvirt's network namespace. */
  sysNet?: string;
  /** /proc/sys/net, where forwarding is turned on. */
  procNet?: string;
  /** Runs ip, nft and dnsmasq (tests pass a recorder). */
  run?: ManagedHost['run'];
}

export class HostBridgeNetworks extends HostObjects<NetworkDefinition> {
  readonly #host: ManagedHost;

  private constructor(store: DefinitionStore<NetworkDefinition>, host: ManagedHost) {
    super(store, NETWORKS);
    this.#host = host;
  }

  /** The one instance for `stateDir` in this process (which networks run is process state), opened on first use. */
  static shared(stateDir: string, options: HostNetworkOptions = {}): Promise<HostBridgeNetworks> {
    return openShared(SHARED, stateDir, () => HostBridgeNetworks.open(stateDir, options));
  }

  /** Loads the definitions in `stateDir`, adopts running managed networks and starts the autostart ones. */
  static async open(stateDir: string, options: HostNetworkOptions = {}): Promise<HostBridgeNetworks> {
    const store = await DefinitionStore.open(stateDir, parseHostNetworkXml, {
      noun: 'network',
      domain: ErrorDomain.NETWORK,
    });
    const nets = new HostBridgeNetworks(store, {
      sysNet: options.sysNet ?? '/sys/class/net',
      procNet: options.procNet ?? '/proc/sys/net',
      run: options.run ?? hostToolRunner(ErrorDomain.NETWORK),
      runDir: path.join(stateDir, 'dnsmasq'),
    });
    for (const d of store.all()) {
      const running = isManaged(d.config)
        ? await managedBridgeUp(nets.#host, d.config)
        : d.autostart && (await nets.#isBridge(d.config.bridge!));
      if (running) nets.active.add(d.uuid);
    }
    for (const d of store.all()) {
      // An autostart network that cannot start now (tool missing, clash) stays defined and stopped.
      if (d.autostart && !nets.active.has(d.uuid))
        await nets.start({ name: d.name, uuid: d.uuid }).catch(() => undefined);
    }
    return nets;
  }

  async define(xml: string): Promise<NetworkRef> {
    const def = parseHostNetworkXml(xml);
    const old = this.checkIdentity(def);
    if (isManaged(def)) this.#assignBridge(def);
    if (old && this.active.has(def.uuid) && old.config.bridge !== def.bridge) {
      throw networkError(ErrorNumber.OPERATION_INVALID, `network '${def.name}' is active: its bridge cannot change`);
    }
    // Saved as formatted, with its UUID and bridge, so that reloading yields the same network.
    await this.store.save(formatNetworkXml(def), def);
    this.dropTransient(def.uuid); // a running transient network defined is persistent from now on
    this.emit(def, NetworkEventType.DEFINED);
    return this.byName(def.name);
  }

  /** virNetworkCreateXML: a network started without a definition, gone once it stops. */
  async createTransient(xml: string): Promise<NetworkRef> {
    const def = parseHostNetworkXml(xml);
    if (isManaged(def)) this.#assignBridge(def);
    this.addTransient(def);
    try {
      await this.#bringUp(def);
    } catch (err) {
      this.dropTransient(def.uuid);
      throw err;
    }
    this.active.add(def.uuid);
    this.emit(def, NetworkEventType.STARTED);
    return this.byName(def.name);
  }

  /** libvirt's networkBridgeNameValidate: a managed network's bridge is its own; without one it gets the first free virbrN. */
  #assignBridge(def: NetworkDefinition): void {
    const others = this.all().filter((d) => d.uuid !== def.uuid);
    const taken = new Set(others.map((d) => d.config.bridge));
    if (def.bridge === null) {
      let n = 0;
      while (taken.has(`virbr${n}`)) n++;
      def.bridge = `virbr${n}`;
    } else if (taken.has(def.bridge)) {
      throw networkError(ErrorNumber.INTERNAL_ERROR, `bridge name '${def.bridge}' already in use.`);
    }
  }

  /** As libvirt: a running network stays up, transient, until it stops. */
  async undefine(ref: NetworkRef): Promise<void> {
    const d = this.def(ref);
    if (!this.isPersistent(d)) throw networkError(ErrorNumber.OPERATION_INVALID, "can't undefine transient network");
    await this.store.remove(d.uuid);
    if (this.active.has(d.uuid)) this.addTransient(d.config);
    else await fs.rm(path.join(this.#host.runDir, `${d.uuid}.leases`), { force: true });
    this.emit(d, NetworkEventType.UNDEFINED);
  }

  /** Starts the network: a managed one is built (all or nothing), a host bridge must exist. */
  async start(ref: NetworkRef): Promise<void> {
    const d = this.def(ref);
    if (this.active.has(d.uuid)) throw networkError(ErrorNumber.OPERATION_INVALID, 'network is already active');
    await this.#bringUp(d.config);
    this.active.add(d.uuid);
    this.emit(d, NetworkEventType.STARTED);
  }

  async #bringUp(def: NetworkDefinition): Promise<void> {
    if (isManaged(def)) {
      await startManagedBridge(this.#host, def);
    } else if (!(await this.#isBridge(def.bridge!))) {
      throw networkError(
        ErrorNumber.SYSTEM_ERROR,
        `Cannot start network '${def.name}': host bridge '${def.bridge!}' does not exist`,
      );
    }
  }

  /** A managed network's bridge, rules and dnsmasq go; a host bridge stays (guests plugged into it stay there). A transient network is gone. */
  async stop(ref: NetworkRef): Promise<void> {
    const d = this.def(ref);
    if (!this.active.has(d.uuid))
      throw networkError(ErrorNumber.OPERATION_INVALID, `network '${ref.name}' is not active`);
    if (isManaged(d.config)) await stopManagedBridge(this.#host, d.config);
    this.active.delete(d.uuid);
    this.emit(d, NetworkEventType.STOPPED);
    if (!this.isPersistent(d)) {
      this.dropTransient(d.uuid);
      await fs.rm(path.join(this.#host.runDir, `${d.uuid}.leases`), { force: true });
    }
  }

  /** The leases dnsmasq handed out on the network (none for a network without DHCP). */
  async leases(ref: NetworkRef): Promise<NetworkDHCPLease[]> {
    const d = this.def(ref);
    return isManaged(d.config) ? readLeases(this.#host.runDir, d.config) : [];
  }

  /** The bridge a guest's `<interface type='network'>` plugs into: the network must exist and run. */
  bridgeFor(name: string): string {
    const d = this.def({ name });
    if (!this.active.has(d.uuid)) throw networkError(ErrorNumber.OPERATION_INVALID, `network '${name}' is not active`);
    return d.config.bridge!;
  }

  async #isBridge(name: string): Promise<boolean> {
    try {
      return (await fs.stat(path.join(this.#host.sysNet, name, 'bridge'))).isDirectory();
    } catch {
      return false;
    }
  }
}
