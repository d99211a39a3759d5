/**
 * The network, storage, node-device and host-interface procedures of
 * REMOTE_PROGRAM: libvirt's numbers (remote_protocol.x) and wire structs.
 * remote_nonnull_network/storage_pool carry name and UUID; a volume its
 * pool's name, its name and key; node devices a name; interfaces name and MAC.
 */
import type {
  InterfaceRef,
  NetworkDHCPLease,
  NodeDeviceRef,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
} from '../netstore-types';
import { nonnullNetwork, nonnullString, remoteString, remoteUuid } from './protocol';
import { call, event, eventBodiesOf, type Table } from './procedure-table';
import { array, hyper, int, intBool, intRange, optional, struct, uhyper, uint, xdrVoid, type Codec } from './xdr';

/** remote_procedure numbers for networks, storage, node devices and interfaces. */
export enum NetStoreProcedure {
  CONNECT_LIST_DEFINED_NETWORKS = 36,
  CONNECT_LIST_NETWORKS = 38,
  NETWORK_CREATE = 39,
  NETWORK_CREATE_XML = 40,
  NETWORK_DEFINE_XML = 41,
  NETWORK_DESTROY = 42,
  NETWORK_GET_XML_DESC = 43,
  NETWORK_GET_AUTOSTART = 44,
  NETWORK_GET_BRIDGE_NAME = 45,
  NETWORK_LOOKUP_BY_NAME = 46,
  NETWORK_LOOKUP_BY_UUID = 47,
  NETWORK_SET_AUTOSTART = 48,
  NETWORK_UNDEFINE = 49,
  CONNECT_NUM_OF_DEFINED_NETWORKS = 50,
  CONNECT_NUM_OF_NETWORKS = 52,
  CONNECT_NUM_OF_STORAGE_POOLS = 71,
  CONNECT_LIST_STORAGE_POOLS = 72,
  CONNECT_NUM_OF_DEFINED_STORAGE_POOLS = 73,
  CONNECT_LIST_DEFINED_STORAGE_POOLS = 74,
  STORAGE_POOL_CREATE_XML = 76,
  STORAGE_POOL_DEFINE_XML = 77,
  STORAGE_POOL_CREATE = 78,
  STORAGE_POOL_BUILD = 79,
  STORAGE_POOL_DESTROY = 80,
  STORAGE_POOL_DELETE = 81,
  STORAGE_POOL_UNDEFINE = 82,
  STORAGE_POOL_REFRESH = 83,
  STORAGE_POOL_LOOKUP_BY_NAME = 84,
  STORAGE_POOL_LOOKUP_BY_UUID = 85,
  STORAGE_POOL_LOOKUP_BY_VOLUME = 86,
  STORAGE_POOL_GET_INFO = 87,
  STORAGE_POOL_GET_XML_DESC = 88,
  STORAGE_POOL_GET_AUTOSTART = 89,
  STORAGE_POOL_SET_AUTOSTART = 90,
  STORAGE_POOL_NUM_OF_VOLUMES = 91,
  STORAGE_POOL_LIST_VOLUMES = 92,
  STORAGE_VOL_CREATE_XML = 93,
  STORAGE_VOL_DELETE = 94,
  STORAGE_VOL_LOOKUP_BY_NAME = 95,
  STORAGE_VOL_LOOKUP_BY_KEY = 96,
  STORAGE_VOL_LOOKUP_BY_PATH = 97,
  STORAGE_VOL_GET_INFO = 98,
  STORAGE_VOL_GET_XML_DESC = 99,
  STORAGE_VOL_GET_PATH = 100,
  NODE_NUM_OF_DEVICES = 111,
  NODE_LIST_DEVICES = 112,
  NODE_DEVICE_LOOKUP_BY_NAME = 113,
  NODE_DEVICE_GET_XML_DESC = 114,
  NODE_DEVICE_GET_PARENT = 115,
  NODE_DEVICE_NUM_OF_CAPS = 116,
  NODE_DEVICE_LIST_CAPS = 117,
  STORAGE_VOL_CREATE_XML_FROM = 125,
  INTERFACE_LOOKUP_BY_NAME = 128,
  INTERFACE_LOOKUP_BY_MAC_STRING = 129,
  INTERFACE_GET_XML_DESC = 130,
  NETWORK_IS_ACTIVE = 152,
  NETWORK_IS_PERSISTENT = 153,
  STORAGE_POOL_IS_ACTIVE = 154,
  STORAGE_POOL_IS_PERSISTENT = 155,
  INTERFACE_IS_ACTIVE = 156,
  STORAGE_VOL_WIPE = 165,
  STORAGE_VOL_RESIZE = 260,
  CONNECT_LIST_ALL_STORAGE_POOLS = 281,
  STORAGE_POOL_LIST_ALL_VOLUMES = 282,
  CONNECT_LIST_ALL_NETWORKS = 283,
  CONNECT_LIST_ALL_INTERFACES = 284,
  CONNECT_LIST_ALL_NODE_DEVICES = 285,
  CONNECT_NETWORK_EVENT_REGISTER_ANY = 313,
  CONNECT_NETWORK_EVENT_DEREGISTER_ANY = 314,
  /** MESSAGE */
  NETWORK_EVENT_LIFECYCLE = 315,
  NETWORK_GET_DHCP_LEASES = 341,
  CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY = 368,
  CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY = 369,
  /** MESSAGE */
  STORAGE_POOL_EVENT_LIFECYCLE = 370,
  /** MESSAGE */
  STORAGE_POOL_EVENT_REFRESH = 373,
}

/** remote_protocol.x list limits. */
export const REMOTE_NETWORK_LIST_MAX = 16384;
export const REMOTE_STORAGE_POOL_LIST_MAX = 16384;
export const REMOTE_STORAGE_VOL_LIST_MAX = 16384;
export const REMOTE_NODE_DEVICE_LIST_MAX = 65536;
export const REMOTE_NODE_DEVICE_CAPS_LIST_MAX = 65536;
export const REMOTE_INTERFACE_LIST_MAX = 16384;
export const REMOTE_NETWORK_DHCP_LEASES_MAX = 65536;

export const nonnullStoragePool: Codec<StoragePoolRef> = struct({ name: nonnullString, uuid: remoteUuid });
export const nonnullStorageVol: Codec<StorageVolRef> = struct({
  pool: nonnullString,
  name: nonnullString,
  key: nonnullString,
});
export const nonnullNodeDevice: Codec<NodeDeviceRef> = struct({ name: nonnullString });
export const nonnullInterface: Codec<InterfaceRef> = struct({ name: nonnullString, mac: nonnullString });

const net = struct({ net: nonnullNetwork });
const netFlags = struct({ net: nonnullNetwork, flags: uint });
const pool = struct({ pool: nonnullStoragePool });
const poolFlags = struct({ pool: nonnullStoragePool, flags: uint });
const vol = struct({ vol: nonnullStorageVol });
const volFlags = struct({ vol: nonnullStorageVol, flags: uint });
const iface = struct({ iface: nonnullInterface });
const name = struct({ name: nonnullString });
const xmlRet = struct({ xml: nonnullString });
const num = struct({ num: int });
const xmlFlags = struct({ xml: nonnullString, flags: uint });
const listAll = struct({ need_results: int, flags: uint });
const names = (max: number) => struct({ names: array(nonnullString, max) });

/** remote_storage_pool_get_info_ret (state is a uchar on the wire as an int). */
const poolInfo: Codec<StoragePoolInfo> = struct({
  state: intRange(0, 255),
  capacity: uhyper,
  allocation: uhyper,
  available: uhyper,
});
/** remote_storage_vol_get_info_ret */
const volInfo: Codec<StorageVolInfo> = struct({ type: intRange(-128, 127), capacity: uhyper, allocation: uhyper });

/** remote_network_dhcp_lease, named as the API's NetworkDHCPLease. */
const dhcpLease: Codec<NetworkDHCPLease> = struct({
  iface: nonnullString,
  expiryTime: hyper,
  type: int,
  mac: nonnullString,
  iaid: remoteString,
  ipaddr: nonnullString,
  prefix: uint,
  hostname: remoteString,
  clientid: remoteString,
}) as unknown as Codec<NetworkDHCPLease>;

const P = NetStoreProcedure;

/** The procedure table's network/storage/device/interface entries (lib/rpc/procedure-table.ts), by number. */
export const NETSTORE_PROCEDURES = {
  [P.CONNECT_LIST_DEFINED_NETWORKS]: call(
    { api: 'virConnectListDefinedNetworks', access: 'read', priority: 'high' },
    struct({ maxnames: int }),
    names(REMOTE_NETWORK_LIST_MAX),
  ),
  [P.CONNECT_LIST_NETWORKS]: call(
    { api: 'virConnectListNetworks', access: 'read', priority: 'high' },
    struct({ maxnames: int }),
    names(REMOTE_NETWORK_LIST_MAX),
  ),
  [P.NETWORK_CREATE]: call({ api: 'virNetworkCreate', access: 'write', priority: 'low' }, net, xdrVoid),
  [P.NETWORK_CREATE_XML]: call(
    { api: 'virNetworkCreateXML', access: 'write', priority: 'low' },
    struct({ xml: nonnullString }),
    net,
  ),
  [P.NETWORK_DEFINE_XML]: call(
    { api: 'virNetworkDefineXML', access: 'write', priority: 'high' },
    struct({ xml: nonnullString }),
    net,
  ),
  [P.NETWORK_DESTROY]: call({ api: 'virNetworkDestroy', access: 'write', priority: 'high' }, net, xdrVoid),
  [P.NETWORK_GET_XML_DESC]: call({ api: 'virNetworkGetXMLDesc', access: 'read', priority: 'high' }, netFlags, xmlRet),
  [P.NETWORK_GET_AUTOSTART]: call(
    { api: 'virNetworkGetAutostart', access: 'read', priority: 'high' },
    net,
    struct({ autostart: intBool }),
  ),
  [P.NETWORK_GET_BRIDGE_NAME]: call({ api: 'virNetworkGetBridgeName', access: 'read', priority: 'high' }, net, name),
  [P.NETWORK_LOOKUP_BY_NAME]: call({ api: 'virNetworkLookupByName', access: 'read', priority: 'high' }, name, net),
  [P.NETWORK_LOOKUP_BY_UUID]: call(
    { api: 'virNetworkLookupByUUID', access: 'read', priority: 'high' },
    struct({ uuid: remoteUuid }),
    net,
  ),
  [P.NETWORK_SET_AUTOSTART]: call(
    { api: 'virNetworkSetAutostart', access: 'write', priority: 'high' },
    struct({ net: nonnullNetwork, autostart: intBool }),
    xdrVoid,
  ),
  [P.NETWORK_UNDEFINE]: call({ api: 'virNetworkUndefine', access: 'write', priority: 'high' }, net, xdrVoid),
  [P.CONNECT_NUM_OF_DEFINED_NETWORKS]: call(
    { api: 'virConnectNumOfDefinedNetworks', access: 'read', priority: 'high' },
    xdrVoid,
    num,
  ),
  [P.CONNECT_NUM_OF_NETWORKS]: call({ api: 'virConnectNumOfNetworks', access: 'read', priority: 'high' }, xdrVoid, num),
  [P.CONNECT_NUM_OF_STORAGE_POOLS]: call(
    { api: 'virConnectNumOfStoragePools', access: 'read', priority: 'high' },
    xdrVoid,
    num,
  ),
  [P.CONNECT_LIST_STORAGE_POOLS]: call(
    { api: 'virConnectListStoragePools', access: 'read', priority: 'high' },
    struct({ maxnames: int }),
    names(REMOTE_STORAGE_POOL_LIST_MAX),
  ),
  [P.CONNECT_NUM_OF_DEFINED_STORAGE_POOLS]: call(
    { api: 'virConnectNumOfDefinedStoragePools', access: 'read', priority: 'high' },
    xdrVoid,
    num,
  ),
  [P.CONNECT_LIST_DEFINED_STORAGE_POOLS]: call(
    { api: 'virConnectListDefinedStoragePools', access: 'read', priority: 'high' },
    struct({ maxnames: int }),
    names(REMOTE_STORAGE_POOL_LIST_MAX),
  ),
  [P.STORAGE_POOL_CREATE_XML]: call(
    { api: 'virStoragePoolCreateXML', access: 'write', priority: 'low' },
    xmlFlags,
    pool,
  ),
  [P.STORAGE_POOL_DEFINE_XML]: call(
    { api: 'virStoragePoolDefineXML', access: 'write', priority: 'high' },
    xmlFlags,
    pool,
  ),
  [P.STORAGE_POOL_CREATE]: call({ api: 'virStoragePoolCreate', access: 'write', priority: 'low' }, poolFlags, xdrVoid),
  [P.STORAGE_POOL_BUILD]: call({ api: 'virStoragePoolBuild', access: 'write', priority: 'low' }, poolFlags, xdrVoid),
  [P.STORAGE_POOL_DESTROY]: call({ api: 'virStoragePoolDestroy', access: 'write', priority: 'high' }, pool, xdrVoid),
  [P.STORAGE_POOL_DELETE]: call({ api: 'virStoragePoolDelete', access: 'write', priority: 'low' }, poolFlags, xdrVoid),
  [P.STORAGE_POOL_UNDEFINE]: call({ api: 'virStoragePoolUndefine', access: 'write', priority: 'high' }, pool, xdrVoid),
  [P.STORAGE_POOL_REFRESH]: call(
    { api: 'virStoragePoolRefresh', access: 'write', priority: 'low' },
    poolFlags,
    xdrVoid,
  ),
  [P.STORAGE_POOL_LOOKUP_BY_NAME]: call(
    { api: 'virStoragePoolLookupByName', access: 'read', priority: 'high' },
    name,
    pool,
  ),
  [P.STORAGE_POOL_LOOKUP_BY_UUID]: call(
    { api: 'virStoragePoolLookupByUUID', access: 'read', priority: 'high' },
    struct({ uuid: remoteUuid }),
    pool,
  ),
  [P.STORAGE_POOL_LOOKUP_BY_VOLUME]: call(
    { api: 'virStoragePoolLookupByVolume', access: 'read', priority: 'high' },
    vol,
    pool,
  ),
  [P.STORAGE_POOL_GET_INFO]: call({ api: 'virStoragePoolGetInfo', access: 'read', priority: 'high' }, pool, poolInfo),
  [P.STORAGE_POOL_GET_XML_DESC]: call(
    { api: 'virStoragePoolGetXMLDesc', access: 'read', priority: 'high' },
    poolFlags,
    xmlRet,
  ),
  [P.STORAGE_POOL_GET_AUTOSTART]: call(
    { api: 'virStoragePoolGetAutostart', access: 'read', priority: 'high' },
    pool,
    struct({ autostart: intBool }),
  ),
  [P.STORAGE_POOL_SET_AUTOSTART]: call(
    { api: 'virStoragePoolSetAutostart', access: 'write', priority: 'high' },
    struct({ pool: nonnullStoragePool, autostart: intBool }),
    xdrVoid,
  ),
  [P.STORAGE_POOL_NUM_OF_VOLUMES]: call(
    { api: 'virStoragePoolNumOfVolumes', access: 'read', priority: 'high' },
    pool,
    num,
  ),
  [P.STORAGE_POOL_LIST_VOLUMES]: call(
    { api: 'virStoragePoolListVolumes', access: 'read', priority: 'high' },
    struct({ pool: nonnullStoragePool, maxnames: int }),
    names(REMOTE_STORAGE_VOL_LIST_MAX),
  ),
  [P.STORAGE_VOL_CREATE_XML]: call(
    { api: 'virStorageVolCreateXML', access: 'write', priority: 'low' },
    struct({ pool: nonnullStoragePool, xml: nonnullString, flags: uint }),
    vol,
  ),
  [P.STORAGE_VOL_DELETE]: call({ api: 'virStorageVolDelete', access: 'write', priority: 'low' }, volFlags, xdrVoid),
  [P.STORAGE_VOL_LOOKUP_BY_NAME]: call(
    { api: 'virStorageVolLookupByName', access: 'read', priority: 'high' },
    struct({ pool: nonnullStoragePool, name: nonnullString }),
    vol,
  ),
  [P.STORAGE_VOL_LOOKUP_BY_KEY]: call(
    { api: 'virStorageVolLookupByKey', access: 'read', priority: 'high' },
    struct({ key: nonnullString }),
    vol,
  ),
  [P.STORAGE_VOL_LOOKUP_BY_PATH]: call(
    { api: 'virStorageVolLookupByPath', access: 'read', priority: 'high' },
    struct({ path: nonnullString }),
    vol,
  ),
  [P.STORAGE_VOL_GET_INFO]: call({ api: 'virStorageVolGetInfo', access: 'read', priority: 'high' }, vol, volInfo),
  [P.STORAGE_VOL_GET_XML_DESC]: call(
    { api: 'virStorageVolGetXMLDesc', access: 'read', priority: 'high' },
    volFlags,
    xmlRet,
  ),
  [P.STORAGE_VOL_GET_PATH]: call({ api: 'virStorageVolGetPath', access: 'read', priority: 'high' }, vol, name),
  [P.NODE_NUM_OF_DEVICES]: call(
    { api: 'virNodeNumOfDevices', access: 'read', priority: 'high' },
    struct({ cap: remoteString, flags: uint }),
    num,
  ),
  [P.NODE_LIST_DEVICES]: call(
    { api: 'virNodeListDevices', access: 'read', priority: 'high' },
    struct({ cap: remoteString, maxnames: int, flags: uint }),
    names(REMOTE_NODE_DEVICE_LIST_MAX),
  ),
  [P.NODE_DEVICE_LOOKUP_BY_NAME]: call(
    { api: 'virNodeDeviceLookupByName', access: 'read', priority: 'high' },
    name,
    struct({ dev: nonnullNodeDevice }),
  ),
  [P.NODE_DEVICE_GET_XML_DESC]: call(
    { api: 'virNodeDeviceGetXMLDesc', access: 'read', priority: 'low' },
    struct({ name: nonnullString, flags: uint }),
    xmlRet,
  ),
  [P.NODE_DEVICE_GET_PARENT]: call(
    { api: 'virNodeDeviceGetParent', access: 'read', priority: 'high' },
    name,
    struct({ parentName: remoteString }),
  ),
  [P.NODE_DEVICE_NUM_OF_CAPS]: call({ api: 'virNodeDeviceNumOfCaps', access: 'read', priority: 'high' }, name, num),
  [P.NODE_DEVICE_LIST_CAPS]: call(
    { api: 'virNodeDeviceListCaps', access: 'read', priority: 'high' },
    struct({ name: nonnullString, maxnames: int }),
    names(REMOTE_NODE_DEVICE_CAPS_LIST_MAX),
  ),
  [P.STORAGE_VOL_CREATE_XML_FROM]: call(
    { api: 'virStorageVolCreateXMLFrom', access: 'write', priority: 'low' },
    struct({ pool: nonnullStoragePool, xml: nonnullString, clonevol: nonnullStorageVol, flags: uint }),
    vol,
  ),
  [P.INTERFACE_LOOKUP_BY_NAME]: call(
    { api: 'virInterfaceLookupByName', access: 'read', priority: 'high' },
    name,
    iface,
  ),
  [P.INTERFACE_LOOKUP_BY_MAC_STRING]: call(
    { api: 'virInterfaceLookupByMACString', access: 'read', priority: 'high' },
    struct({ mac: nonnullString }),
    iface,
  ),
  [P.INTERFACE_GET_XML_DESC]: call(
    { api: 'virInterfaceGetXMLDesc', access: 'read', priority: 'low' },
    struct({ iface: nonnullInterface, flags: uint }),
    xmlRet,
  ),
  [P.NETWORK_IS_ACTIVE]: call(
    { api: 'virNetworkIsActive', access: 'read', priority: 'high' },
    net,
    struct({ active: intBool }),
  ),
  [P.NETWORK_IS_PERSISTENT]: call(
    { api: 'virNetworkIsPersistent', access: 'read', priority: 'high' },
    net,
    struct({ persistent: intBool }),
  ),
  [P.STORAGE_POOL_IS_ACTIVE]: call(
    { api: 'virStoragePoolIsActive', access: 'read', priority: 'high' },
    pool,
    struct({ active: intBool }),
  ),
  [P.STORAGE_POOL_IS_PERSISTENT]: call(
    { api: 'virStoragePoolIsPersistent', access: 'read', priority: 'high' },
    pool,
    struct({ persistent: intBool }),
  ),
  [P.INTERFACE_IS_ACTIVE]: call(
    { api: 'virInterfaceIsActive', access: 'read', priority: 'high' },
    iface,
    struct({ active: intBool }),
  ),
  [P.STORAGE_VOL_WIPE]: call({ api: 'virStorageVolWipe', access: 'write', priority: 'low' }, volFlags, xdrVoid),
  [P.STORAGE_VOL_RESIZE]: call(
    { api: 'virStorageVolResize', access: 'write', priority: 'low' },
    struct({ vol: nonnullStorageVol, capacity: uhyper, flags: uint }),
    xdrVoid,
  ),
  [P.CONNECT_LIST_ALL_STORAGE_POOLS]: call(
    { api: 'virConnectListAllStoragePools', access: 'read', priority: 'high' },
    listAll,
    struct({ pools: array(nonnullStoragePool, REMOTE_STORAGE_POOL_LIST_MAX), ret: uint }),
  ),
  [P.STORAGE_POOL_LIST_ALL_VOLUMES]: call(
    { api: 'virStoragePoolListAllVolumes', access: 'read', priority: 'high' },
    struct({ pool: nonnullStoragePool, need_results: int, flags: uint }),
    struct({ vols: array(nonnullStorageVol, REMOTE_STORAGE_VOL_LIST_MAX), ret: uint }),
  ),
  [P.CONNECT_LIST_ALL_NETWORKS]: call(
    { api: 'virConnectListAllNetworks', access: 'read', priority: 'high' },
    listAll,
    struct({ nets: array(nonnullNetwork, REMOTE_NETWORK_LIST_MAX), ret: uint }),
  ),
  [P.CONNECT_LIST_ALL_INTERFACES]: call(
    { api: 'virConnectListAllInterfaces', access: 'read', priority: 'high' },
    listAll,
    struct({ ifaces: array(nonnullInterface, REMOTE_INTERFACE_LIST_MAX), ret: uint }),
  ),
  [P.CONNECT_LIST_ALL_NODE_DEVICES]: call(
    { api: 'virConnectListAllNodeDevices', access: 'read', priority: 'high' },
    listAll,
    struct({ devices: array(nonnullNodeDevice, REMOTE_NODE_DEVICE_LIST_MAX), ret: uint }),
  ),
  [P.CONNECT_NETWORK_EVENT_REGISTER_ANY]: call(
    { api: 'virConnectNetworkEventRegisterAny', access: 'read', priority: 'high' },
    struct({ eventID: int, net: optional(nonnullNetwork) }),
    struct({ callbackID: int }),
  ),
  [P.CONNECT_NETWORK_EVENT_DEREGISTER_ANY]: call(
    { api: 'virConnectNetworkEventDeregisterAny', access: 'read', priority: 'high' },
    struct({ callbackID: int }),
    xdrVoid,
  ),
  [P.NETWORK_GET_DHCP_LEASES]: call(
    { api: 'virNetworkGetDHCPLeases', access: 'read', priority: 'low' },
    struct({ net: nonnullNetwork, mac: remoteString, need_results: int, flags: uint }),
    struct({ leases: array(dhcpLease, REMOTE_NETWORK_DHCP_LEASES_MAX), ret: uint }),
  ),
  [P.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY]: call(
    { api: 'virConnectStoragePoolEventRegisterAny', access: 'read', priority: 'high' },
    struct({ eventID: int, pool: optional(nonnullStoragePool) }),
    struct({ callbackID: int }),
  ),
  [P.CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY]: call(
    { api: 'virConnectStoragePoolEventDeregisterAny', access: 'read', priority: 'high' },
    struct({ callbackID: int }),
    xdrVoid,
  ),
  // Event messages (type MESSAGE), routed by callbackID.
  [P.NETWORK_EVENT_LIFECYCLE]: event(
    'virConnectNetworkEventLifecycleCallback',
    struct({ callbackID: int, net: nonnullNetwork, event: int, detail: int }),
  ),
  [P.STORAGE_POOL_EVENT_LIFECYCLE]: event(
    'virConnectStoragePoolEventLifecycleCallback',
    struct({ callbackID: int, pool: nonnullStoragePool, event: int, detail: int }),
  ),
  [P.STORAGE_POOL_EVENT_REFRESH]: event(
    'virConnectStoragePoolEventGenericCallback',
    struct({ callbackID: int, pool: nonnullStoragePool }),
  ),
} satisfies Table;

/** Event message bodies by number. */
export const NETSTORE_EVENT_MESSAGES = eventBodiesOf(NETSTORE_PROCEDURES);
