/**
 * The network, storage, node-device and host-interface calls of the test
 * driver, as libvirt 9.0's test driver answers them (flags it accepts, the
 * order of its checks, its errors). Calls it lacks (volume wipe/resize,
 * DHCP leases) are absent here too, so they fail NO_SUPPORT as in libvirt.
 */
import type {
  DriverNetworkEvent,
  DriverStoragePoolEvent,
  InterfaceRef,
  NetworkRef,
  NetworkStorageDriver,
  NodeDeviceRef,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
} from '../../netstore-types';
import {
  LIST_NETWORKS_FILTERS_ALL,
  LIST_NODE_DEVICES_FILTERS_CAP,
  LIST_STORAGE_POOLS_FILTERS_ALL,
  StoragePoolEventId,
  StoragePoolEventType,
} from '../../netstore-constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { checkFlags } from './errors';
import type { NetStoreState } from './netstore-state';
import type { TestPool } from './pools';
import { HubSubscription } from '../event-hub';

/** VIR_NETWORK_DEFINE_VALIDATE / VIR_STORAGE_POOL_DEFINE_VALIDATE: our parser always validates. */
const DEFINE_VALIDATE = 1;

// The XML modules load with the first call that parses or formats network or
// storage XML: domain-only work (most CLI commands) never pays for them.
const networkXml = () => import('../../xml/network');
const poolXml = () => import('../../xml/storage-pool');
const volXml = () => import('../../xml/storage-vol');

export abstract class TestNetStoreDriver implements NetworkStorageDriver {
  // Made with the first listener: most connections (a daemon's idle clients) never have one.
  #netEvents: HubSubscription<DriverNetworkEvent> | null = null;
  #poolEvents: HubSubscription<DriverStoragePoolEvent> | null = null;

  /** The connection's network/storage state; INVALID_CONN once closed. */
  protected abstract netstore(): NetStoreState;

  async connectListAllNetworks(flags: number): Promise<NetworkRef[]> {
    checkFlags(flags, LIST_NETWORKS_FILTERS_ALL, 'testConnectListAllNetworks');
    return this.netstore()
      .networks.list(flags)
      .map((n) => n.ref);
  }

  async networkLookupByName(name: string): Promise<NetworkRef> {
    return this.netstore().networks.byName(name).ref;
  }
  async networkLookupByUuid(uuid: string): Promise<NetworkRef> {
    return this.netstore().networks.byUuid(uuid).ref;
  }

  async networkDefineXML(xml: string, flags: number): Promise<NetworkRef> {
    const { parseNetworkXml } = await networkXml();
    checkFlags(flags, DEFINE_VALIDATE, 'testNetworkDefineXMLFlags');
    const state = this.netstore();
    return state.networks.define(parseNetworkXml(xml)).ref;
  }

  async networkCreateXML(xml: string, flags: number): Promise<NetworkRef> {
    const { parseNetworkXml } = await networkXml();
    checkFlags(flags, 0, 'testNetworkCreateXMLFlags');
    const state = this.netstore();
    return state.networks.createTransient(parseNetworkXml(xml)).ref;
  }

  async networkCreate(net: NetworkRef): Promise<void> {
    const state = this.netstore();
    state.networks.start(state.networks.byName(net.name));
  }

  async networkDestroy(net: NetworkRef): Promise<void> {
    const state = this.netstore();
    state.networks.destroy(state.networks.byName(net.name));
  }

  async networkUndefine(net: NetworkRef): Promise<void> {
    const state = this.netstore();
    state.networks.undefine(state.networks.byName(net.name));
  }

  async networkGetXMLDesc(net: NetworkRef, flags: number): Promise<string> {
    const { formatNetworkXml } = await networkXml();
    checkFlags(flags, 0, 'testNetworkGetXMLDesc');
    return formatNetworkXml(this.netstore().networks.byName(net.name).def);
  }

  async networkIsActive(net: NetworkRef): Promise<boolean> {
    return this.netstore().networks.byUuid(net.uuid).active;
  }
  async networkIsPersistent(net: NetworkRef): Promise<boolean> {
    return this.netstore().networks.byUuid(net.uuid).persistent;
  }
  async networkGetAutostart(net: NetworkRef): Promise<boolean> {
    return this.netstore().networks.byName(net.name).autostart;
  }
  async networkSetAutostart(net: NetworkRef, autostart: boolean): Promise<void> {
    this.netstore().networks.byName(net.name).autostart = autostart;
  }

  async networkGetBridgeName(net: NetworkRef): Promise<string> {
    const def = this.netstore().networks.byName(net.name).def;
    if (def.bridge === null) {
      throw XvirtError.of(
        ErrorNumber.INTERNAL_ERROR,
        ErrorDomain.TEST,
        `network '${def.name}' does not have a bridge name.`,
      );
    }
    return def.bridge;
  }

  async connectListAllStoragePools(flags: number): Promise<StoragePoolRef[]> {
    checkFlags(flags, LIST_STORAGE_POOLS_FILTERS_ALL, 'testConnectListAllStoragePools');
    return this.netstore()
      .pools.list(flags)
      .map((p) => p.ref);
  }

  async storagePoolLookupByName(name: string): Promise<StoragePoolRef> {
    return this.netstore().pools.byName(name).ref;
  }
  async storagePoolLookupByUuid(uuid: string): Promise<StoragePoolRef> {
    return this.netstore().pools.byUuid(uuid).ref;
  }
  async storagePoolLookupByVolume(vol: StorageVolRef): Promise<StoragePoolRef> {
    return this.netstore().pools.byName(vol.pool).ref;
  }

  async storagePoolDefineXML(xml: string, flags: number): Promise<StoragePoolRef> {
    const { parseStoragePoolXml } = await poolXml();
    checkFlags(flags, DEFINE_VALIDATE, 'testStoragePoolDefineXML');
    const state = this.netstore();
    return state.pools.define(parseStoragePoolXml(xml)).ref;
  }

  async storagePoolCreateXML(xml: string, flags: number): Promise<StoragePoolRef> {
    const { parseStoragePoolXml } = await poolXml();
    checkFlags(flags, 0, 'testStoragePoolCreateXML');
    const state = this.netstore();
    return state.pools.createTransient(parseStoragePoolXml(xml)).ref;
  }

  async storagePoolBuild(pool: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'testStoragePoolBuild');
    const pools = this.netstore().pools;
    pools.emit(pools.inState(pool.name, false), StoragePoolEventType.CREATED);
  }

  async storagePoolCreate(pool: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'testStoragePoolCreate');
    const pools = this.netstore().pools;
    const obj = pools.inState(pool.name, false);
    obj.active = true;
    pools.emit(obj, StoragePoolEventType.STARTED);
  }

  async storagePoolDestroy(pool: StoragePoolRef): Promise<void> {
    const pools = this.netstore().pools;
    pools.destroy(pools.inState(pool.name, true));
  }

  async storagePoolDelete(pool: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'testStoragePoolDelete');
    const pools = this.netstore().pools;
    pools.emit(pools.inState(pool.name, false), StoragePoolEventType.DELETED);
  }

  async storagePoolUndefine(pool: StoragePoolRef): Promise<void> {
    const pools = this.netstore().pools;
    pools.undefine(pools.inState(pool.name, false));
  }

  async storagePoolRefresh(pool: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'testStoragePoolRefresh');
    const pools = this.netstore().pools;
    pools.emit(pools.inState(pool.name, true), 0, StoragePoolEventId.REFRESH);
  }

  async storagePoolGetInfo(pool: StoragePoolRef): Promise<StoragePoolInfo> {
    return this.netstore().pools.byName(pool.name).info();
  }

  async storagePoolGetXMLDesc(pool: StoragePoolRef, flags: number): Promise<string> {
    const { formatStoragePoolXml } = await poolXml();
    checkFlags(flags, 0, 'testStoragePoolGetXMLDesc');
    const obj = this.netstore().pools.byName(pool.name);
    const { capacity, allocation, available } = obj.info();
    return formatStoragePoolXml(obj.def, { capacity, allocation, available });
  }

  async storagePoolIsActive(pool: StoragePoolRef): Promise<boolean> {
    return this.netstore().pools.byUuid(pool.uuid).active;
  }
  async storagePoolIsPersistent(pool: StoragePoolRef): Promise<boolean> {
    return this.netstore().pools.byUuid(pool.uuid).persistent;
  }

  async storagePoolGetAutostart(pool: StoragePoolRef): Promise<boolean> {
    const obj = this.netstore().pools.byName(pool.name);
    return obj.persistent && obj.autostart;
  }

  async storagePoolSetAutostart(pool: StoragePoolRef, autostart: boolean): Promise<void> {
    const obj = this.netstore().pools.byName(pool.name);
    if (!obj.persistent) throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, 'pool has no config file');
    obj.autostart = autostart;
  }

  async storagePoolListAllVolumes(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]> {
    checkFlags(flags, 0, 'testStoragePoolListAllVolumes');
    const obj = this.netstore().pools.byUuid(pool.uuid);
    if (!obj.active) throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, 'storage pool is not active');
    return [...obj.volumes.values()].map((v) => obj.volRef(v));
  }

  #activePool(name: string): TestPool {
    return this.netstore().pools.inState(name, true);
  }

  async storageVolLookupByName(pool: StoragePoolRef, name: string): Promise<StorageVolRef> {
    const obj = this.#activePool(pool.name);
    return obj.volRef(this.netstore().pools.volume(obj, name));
  }

  async storageVolLookupByKey(key: string): Promise<StorageVolRef> {
    const { pool, vol } = this.netstore().pools.findVolume('key', key);
    return pool.volRef(vol);
  }

  async storageVolLookupByPath(path: string): Promise<StorageVolRef> {
    const { pool, vol } = this.netstore().pools.findVolume('path', path);
    return pool.volRef(vol);
  }

  async storageVolCreateXML(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef> {
    const { parseStorageVolXml } = await volXml();
    checkFlags(flags, 0, 'testStorageVolCreateXML');
    const obj = this.#activePool(pool.name);
    return obj.volRef(this.netstore().pools.addVolume(obj, parseStorageVolXml(xml, obj.def.type)));
  }

  async storageVolCreateXMLFrom(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef> {
    const { parseStorageVolXml } = await volXml();
    checkFlags(flags, 0, 'testStorageVolCreateXMLFrom');
    const pools = this.netstore().pools;
    const obj = this.#activePool(pool.name);
    const def = parseStorageVolXml(xml, obj.def.type);
    if (obj.volumes.has(def.name))
      throw XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, 'storage vol already exists');
    pools.volume(obj, clone.name);
    return obj.volRef(pools.addVolume(obj, def));
  }

  async storageVolDelete(vol: StorageVolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'testStorageVolDelete');
    const pools = this.netstore().pools;
    const obj = this.#activePool(vol.pool);
    pools.removeVolume(obj, pools.volume(obj, vol.name));
  }

  async storageVolGetInfo(vol: StorageVolRef): Promise<StorageVolInfo> {
    const obj = this.#activePool(vol.pool);
    const { def } = this.netstore().pools.volume(obj, vol.name);
    return { type: obj.volumeType, capacity: def.capacity, allocation: def.allocation };
  }

  async storageVolGetXMLDesc(vol: StorageVolRef, flags: number): Promise<string> {
    const { formatStorageVolXml } = await volXml();
    checkFlags(flags, 0, 'testStorageVolGetXMLDesc');
    const obj = this.#activePool(vol.pool);
    const found = this.netstore().pools.volume(obj, vol.name);
    return formatStorageVolXml(found.def, found);
  }

  async storageVolGetPath(vol: StorageVolRef): Promise<string> {
    const obj = this.#activePool(vol.pool);
    return this.netstore().pools.volume(obj, vol.name).path;
  }

  async connectListAllNodeDevices(flags: number): Promise<NodeDeviceRef[]> {
    checkFlags(flags, LIST_NODE_DEVICES_FILTERS_CAP, 'testConnectListAllNodeDevices');
    return this.netstore().host.listDevices(flags);
  }

  async nodeDeviceLookupByName(name: string): Promise<NodeDeviceRef> {
    return { name: this.netstore().host.device(name).name };
  }

  async nodeDeviceGetXMLDesc(dev: NodeDeviceRef, flags: number): Promise<string> {
    checkFlags(flags, 0, 'testNodeDeviceGetXMLDesc');
    return this.netstore().host.device(dev.name).xml;
  }

  async nodeDeviceGetParent(dev: NodeDeviceRef): Promise<string | null> {
    const parent = this.netstore().host.device(dev.name).parent;
    if (parent === null) throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, 'no parent for this device');
    return parent;
  }

  async nodeDeviceListCaps(dev: NodeDeviceRef): Promise<string[]> {
    return [...this.netstore().host.device(dev.name).caps];
  }

  async connectListAllInterfaces(flags: number): Promise<InterfaceRef[]> {
    checkFlags(flags, 3, 'testConnectListAllInterfaces');
    return this.netstore().host.listInterfaces(flags);
  }

  async interfaceLookupByName(name: string): Promise<InterfaceRef> {
    const i = this.netstore().host.iface(name);
    return { name: i.name, mac: i.mac };
  }

  async interfaceLookupByMACString(mac: string): Promise<InterfaceRef> {
    const i = this.netstore().host.ifaceByMac(mac);
    return { name: i.name, mac: i.mac };
  }

  async interfaceGetXMLDesc(iface: InterfaceRef, flags: number): Promise<string> {
    checkFlags(flags, 0, 'testInterfaceGetXMLDesc');
    return this.netstore().host.iface(iface.name).xml;
  }

  async interfaceIsActive(iface: InterfaceRef): Promise<boolean> {
    return this.netstore().host.iface(iface.name).active;
  }

  async startNetworkEvents(sink: (event: DriverNetworkEvent) => void): Promise<void> {
    (this.#netEvents ??= new HubSubscription()).subscribe(this.netstore().networks.events, sink);
  }

  async stopNetworkEvents(): Promise<void> {
    this.#netEvents?.release();
  }

  async startStoragePoolEvents(sink: (event: DriverStoragePoolEvent) => void): Promise<void> {
    (this.#poolEvents ??= new HubSubscription()).subscribe(this.netstore().pools.events, sink);
  }

  async stopStoragePoolEvents(): Promise<void> {
    this.#poolEvents?.release();
  }

  /**
   * Drops this connection's event sinks (at close); each subscription holds its hub, so a
   * connection that never subscribed leaves a not-yet-built state unbuilt.
   */
  protected releaseNetStore(): void {
    this.#netEvents?.release();
    this.#poolEvents?.release();
  }
}
