/**
 * The network, storage, node-device and host-interface calls of the remote
 * driver: one RPC each, made as libvirt's remote driver makes them, and the
 * network/pool event registrations (callback ids, events routed by them).
 */
import type {
  DriverNetworkEvent,
  DriverStoragePoolEvent,
  InterfaceRef,
  NetworkDHCPLease,
  NetworkRef,
  NetworkStorageDriver,
  NodeDeviceRef,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
} from '../../netstore-types';
import { StoragePoolEventId } from '../../netstore-constants';
import type { RpcClient } from '../../rpc/client';
import { NETSTORE_EVENT_MESSAGES, NetStoreProcedure as P } from '../../rpc/netstore-procedures';
import { decode } from '../../rpc/xdr';

/** One event registration: its callback ids (one per event id) once known. */
class Registration<E> {
  sink: ((event: E) => void) | null = null;
  ids: number[] = [];
}

export abstract class RemoteNetStoreDriver implements NetworkStorageDriver {
  readonly #nets = new Registration<DriverNetworkEvent>();
  readonly #pools = new Registration<DriverStoragePoolEvent>();

  protected abstract rpc(): RpcClient;

  /** Routes a network/pool event MESSAGE; false when `procedure` is not one. */
  protected handleNetStoreEvent(procedure: number, payload: Buffer): boolean {
    if (procedure === P.NETWORK_EVENT_LIFECYCLE) {
      const m = decode(NETSTORE_EVENT_MESSAGES[P.NETWORK_EVENT_LIFECYCLE], payload, 'NETWORK_EVENT_LIFECYCLE msg');
      if (this.#nets.ids.includes(m.callbackID))
        this.#nets.sink?.({ network: m.net, event: m.event, detail: m.detail });
    } else if (procedure === P.STORAGE_POOL_EVENT_LIFECYCLE) {
      const m = decode(
        NETSTORE_EVENT_MESSAGES[P.STORAGE_POOL_EVENT_LIFECYCLE],
        payload,
        'STORAGE_POOL_EVENT_LIFECYCLE msg',
      );
      if (this.#pools.ids[0] === m.callbackID) {
        this.#pools.sink?.({ pool: m.pool, eventId: StoragePoolEventId.LIFECYCLE, event: m.event, detail: m.detail });
      }
    } else if (procedure === P.STORAGE_POOL_EVENT_REFRESH) {
      const m = decode(
        NETSTORE_EVENT_MESSAGES[P.STORAGE_POOL_EVENT_REFRESH],
        payload,
        'STORAGE_POOL_EVENT_REFRESH msg',
      );
      if (this.#pools.ids[1] === m.callbackID)
        this.#pools.sink?.({ pool: m.pool, eventId: StoragePoolEventId.REFRESH, event: 0, detail: 0 });
    } else {
      return false;
    }
    return true;
  }

  async connectListAllNetworks(flags: number): Promise<NetworkRef[]> {
    return (await this.rpc().call(P.CONNECT_LIST_ALL_NETWORKS, { need_results: 1, flags })).nets;
  }

  async networkLookupByName(name: string): Promise<NetworkRef> {
    return (await this.rpc().call(P.NETWORK_LOOKUP_BY_NAME, { name })).net;
  }

  async networkLookupByUuid(uuid: string): Promise<NetworkRef> {
    return (await this.rpc().call(P.NETWORK_LOOKUP_BY_UUID, { uuid })).net;
  }

  /** NETWORK_DEFINE_XML carries no flags: VALIDATE (our parser always validates) travels nowhere. */
  async networkDefineXML(xml: string, _flags: number): Promise<NetworkRef> {
    return (await this.rpc().call(P.NETWORK_DEFINE_XML, { xml })).net;
  }

  async networkCreateXML(xml: string, _flags: number): Promise<NetworkRef> {
    return (await this.rpc().call(P.NETWORK_CREATE_XML, { xml })).net;
  }

  async networkCreate(net: NetworkRef): Promise<void> {
    await this.rpc().call(P.NETWORK_CREATE, { net });
  }
  async networkDestroy(net: NetworkRef): Promise<void> {
    await this.rpc().call(P.NETWORK_DESTROY, { net });
  }
  async networkUndefine(net: NetworkRef): Promise<void> {
    await this.rpc().call(P.NETWORK_UNDEFINE, { net });
  }

  async networkGetXMLDesc(net: NetworkRef, flags: number): Promise<string> {
    return (await this.rpc().call(P.NETWORK_GET_XML_DESC, { net, flags })).xml;
  }

  async networkIsActive(net: NetworkRef): Promise<boolean> {
    return (await this.rpc().call(P.NETWORK_IS_ACTIVE, { net })).active;
  }

  async networkIsPersistent(net: NetworkRef): Promise<boolean> {
    return (await this.rpc().call(P.NETWORK_IS_PERSISTENT, { net })).persistent;
  }

  async networkGetAutostart(net: NetworkRef): Promise<boolean> {
    return (await this.rpc().call(P.NETWORK_GET_AUTOSTART, { net })).autostart;
  }

  async networkSetAutostart(net: NetworkRef, autostart: boolean): Promise<void> {
    await this.rpc().call(P.NETWORK_SET_AUTOSTART, { net, autostart });
  }

  async networkGetBridgeName(net: NetworkRef): Promise<string> {
    return (await this.rpc().call(P.NETWORK_GET_BRIDGE_NAME, { net })).name;
  }

  async networkGetDHCPLeases(net: NetworkRef, mac: string | null, flags: number): Promise<NetworkDHCPLease[]> {
    return (await this.rpc().call(P.NETWORK_GET_DHCP_LEASES, { net, mac, need_results: 1, flags })).leases;
  }

  async connectListAllStoragePools(flags: number): Promise<StoragePoolRef[]> {
    return (await this.rpc().call(P.CONNECT_LIST_ALL_STORAGE_POOLS, { need_results: 1, flags })).pools;
  }

  async storagePoolLookupByName(name: string): Promise<StoragePoolRef> {
    return (await this.rpc().call(P.STORAGE_POOL_LOOKUP_BY_NAME, { name })).pool;
  }

  async storagePoolLookupByUuid(uuid: string): Promise<StoragePoolRef> {
    return (await this.rpc().call(P.STORAGE_POOL_LOOKUP_BY_UUID, { uuid })).pool;
  }

  async storagePoolLookupByVolume(vol: StorageVolRef): Promise<StoragePoolRef> {
    return (await this.rpc().call(P.STORAGE_POOL_LOOKUP_BY_VOLUME, { vol })).pool;
  }

  async storagePoolDefineXML(xml: string, flags: number): Promise<StoragePoolRef> {
    return (await this.rpc().call(P.STORAGE_POOL_DEFINE_XML, { xml, flags })).pool;
  }

  async storagePoolCreateXML(xml: string, flags: number): Promise<StoragePoolRef> {
    return (await this.rpc().call(P.STORAGE_POOL_CREATE_XML, { xml, flags })).pool;
  }

  async storagePoolBuild(pool: StoragePoolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_BUILD, { pool, flags });
  }

  async storagePoolCreate(pool: StoragePoolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_CREATE, { pool, flags });
  }

  async storagePoolDestroy(pool: StoragePoolRef): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_DESTROY, { pool });
  }

  async storagePoolDelete(pool: StoragePoolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_DELETE, { pool, flags });
  }

  async storagePoolUndefine(pool: StoragePoolRef): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_UNDEFINE, { pool });
  }

  async storagePoolRefresh(pool: StoragePoolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_REFRESH, { pool, flags });
  }

  async storagePoolGetInfo(pool: StoragePoolRef): Promise<StoragePoolInfo> {
    return this.rpc().call(P.STORAGE_POOL_GET_INFO, { pool });
  }

  async storagePoolGetXMLDesc(pool: StoragePoolRef, flags: number): Promise<string> {
    return (await this.rpc().call(P.STORAGE_POOL_GET_XML_DESC, { pool, flags })).xml;
  }

  async storagePoolIsActive(pool: StoragePoolRef): Promise<boolean> {
    return (await this.rpc().call(P.STORAGE_POOL_IS_ACTIVE, { pool })).active;
  }

  async storagePoolIsPersistent(pool: StoragePoolRef): Promise<boolean> {
    return (await this.rpc().call(P.STORAGE_POOL_IS_PERSISTENT, { pool })).persistent;
  }

  async storagePoolGetAutostart(pool: StoragePoolRef): Promise<boolean> {
    return (await this.rpc().call(P.STORAGE_POOL_GET_AUTOSTART, { pool })).autostart;
  }

  async storagePoolSetAutostart(pool: StoragePoolRef, autostart: boolean): Promise<void> {
    await this.rpc().call(P.STORAGE_POOL_SET_AUTOSTART, { pool, autostart });
  }

  async storagePoolListAllVolumes(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]> {
    return (await this.rpc().call(P.STORAGE_POOL_LIST_ALL_VOLUMES, { pool, need_results: 1, flags })).vols;
  }

  async storageVolLookupByName(pool: StoragePoolRef, name: string): Promise<StorageVolRef> {
    return (await this.rpc().call(P.STORAGE_VOL_LOOKUP_BY_NAME, { pool, name })).vol;
  }

  async storageVolLookupByKey(key: string): Promise<StorageVolRef> {
    return (await this.rpc().call(P.STORAGE_VOL_LOOKUP_BY_KEY, { key })).vol;
  }

  async storageVolLookupByPath(path: string): Promise<StorageVolRef> {
    return (await this.rpc().call(P.STORAGE_VOL_LOOKUP_BY_PATH, { path })).vol;
  }

  async storageVolCreateXML(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef> {
    return (await this.rpc().call(P.STORAGE_VOL_CREATE_XML, { pool, xml, flags })).vol;
  }

  async storageVolCreateXMLFrom(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef> {
    return (await this.rpc().call(P.STORAGE_VOL_CREATE_XML_FROM, { pool, xml, clonevol: clone, flags })).vol;
  }

  async storageVolDelete(vol: StorageVolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_VOL_DELETE, { vol, flags });
  }

  async storageVolWipe(vol: StorageVolRef, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_VOL_WIPE, { vol, flags });
  }

  async storageVolGetInfo(vol: StorageVolRef): Promise<StorageVolInfo> {
    return this.rpc().call(P.STORAGE_VOL_GET_INFO, { vol });
  }

  async storageVolGetXMLDesc(vol: StorageVolRef, flags: number): Promise<string> {
    return (await this.rpc().call(P.STORAGE_VOL_GET_XML_DESC, { vol, flags })).xml;
  }

  async storageVolGetPath(vol: StorageVolRef): Promise<string> {
    return (await this.rpc().call(P.STORAGE_VOL_GET_PATH, { vol })).name;
  }

  async storageVolResize(vol: StorageVolRef, capacity: bigint, flags: number): Promise<void> {
    await this.rpc().call(P.STORAGE_VOL_RESIZE, { vol, capacity, flags });
  }

  async connectListAllNodeDevices(flags: number): Promise<NodeDeviceRef[]> {
    return (await this.rpc().call(P.CONNECT_LIST_ALL_NODE_DEVICES, { need_results: 1, flags })).devices;
  }

  async nodeDeviceLookupByName(name: string): Promise<NodeDeviceRef> {
    return (await this.rpc().call(P.NODE_DEVICE_LOOKUP_BY_NAME, { name })).dev;
  }

  async nodeDeviceGetXMLDesc(dev: NodeDeviceRef, flags: number): Promise<string> {
    return (await this.rpc().call(P.NODE_DEVICE_GET_XML_DESC, { name: dev.name, flags })).xml;
  }

  async nodeDeviceGetParent(dev: NodeDeviceRef): Promise<string | null> {
    return (await this.rpc().call(P.NODE_DEVICE_GET_PARENT, { name: dev.name })).parentName;
  }

  async nodeDeviceListCaps(dev: NodeDeviceRef): Promise<string[]> {
    return (await this.rpc().call(P.NODE_DEVICE_LIST_CAPS, { name: dev.name, maxnames: 65536 })).names;
  }

  async connectListAllInterfaces(flags: number): Promise<InterfaceRef[]> {
    return (await this.rpc().call(P.CONNECT_LIST_ALL_INTERFACES, { need_results: 1, flags })).ifaces;
  }

  async interfaceLookupByName(name: string): Promise<InterfaceRef> {
    return (await this.rpc().call(P.INTERFACE_LOOKUP_BY_NAME, { name })).iface;
  }

  async interfaceLookupByMACString(mac: string): Promise<InterfaceRef> {
    return (await this.rpc().call(P.INTERFACE_LOOKUP_BY_MAC_STRING, { mac })).iface;
  }

  async interfaceGetXMLDesc(iface: InterfaceRef, flags: number): Promise<string> {
    return (await this.rpc().call(P.INTERFACE_GET_XML_DESC, { iface, flags })).xml;
  }

  async interfaceIsActive(iface: InterfaceRef): Promise<boolean> {
    return (await this.rpc().call(P.INTERFACE_IS_ACTIVE, { iface })).active;
  }

  async startNetworkEvents(sink: (event: DriverNetworkEvent) => void): Promise<void> {
    this.#nets.sink = sink;
    if (this.#nets.ids.length > 0) return;
    const { callbackID } = await this.rpc().call(P.CONNECT_NETWORK_EVENT_REGISTER_ANY, { eventID: 0, net: null });
    this.#nets.ids = [callbackID];
  }

  async stopNetworkEvents(): Promise<void> {
    this.#nets.sink = null;
    for (const callbackID of this.#nets.ids.splice(0))
      await this.rpc().call(P.CONNECT_NETWORK_EVENT_DEREGISTER_ANY, { callbackID });
  }

  /** Two registrations, as libvirt clients make them: lifecycle (event id 0) and refresh (1). */
  async startStoragePoolEvents(sink: (event: DriverStoragePoolEvent) => void): Promise<void> {
    this.#pools.sink = sink;
    if (this.#pools.ids.length > 0) return;
    const ids: number[] = [];
    for (const eventID of [StoragePoolEventId.LIFECYCLE, StoragePoolEventId.REFRESH]) {
      ids.push((await this.rpc().call(P.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, { eventID, pool: null })).callbackID);
    }
    this.#pools.ids = ids;
  }

  async stopStoragePoolEvents(): Promise<void> {
    this.#pools.sink = null;
    for (const callbackID of this.#pools.ids.splice(0)) {
      await this.rpc().call(P.CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY, { callbackID });
    }
  }
}
