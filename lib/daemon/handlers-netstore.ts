/**
 * Network, storage pool/volume, node device and host interface procedures.
 * Objects travel by identity (name and UUID; a volume by pool, name and key)
 * as libvirtd's virGetNetwork/virGetStoragePool/virGetStorageVol send them;
 * the driver resolves them on each call. Writes are refused on read-only
 * sockets by the dispatcher before anything runs.
 */
import { HostInterface, NodeDevice } from '../host-devices';
import { Network } from '../network';
import { NetStoreProcedure as P } from '../rpc/netstore-procedures';
import { StoragePool, StorageVolume } from '../storage';
import type { InterfaceRef, NetworkRef, StoragePoolRef, StorageVolRef } from '../netstore-types';
import type { HandlerTable, SessionControl } from './dispatch';

const network = (s: SessionControl, ref: NetworkRef): Network => new Network(s.conn(), ref);
const pool = (s: SessionControl, ref: StoragePoolRef): StoragePool => new StoragePool(s.conn(), ref);
const vol = (s: SessionControl, ref: StorageVolRef): StorageVolume => new StorageVolume(s.conn(), ref);
const iface = (s: SessionControl, ref: InterfaceRef): HostInterface => new HostInterface(s.conn(), ref);
const dev = (s: SessionControl, name: string): NodeDevice => new NodeDevice(s.conn(), { name });

/** The old name-list calls, answered from the list-all call (at most `max` names). */
const first = (names: string[], max: number): { names: string[] } => ({ names: names.slice(0, Math.max(0, max)) });

export const NETWORK_HANDLERS: HandlerTable = {
  [P.CONNECT_LIST_ALL_NETWORKS]: {
    run: async (s, a) => {
      const nets = (await s.conn().listAllNetworks(a.flags)).map((n) => n.ref);
      return { nets: a.need_results ? nets : [], ret: nets.length };
    },
  },
  [P.CONNECT_NUM_OF_NETWORKS]: {
    run: async (s) => ({ num: (await s.conn().listAllNetworks(2)).length }),
  },
  [P.CONNECT_NUM_OF_DEFINED_NETWORKS]: {
    run: async (s) => ({ num: (await s.conn().listAllNetworks(1)).length }),
  },
  [P.CONNECT_LIST_NETWORKS]: {
    run: async (s, a) =>
      first(
        (await s.conn().listAllNetworks(2)).map((n) => n.name),
        a.maxnames,
      ),
  },
  [P.CONNECT_LIST_DEFINED_NETWORKS]: {
    run: async (s, a) =>
      first(
        (await s.conn().listAllNetworks(1)).map((n) => n.name),
        a.maxnames,
      ),
  },
  [P.NETWORK_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ net: (await s.conn().lookupNetworkByName(a.name)).ref }),
  },
  [P.NETWORK_LOOKUP_BY_UUID]: {
    run: async (s, a) => ({ net: (await s.conn().lookupNetworkByUUID(a.uuid)).ref }),
  },
  [P.NETWORK_DEFINE_XML]: {
    run: async (s, a) => ({ net: (await s.conn().defineNetworkXML(a.xml)).ref }),
  },
  [P.NETWORK_CREATE_XML]: {
    run: async (s, a) => ({ net: (await s.conn().createNetworkXML(a.xml)).ref }),
  },
  [P.NETWORK_CREATE]: { run: (s, a) => network(s, a.net).create() },
  [P.NETWORK_DESTROY]: { run: (s, a) => network(s, a.net).destroy() },
  [P.NETWORK_UNDEFINE]: { run: (s, a) => network(s, a.net).undefine() },
  [P.NETWORK_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await network(s, a.net).getXMLDesc(a.flags) }),
  },
  [P.NETWORK_IS_ACTIVE]: {
    run: async (s, a) => ({ active: await network(s, a.net).isActive() }),
  },
  [P.NETWORK_IS_PERSISTENT]: {
    run: async (s, a) => ({ persistent: await network(s, a.net).isPersistent() }),
  },
  [P.NETWORK_GET_AUTOSTART]: {
    run: async (s, a) => ({ autostart: await network(s, a.net).getAutostart() }),
  },
  [P.NETWORK_SET_AUTOSTART]: {
    run: (s, a) => network(s, a.net).setAutostart(a.autostart),
  },
  [P.NETWORK_GET_BRIDGE_NAME]: {
    run: async (s, a) => ({ name: await network(s, a.net).getBridgeName() }),
  },
  [P.NETWORK_GET_DHCP_LEASES]: {
    run: async (s, a) => {
      const leases = await network(s, a.net).getDHCPLeases(a.mac, a.flags);
      return { leases: a.need_results ? leases : [], ret: leases.length };
    },
  },
  [P.CONNECT_NETWORK_EVENT_REGISTER_ANY]: {
    run: async (s, a) => ({
      callbackID: await s.netstoreEvents.register(s.conn(), 'network', a.eventID, a.net?.uuid ?? null),
    }),
  },
  [P.CONNECT_NETWORK_EVENT_DEREGISTER_ANY]: {
    run: (s, a) => s.netstoreEvents.deregister(s.conn(), 'network', a.callbackID),
  },
};

export const STORAGE_HANDLERS: HandlerTable = {
  [P.CONNECT_LIST_ALL_STORAGE_POOLS]: {
    run: async (s, a) => {
      const pools = (await s.conn().listAllStoragePools(a.flags)).map((p) => p.ref);
      return { pools: a.need_results ? pools : [], ret: pools.length };
    },
  },
  [P.CONNECT_NUM_OF_STORAGE_POOLS]: {
    run: async (s) => ({ num: (await s.conn().listAllStoragePools(2)).length }),
  },
  [P.CONNECT_NUM_OF_DEFINED_STORAGE_POOLS]: {
    run: async (s) => ({ num: (await s.conn().listAllStoragePools(1)).length }),
  },
  [P.CONNECT_LIST_STORAGE_POOLS]: {
    run: async (s, a) =>
      first(
        (await s.conn().listAllStoragePools(2)).map((p) => p.name),
        a.maxnames,
      ),
  },
  [P.CONNECT_LIST_DEFINED_STORAGE_POOLS]: {
    run: async (s, a) =>
      first(
        (await s.conn().listAllStoragePools(1)).map((p) => p.name),
        a.maxnames,
      ),
  },
  [P.STORAGE_POOL_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ pool: (await s.conn().lookupStoragePoolByName(a.name)).ref }),
  },
  [P.STORAGE_POOL_LOOKUP_BY_UUID]: {
    run: async (s, a) => ({ pool: (await s.conn().lookupStoragePoolByUUID(a.uuid)).ref }),
  },
  [P.STORAGE_POOL_LOOKUP_BY_VOLUME]: {
    run: async (s, a) => ({ pool: (await vol(s, a.vol).getPool()).ref }),
  },
  [P.STORAGE_POOL_DEFINE_XML]: {
    run: async (s, a) => ({ pool: (await s.conn().defineStoragePoolXML(a.xml, a.flags)).ref }),
  },
  [P.STORAGE_POOL_CREATE_XML]: {
    run: async (s, a) => ({ pool: (await s.conn().createStoragePoolXML(a.xml, a.flags)).ref }),
  },
  [P.STORAGE_POOL_BUILD]: { run: (s, a) => pool(s, a.pool).build(a.flags) },
  [P.STORAGE_POOL_CREATE]: { run: (s, a) => pool(s, a.pool).create(a.flags) },
  [P.STORAGE_POOL_DESTROY]: { run: (s, a) => pool(s, a.pool).destroy() },
  [P.STORAGE_POOL_DELETE]: { run: (s, a) => pool(s, a.pool).delete(a.flags) },
  [P.STORAGE_POOL_UNDEFINE]: { run: (s, a) => pool(s, a.pool).undefine() },
  [P.STORAGE_POOL_REFRESH]: {
    run: (s, a) => pool(s, a.pool).refresh(a.flags),
  },
  [P.STORAGE_POOL_GET_INFO]: { run: (s, a) => pool(s, a.pool).getInfo() },
  [P.STORAGE_POOL_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await pool(s, a.pool).getXMLDesc(a.flags) }),
  },
  [P.STORAGE_POOL_IS_ACTIVE]: {
    run: async (s, a) => ({ active: await pool(s, a.pool).isActive() }),
  },
  [P.STORAGE_POOL_IS_PERSISTENT]: {
    run: async (s, a) => ({ persistent: await pool(s, a.pool).isPersistent() }),
  },
  [P.STORAGE_POOL_GET_AUTOSTART]: {
    run: async (s, a) => ({ autostart: await pool(s, a.pool).getAutostart() }),
  },
  [P.STORAGE_POOL_SET_AUTOSTART]: {
    run: (s, a) => pool(s, a.pool).setAutostart(a.autostart),
  },
  [P.STORAGE_POOL_LIST_ALL_VOLUMES]: {
    run: async (s, a) => {
      const vols = (await pool(s, a.pool).listAllVolumes(a.flags)).map((v) => v.ref);
      return { vols: a.need_results ? vols : [], ret: vols.length };
    },
  },
  [P.STORAGE_POOL_NUM_OF_VOLUMES]: {
    run: async (s, a) => ({ num: (await pool(s, a.pool).listAllVolumes()).length }),
  },
  [P.STORAGE_POOL_LIST_VOLUMES]: {
    run: async (s, a) =>
      first(
        (await pool(s, a.pool).listAllVolumes()).map((v) => v.name),
        a.maxnames,
      ),
  },
  [P.STORAGE_VOL_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ vol: (await pool(s, a.pool).lookupVolumeByName(a.name)).ref }),
  },
  [P.STORAGE_VOL_LOOKUP_BY_KEY]: {
    run: async (s, a) => ({ vol: (await s.conn().lookupStorageVolumeByKey(a.key)).ref }),
  },
  [P.STORAGE_VOL_LOOKUP_BY_PATH]: {
    run: async (s, a) => ({ vol: (await s.conn().lookupStorageVolumeByPath(a.path)).ref }),
  },
  [P.STORAGE_VOL_CREATE_XML]: {
    run: async (s, a) => ({ vol: (await pool(s, a.pool).createVolumeXML(a.xml, a.flags)).ref }),
  },
  [P.STORAGE_VOL_CREATE_XML_FROM]: {
    run: async (s, a) => ({ vol: (await pool(s, a.pool).createVolumeXMLFrom(a.xml, vol(s, a.clonevol), a.flags)).ref }),
  },
  [P.STORAGE_VOL_DELETE]: { run: (s, a) => vol(s, a.vol).delete(a.flags) },
  [P.STORAGE_VOL_WIPE]: { run: (s, a) => vol(s, a.vol).wipe(a.flags) },
  [P.STORAGE_VOL_RESIZE]: {
    run: (s, a) => vol(s, a.vol).resize(a.capacity, a.flags),
  },
  [P.STORAGE_VOL_GET_INFO]: { run: (s, a) => vol(s, a.vol).getInfo() },
  [P.STORAGE_VOL_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await vol(s, a.vol).getXMLDesc(a.flags) }),
  },
  [P.STORAGE_VOL_GET_PATH]: {
    run: async (s, a) => ({ name: await vol(s, a.vol).getPath() }),
  },
  [P.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY]: {
    run: async (s, a) => ({
      callbackID: await s.netstoreEvents.register(s.conn(), 'pool', a.eventID, a.pool?.uuid ?? null),
    }),
  },
  [P.CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY]: {
    run: (s, a) => s.netstoreEvents.deregister(s.conn(), 'pool', a.callbackID),
  },
};

export const HOST_DEVICE_HANDLERS: HandlerTable = {
  [P.CONNECT_LIST_ALL_NODE_DEVICES]: {
    run: async (s, a) => {
      const devices = (await s.conn().listAllNodeDevices(a.flags)).map((d) => d.ref);
      return { devices: a.need_results ? devices : [], ret: devices.length };
    },
  },
  [P.NODE_NUM_OF_DEVICES]: {
    run: async (s, a) => ({ num: (await devicesWithCap(s, a.cap, a.flags)).length }),
  },
  [P.NODE_LIST_DEVICES]: {
    run: async (s, a) => first(await devicesWithCap(s, a.cap, a.flags), a.maxnames),
  },
  [P.NODE_DEVICE_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ dev: (await s.conn().lookupNodeDeviceByName(a.name)).ref }),
  },
  [P.NODE_DEVICE_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await dev(s, a.name).getXMLDesc(a.flags) }),
  },
  [P.NODE_DEVICE_GET_PARENT]: {
    run: async (s, a) => ({ parentName: await dev(s, a.name).getParent() }),
  },
  [P.NODE_DEVICE_NUM_OF_CAPS]: {
    run: async (s, a) => ({ num: (await dev(s, a.name).listCaps()).length }),
  },
  [P.NODE_DEVICE_LIST_CAPS]: {
    run: async (s, a) => first(await dev(s, a.name).listCaps(), a.maxnames),
  },
  [P.CONNECT_LIST_ALL_INTERFACES]: {
    run: async (s, a) => {
      const ifaces = (await s.conn().listAllInterfaces(a.flags)).map((i) => i.ref);
      return { ifaces: a.need_results ? ifaces : [], ret: ifaces.length };
    },
  },
  [P.INTERFACE_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ iface: (await s.conn().lookupInterfaceByName(a.name)).ref }),
  },
  [P.INTERFACE_LOOKUP_BY_MAC_STRING]: {
    run: async (s, a) => ({ iface: (await s.conn().lookupInterfaceByMACString(a.mac)).ref }),
  },
  [P.INTERFACE_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await iface(s, a.iface).getXMLDesc(a.flags) }),
  },
  [P.INTERFACE_IS_ACTIVE]: {
    run: async (s, a) => ({ active: await iface(s, a.iface).isActive() }),
  },
};

/** The names of the devices with capability `cap` (all with null), via the list-all call's capability filter. */
async function devicesWithCap(s: SessionControl, cap: string | null, flags: number): Promise<string[]> {
  const all = await s.conn().listAllNodeDevices(flags);
  if (cap === null) return all.map((d) => d.name);
  const caps = await Promise.all(all.map((d) => d.listCaps()));
  return all.filter((_, i) => caps[i]!.includes(cap)).map((d) => d.name);
}
