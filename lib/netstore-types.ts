/**
 * Network, storage, node-device and host-interface data types and the
 * OPTIONAL driver calls for them (the Connection layer rejects NO_SUPPORT,
 * naming libvirt's virXxx API, when a driver lacks one). Sizes are bytes.
 */
import type {
  NetworkEventType,
  StoragePoolEventId,
  StoragePoolEventType,
  StoragePoolState,
  StorageVolType,
} from './netstore-constants';

/** What identifies a network on a connection (remote_nonnull_network). */
export interface NetworkRef {
  readonly name: string;
  readonly uuid: string;
}
/** remote_nonnull_storage_pool */
export interface StoragePoolRef {
  readonly name: string;
  readonly uuid: string;
}
/** remote_nonnull_storage_vol: the pool's name, the volume's name and key. */
export interface StorageVolRef {
  readonly pool: string;
  readonly name: string;
  readonly key: string;
}
/** remote_nonnull_node_device */
export interface NodeDeviceRef {
  readonly name: string;
}
/** remote_nonnull_interface */
export interface InterfaceRef {
  readonly name: string;
  readonly mac: string;
}

/** virStoragePoolInfo */
export interface StoragePoolInfo {
  state: StoragePoolState;
  capacity: bigint;
  allocation: bigint;
  available: bigint;
}
/** virStorageVolInfo */
export interface StorageVolInfo {
  type: StorageVolType;
  capacity: bigint;
  allocation: bigint;
}

/** virNetworkDHCPLease */
export interface NetworkDHCPLease {
  iface: string;
  /** Seconds since the epoch. */
  expiryTime: bigint;
  /** virIPAddrType: 0 IPv4, 1 IPv6. */
  type: number;
  mac: string;
  iaid: string | null;
  ipaddr: string;
  prefix: number;
  hostname: string | null;
  clientid: string | null;
}

export interface DriverNetworkEvent {
  network: NetworkRef;
  event: NetworkEventType;
  detail: number;
}
/** A pool lifecycle change, or (eventId REFRESH, event and detail 0) a refresh. */
export interface DriverStoragePoolEvent {
  pool: StoragePoolRef;
  eventId: StoragePoolEventId;
  event: StoragePoolEventType;
  detail: number;
}

/** The network/storage half of the Driver interface; every call optional. */
export interface NetworkStorageDriver {
  connectListAllNetworks?(flags: number): Promise<NetworkRef[]>;
  networkLookupByName?(name: string): Promise<NetworkRef>;
  networkLookupByUuid?(uuid: string): Promise<NetworkRef>;
  networkDefineXML?(xml: string, flags: number): Promise<NetworkRef>;
  networkCreateXML?(xml: string, flags: number): Promise<NetworkRef>;
  networkCreate?(net: NetworkRef): Promise<void>;
  networkDestroy?(net: NetworkRef): Promise<void>;
  networkUndefine?(net: NetworkRef): Promise<void>;
  networkGetXMLDesc?(net: NetworkRef, flags: number): Promise<string>;
  networkIsActive?(net: NetworkRef): Promise<boolean>;
  networkIsPersistent?(net: NetworkRef): Promise<boolean>;
  networkGetAutostart?(net: NetworkRef): Promise<boolean>;
  networkSetAutostart?(net: NetworkRef, autostart: boolean): Promise<void>;
  networkGetBridgeName?(net: NetworkRef): Promise<string>;
  networkGetDHCPLeases?(net: NetworkRef, mac: string | null, flags: number): Promise<NetworkDHCPLease[]>;

  connectListAllStoragePools?(flags: number): Promise<StoragePoolRef[]>;
  storagePoolLookupByName?(name: string): Promise<StoragePoolRef>;
  storagePoolLookupByUuid?(uuid: string): Promise<StoragePoolRef>;
  storagePoolLookupByVolume?(vol: StorageVolRef): Promise<StoragePoolRef>;
  storagePoolDefineXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  storagePoolCreateXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  storagePoolBuild?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolCreate?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolDestroy?(pool: StoragePoolRef): Promise<void>;
  storagePoolDelete?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolUndefine?(pool: StoragePoolRef): Promise<void>;
  storagePoolRefresh?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolGetInfo?(pool: StoragePoolRef): Promise<StoragePoolInfo>;
  storagePoolGetXMLDesc?(pool: StoragePoolRef, flags: number): Promise<string>;
  storagePoolIsActive?(pool: StoragePoolRef): Promise<boolean>;
  storagePoolIsPersistent?(pool: StoragePoolRef): Promise<boolean>;
  storagePoolGetAutostart?(pool: StoragePoolRef): Promise<boolean>;
  storagePoolSetAutostart?(pool: StoragePoolRef, autostart: boolean): Promise<void>;
  storagePoolListAllVolumes?(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]>;

  storageVolLookupByName?(pool: StoragePoolRef, name: string): Promise<StorageVolRef>;
  storageVolLookupByKey?(key: string): Promise<StorageVolRef>;
  storageVolLookupByPath?(path: string): Promise<StorageVolRef>;
  storageVolCreateXML?(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef>;
  storageVolCreateXMLFrom?(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef>;
  storageVolDelete?(vol: StorageVolRef, flags: number): Promise<void>;
  storageVolWipe?(vol: StorageVolRef, flags: number): Promise<void>;
  storageVolGetInfo?(vol: StorageVolRef): Promise<StorageVolInfo>;
  storageVolGetXMLDesc?(vol: StorageVolRef, flags: number): Promise<string>;
  storageVolGetPath?(vol: StorageVolRef): Promise<string>;
  storageVolResize?(vol: StorageVolRef, capacity: bigint, flags: number): Promise<void>;

  connectListAllNodeDevices?(flags: number): Promise<NodeDeviceRef[]>;
  nodeDeviceLookupByName?(name: string): Promise<NodeDeviceRef>;
  nodeDeviceGetXMLDesc?(dev: NodeDeviceRef, flags: number): Promise<string>;
  nodeDeviceGetParent?(dev: NodeDeviceRef): Promise<string | null>;
  nodeDeviceListCaps?(dev: NodeDeviceRef): Promise<string[]>;

  connectListAllInterfaces?(flags: number): Promise<InterfaceRef[]>;
  interfaceLookupByName?(name: string): Promise<InterfaceRef>;
  interfaceLookupByMACString?(mac: string): Promise<InterfaceRef>;
  interfaceGetXMLDesc?(iface: InterfaceRef, flags: number): Promise<string>;
  interfaceIsActive?(iface: InterfaceRef): Promise<boolean>;

  /** Starts delivering network lifecycle events to `sink` (one sink per driver instance). */
  startNetworkEvents?(sink: (event: DriverNetworkEvent) => void): Promise<void>;
  stopNetworkEvents?(): Promise<void>;
  /** Storage pool lifecycle and refresh events. */
  startStoragePoolEvents?(sink: (event: DriverStoragePoolEvent) => void): Promise<void>;
  stopStoragePoolEvents?(): Promise<void>;
}
