/**
 * The network calls of a real-host driver (xen:///system) over
 * HostBridgeNetworks, on top of the host storage calls (a real host has
 * both), with transient networks and network lifecycle events (each
 * connection subscribes its own sink to the process-wide networks' hub).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { LIST_NETWORKS_FILTERS_ALL } from '../../netstore-constants';
import type { DriverNetworkEvent, NetworkDHCPLease, NetworkRef } from '../../netstore-types';
import { HubSubscription } from '../event-hub';
import type { HostObjectEvent } from '../host-objects';
import { formatNetworkXml } from '../../xml/network';
import { HostStorageDriver } from '../host-storage/driver';
import { matchesStateFlags } from '../list-flags';
import { rejectUnknownFlags } from '../unknown-flags';
import type { HostBridgeNetworks } from './bridge-networks';

function badFlags(flags: number, allowed: number, fn: string): void {
  rejectUnknownFlags(ErrorDomain.NETWORK, flags, allowed, fn);
}

/** virNetworkDefineFlags VALIDATE: the XML is always checked here. */
const DEFINE_VALIDATE = 1;

export abstract class HostNetworkDriver extends HostStorageDriver {
  /** The host's networks; null when this driver instance has none (NO_SUPPORT for every network call). */
  protected abstract hostNetworks(): HostBridgeNetworks | null;

  readonly #netEvents = new HubSubscription<HostObjectEvent>();

  #nets(api: string): HostBridgeNetworks {
    const nets = this.hostNetworks();
    if (!nets) throw XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.NETWORK, api);
    return nets;
  }

  async connectListAllNetworks(flags: number): Promise<NetworkRef[]> {
    badFlags(flags, LIST_NETWORKS_FILTERS_ALL, 'networkConnectListAllNetworks');
    return this.#nets('virConnectListAllNetworks')
      .list()
      .filter((n) => matchesStateFlags(flags, n))
      .map((n) => n.ref);
  }

  async networkLookupByName(name: string): Promise<NetworkRef> {
    return this.#nets('virNetworkLookupByName').byName(name);
  }
  async networkLookupByUuid(uuid: string): Promise<NetworkRef> {
    return this.#nets('virNetworkLookupByUUID').byUuid(uuid);
  }

  async networkDefineXML(xml: string, flags: number): Promise<NetworkRef> {
    badFlags(flags, DEFINE_VALIDATE, 'networkDefineXMLFlags');
    return this.#nets('virNetworkDefineXML').define(xml);
  }

  async networkCreate(net: NetworkRef): Promise<void> {
    await this.#nets('virNetworkCreate').start(net);
  }
  async networkDestroy(net: NetworkRef): Promise<void> {
    await this.#nets('virNetworkDestroy').stop(net);
  }
  async networkUndefine(net: NetworkRef): Promise<void> {
    await this.#nets('virNetworkUndefine').undefine(net);
  }

  async networkGetXMLDesc(net: NetworkRef, flags: number): Promise<string> {
    badFlags(flags, 0, 'networkGetXMLDesc');
    return formatNetworkXml(this.#nets('virNetworkGetXMLDesc').config(net));
  }

  async networkIsActive(net: NetworkRef): Promise<boolean> {
    return this.#nets('virNetworkIsActive').isActive(net);
  }

  async networkIsPersistent(net: NetworkRef): Promise<boolean> {
    return this.#nets('virNetworkIsPersistent').isPersistent(net);
  }

  async networkCreateXML(xml: string, flags: number): Promise<NetworkRef> {
    badFlags(flags, DEFINE_VALIDATE, 'networkCreateXMLFlags');
    return this.#nets('virNetworkCreateXML').createTransient(xml);
  }

  async startNetworkEvents(sink: (event: DriverNetworkEvent) => void): Promise<void> {
    const hub = this.#nets('virConnectNetworkEventRegisterAny').events;
    this.#netEvents.subscribe(hub, (e) => sink({ network: e.ref, event: e.event, detail: 0 }));
  }

  async stopNetworkEvents(): Promise<void> {
    this.#netEvents.release();
  }

  protected override releaseHostEvents(): void {
    super.releaseHostEvents();
    this.#netEvents.release();
  }

  async networkGetAutostart(net: NetworkRef): Promise<boolean> {
    return this.#nets('virNetworkGetAutostart').autostart(net);
  }

  async networkSetAutostart(net: NetworkRef, autostart: boolean): Promise<void> {
    await this.#nets('virNetworkSetAutostart').setAutostart(net, autostart);
  }

  /** virNetworkGetDHCPLeases: from dnsmasq's lease file, optionally only `mac`'s (compared case-insensitively, as libvirt). */
  async networkGetDHCPLeases(net: NetworkRef, mac: string | null, flags: number): Promise<NetworkDHCPLease[]> {
    badFlags(flags, 0, 'networkGetDHCPLeases');
    const leases = await this.#nets('virNetworkGetDHCPLeases').leases(net);
    return mac === null ? leases : leases.filter((l) => l.mac === mac.toLowerCase());
  }

  async networkGetBridgeName(net: NetworkRef): Promise<string> {
    return this.#nets('virNetworkGetBridgeName').config(net).bridge!;
  }
}
