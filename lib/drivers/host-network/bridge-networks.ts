/**
 * Virtual networks of a real host (xen:///system) that name a bridge the
 * host already has: libvirt's `<forward mode='bridge'/><bridge name='br0'/>`.
 * Guests' `<interface type='network'>` resolve to that bridge when they
 * start. Definitions persist in the state directory (atomic writes);
 * which networks run is process state, shared by every connection, and
 * autostart networks run from the first open. NAT and routed networks need
 * a DHCP/DNS server and firewall rules this host driver does not manage:
 * they are refused by name.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { NetworkRef } from '../../netstore-types';
import { formatNetworkXml, parseNetworkXml, type NetworkDefinition } from '../../xml/network';
import { HostObjects, openShared } from '../host-objects';
import { DefinitionStore } from '../definition-store';

function networkError(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.NETWORK, detail);
}

/** Network XML as this host accepts it: forward mode 'bridge' over a named host bridge. */
export function parseHostNetworkXml(xml: string): NetworkDefinition {
  const def = parseNetworkXml(xml);
  if (def.forward !== 'bridge' || def.bridge === null) {
    throw networkError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `network '${def.name}': only <forward mode='bridge'/> with ` +
        "<bridge name='...'/> (an existing host bridge) is supported on this host; NAT, routed and isolated networks " +
        'need a DHCP server and firewall rules xvirt does not manage',
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

export class HostBridgeNetworks extends HostObjects<NetworkDefinition> {
  readonly #sysNet: string;

  private constructor(store: DefinitionStore<NetworkDefinition>, sysNet: string) {
    super(store, NETWORKS);
    this.#sysNet = sysNet;
  }

  /** The one instance for `stateDir` in this process (which networks run is process state), opened on first use. */
  static shared(stateDir: string, sysNet = '/sys/class/net'): Promise<HostBridgeNetworks> {
    return openShared(SHARED, stateDir, () => HostBridgeNetworks.open(stateDir, sysNet));
  }

  /** Loads the definitions in `stateDir` and starts the autostart networks whose bridge exists. */
  static async open(stateDir: string, sysNet = '/sys/class/net'): Promise<HostBridgeNetworks> {
    const store = await DefinitionStore.open(stateDir, parseHostNetworkXml, {
      noun: 'network',
      domain: ErrorDomain.NETWORK,
    });
    const nets = new HostBridgeNetworks(store, sysNet);
    for (const d of store.all()) {
      if (d.autostart && (await nets.#isBridge(d.config.bridge!))) nets.active.add(d.uuid);
    }
    return nets;
  }

  async define(xml: string): Promise<NetworkRef> {
    const def = parseHostNetworkXml(xml);
    const old = this.checkIdentity(def);
    if (old && this.active.has(def.uuid) && old.config.bridge !== def.bridge) {
      throw networkError(ErrorNumber.OPERATION_INVALID, `network '${def.name}' is active: its bridge cannot change`);
    }
    // Saved as formatted, with its UUID, so that reloading yields the same network.
    await this.store.save(formatNetworkXml(def), def);
    return this.byName(def.name);
  }

  async undefine(ref: NetworkRef): Promise<void> {
    const d = this.def(ref);
    if (this.active.has(d.uuid)) {
      throw networkError(
        ErrorNumber.OPERATION_INVALID,
        `network '${ref.name}' is still active: destroy it before undefining it`,
      );
    }
    await this.store.remove(d.uuid);
  }

  /** Marks the network running once its bridge is there (guests plug into it from then on). */
  async start(ref: NetworkRef): Promise<void> {
    const d = this.def(ref);
    if (this.active.has(d.uuid)) throw networkError(ErrorNumber.OPERATION_INVALID, 'network is already active');
    const bridge = d.config.bridge!;
    if (!(await this.#isBridge(bridge))) {
      throw networkError(
        ErrorNumber.SYSTEM_ERROR,
        `Cannot start network '${ref.name}': host bridge '${bridge}' does not exist`,
      );
    }
    this.active.add(d.uuid);
  }

  /** Guests already plugged into the bridge stay there: the bridge is the host's, not the network's. */
  stop(ref: NetworkRef): void {
    const d = this.def(ref);
    if (!this.active.has(d.uuid))
      throw networkError(ErrorNumber.OPERATION_INVALID, `network '${ref.name}' is not active`);
    this.active.delete(d.uuid);
  }

  /** The bridge a guest's `<interface type='network'>` plugs into: the network must exist and run. */
  bridgeFor(name: string): string {
    const d = this.def({ name });
    if (!this.active.has(d.uuid)) throw networkError(ErrorNumber.OPERATION_INVALID, `network '${name}' is not active`);
    return d.config.bridge!;
  }

  async #isBridge(name: string): Promise<boolean> {
    try {
      return (await fs.stat(path.join(this.#sysNet, name, 'bridge'))).isDirectory();
    } catch {
      return false;
    }
  }
}
