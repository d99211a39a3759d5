/**
 * The network, storage, node-device and host-interface calls of a
 * Connection (virConnect*Network*, *StoragePool*, *StorageVol*, *NodeDevice*,
 * *Interface*), and network/pool events on the same machinery as domain
 * events (listener + AsyncIterable). Connection extends this base.
 */
import { checkName, checkOptions, checkString, checkUnsigned } from './api-checks';
import { ErrorDomain } from './errors';
import { EventFanout } from './event-fanout';
import type { LifecycleEventStream } from './event-stream';
import { HostInterface, NodeDevice } from './host-devices';
import { HostMonitoring } from './monitoring';
import type { NetworkEventType, StoragePoolEventId, StoragePoolEventType } from './netstore-constants';
import type { DriverNetworkEvent, DriverStoragePoolEvent } from './netstore-types';
import { driverCall, Network } from './network';
import { StoragePool, StorageVolume } from './storage';
import type { DomainRef, Driver } from './types';
import { parseUuid } from './uuid';

export interface NetworkLifecycleEvent {
  network: Network;
  event: NetworkEventType;
  detail: number;
}
/** A pool lifecycle change (eventId LIFECYCLE) or refresh (eventId REFRESH, event 0). */
export interface StoragePoolLifecycleEvent {
  pool: StoragePool;
  eventId: StoragePoolEventId;
  event: StoragePoolEventType;
  detail: number;
}

const NET = ErrorDomain.NETWORK;
const STORAGE = ErrorDomain.STORAGE;

export abstract class NetworkStorageHost<D extends { ref: DomainRef; connection: unknown }> extends HostMonitoring<D> {
  /** @internal */ abstract writable(api: string): Driver;
  abstract onClose(listener: (reason: number) => void): void;
  abstract get closed(): boolean;

  // Made on first use: a connection that never listens (most of a daemon's clients) holds neither.
  #networkFanout: EventFanout<DriverNetworkEvent, NetworkLifecycleEvent> | null = null;
  #poolFanout: EventFanout<DriverStoragePoolEvent, StoragePoolLifecycleEvent> | null = null;

  get #networkEvents(): EventFanout<DriverNetworkEvent, NetworkLifecycleEvent> {
    return (this.#networkFanout ??= new EventFanout<DriverNetworkEvent, NetworkLifecycleEvent>(
      {
        start: (sink) => driverCall(this, 'startNetworkEvents', 'virConnectNetworkEventRegisterAny', NET)(sink),
        stop: () => driverCall(this, 'stopNetworkEvents', 'virConnectNetworkEventDeregisterAny', NET)(),
        closed: () => this.closed,
        onClose: (hook) => this.onClose(hook),
      },
      (ev) => ({ network: new Network(this, ev.network), event: ev.event, detail: ev.detail }),
    ));
  }

  get #poolEvents(): EventFanout<DriverStoragePoolEvent, StoragePoolLifecycleEvent> {
    return (this.#poolFanout ??= new EventFanout<DriverStoragePoolEvent, StoragePoolLifecycleEvent>(
      {
        start: (sink) =>
          driverCall(this, 'startStoragePoolEvents', 'virConnectStoragePoolEventRegisterAny', STORAGE)(sink),
        stop: () => driverCall(this, 'stopStoragePoolEvents', 'virConnectStoragePoolEventDeregisterAny', STORAGE)(),
        closed: () => this.closed,
        onClose: (hook) => this.onClose(hook),
      },
      (ev) => ({ pool: new StoragePool(this, ev.pool), eventId: ev.eventId, event: ev.event, detail: ev.detail }),
    ));
  }

  /** Networks matching `flags` (ListNetworksFlags; 0 = all). */
  async listAllNetworks(flags: number = 0): Promise<Network[]> {
    checkUnsigned(flags, 'flags');
    const refs = await driverCall(this, 'connectListAllNetworks', 'virConnectListAllNetworks', NET)(flags);
    return refs.map((r) => new Network(this, r));
  }

  async lookupNetworkByName(name: string): Promise<Network> {
    checkName(name, 'name');
    return new Network(this, await driverCall(this, 'networkLookupByName', 'virNetworkLookupByName', NET)(name));
  }

  async lookupNetworkByUUID(uuid: string): Promise<Network> {
    return new Network(
      this,
      await driverCall(this, 'networkLookupByUuid', 'virNetworkLookupByUUID', NET)(parseUuid(uuid)),
    );
  }

  /** Defines (or redefines) a persistent network. flags: VIR_NETWORK_DEFINE_VALIDATE (1). */
  async defineNetworkXML(xml: string, flags: number = 0): Promise<Network> {
    checkString(xml, 'xml');
    checkUnsigned(flags, 'flags');
    return new Network(this, await driverCall(this, 'networkDefineXML', 'virNetworkDefineXML', NET, true)(xml, flags));
  }

  /** Creates and starts a transient network. */
  async createNetworkXML(xml: string, flags: number = 0): Promise<Network> {
    checkString(xml, 'xmlDesc');
    checkUnsigned(flags, 'flags');
    return new Network(this, await driverCall(this, 'networkCreateXML', 'virNetworkCreateXML', NET, true)(xml, flags));
  }

  /** Storage pools matching `flags` (ListStoragePoolsFlags; 0 = all). */
  async listAllStoragePools(flags: number = 0): Promise<StoragePool[]> {
    checkUnsigned(flags, 'flags');
    const refs = await driverCall(this, 'connectListAllStoragePools', 'virConnectListAllStoragePools', STORAGE)(flags);
    return refs.map((r) => new StoragePool(this, r));
  }

  async lookupStoragePoolByName(name: string): Promise<StoragePool> {
    checkName(name, 'name');
    return new StoragePool(
      this,
      await driverCall(this, 'storagePoolLookupByName', 'virStoragePoolLookupByName', STORAGE)(name),
    );
  }

  async lookupStoragePoolByUUID(uuid: string): Promise<StoragePool> {
    const api = 'virStoragePoolLookupByUUID';
    return new StoragePool(this, await driverCall(this, 'storagePoolLookupByUuid', api, STORAGE)(parseUuid(uuid)));
  }

  /** Defines a persistent pool. flags: VIR_STORAGE_POOL_DEFINE_VALIDATE (1). */
  async defineStoragePoolXML(xml: string, flags: number = 0): Promise<StoragePool> {
    checkString(xml, 'xml');
    checkUnsigned(flags, 'flags');
    return new StoragePool(
      this,
      await driverCall(this, 'storagePoolDefineXML', 'virStoragePoolDefineXML', STORAGE, true)(xml, flags),
    );
  }

  /** Creates and starts a transient pool. */
  async createStoragePoolXML(xml: string, flags: number = 0): Promise<StoragePool> {
    checkString(xml, 'xmlDesc');
    checkUnsigned(flags, 'flags');
    return new StoragePool(
      this,
      await driverCall(this, 'storagePoolCreateXML', 'virStoragePoolCreateXML', STORAGE, true)(xml, flags),
    );
  }

  async lookupStorageVolumeByKey(key: string): Promise<StorageVolume> {
    checkString(key, 'key');
    return new StorageVolume(
      this,
      await driverCall(this, 'storageVolLookupByKey', 'virStorageVolLookupByKey', STORAGE)(key),
    );
  }

  async lookupStorageVolumeByPath(path: string): Promise<StorageVolume> {
    checkString(path, 'path');
    return new StorageVolume(
      this,
      await driverCall(this, 'storageVolLookupByPath', 'virStorageVolLookupByPath', STORAGE)(path),
    );
  }

  /** Node devices matching `flags` (ListNodeDevicesFlags capability bits; 0 = all). */
  async listAllNodeDevices(flags: number = 0): Promise<NodeDevice[]> {
    checkUnsigned(flags, 'flags');
    const refs = await driverCall(
      this,
      'connectListAllNodeDevices',
      'virConnectListAllNodeDevices',
      ErrorDomain.NODEDEV,
    )(flags);
    return refs.map((r) => new NodeDevice(this, r));
  }

  async lookupNodeDeviceByName(name: string): Promise<NodeDevice> {
    checkName(name, 'name');
    return new NodeDevice(
      this,
      await driverCall(this, 'nodeDeviceLookupByName', 'virNodeDeviceLookupByName', ErrorDomain.NODEDEV)(name),
    );
  }

  /** Host interfaces matching `flags` (ListInterfacesFlags; 0 = all). */
  async listAllInterfaces(flags: number = 0): Promise<HostInterface[]> {
    checkUnsigned(flags, 'flags');
    const refs = await driverCall(
      this,
      'connectListAllInterfaces',
      'virConnectListAllInterfaces',
      ErrorDomain.INTERFACE,
    )(flags);
    return refs.map((r) => new HostInterface(this, r));
  }

  async lookupInterfaceByName(name: string): Promise<HostInterface> {
    checkName(name, 'name');
    return new HostInterface(
      this,
      await driverCall(this, 'interfaceLookupByName', 'virInterfaceLookupByName', ErrorDomain.INTERFACE)(name),
    );
  }

  async lookupInterfaceByMACString(mac: string): Promise<HostInterface> {
    checkName(mac, 'macstr');
    const api = 'virInterfaceLookupByMACString';
    return new HostInterface(
      this,
      await driverCall(this, 'interfaceLookupByMACString', api, ErrorDomain.INTERFACE)(mac),
    );
  }

  /** Calls `listener` for every network lifecycle event; resolves with a function that removes it. */
  async onNetworkLifecycle(listener: (event: NetworkLifecycleEvent) => void): Promise<() => Promise<void>> {
    this.driver();
    return this.#networkEvents.listen(listener);
  }

  /** Network lifecycle events as an async iterable (ends with `signal`, close() or the connection). */
  async networkEvents(
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<LifecycleEventStream<NetworkLifecycleEvent>> {
    checkOptions(options, 'options');
    this.driver();
    return this.#networkEvents.stream(options.signal);
  }

  /** Calls `listener` for every storage pool lifecycle and refresh event. */
  async onStoragePoolLifecycle(listener: (event: StoragePoolLifecycleEvent) => void): Promise<() => Promise<void>> {
    this.driver();
    return this.#poolEvents.listen(listener);
  }

  async storagePoolEvents(
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<LifecycleEventStream<StoragePoolLifecycleEvent>> {
    checkOptions(options, 'options');
    this.driver();
    return this.#poolEvents.stream(options.signal);
  }

  /** @internal drops every network/pool listener (the connection is closing). */
  protected clearNetStoreListeners(): void {
    this.#networkFanout?.clear();
    this.#poolFanout?.clear();
  }
}
