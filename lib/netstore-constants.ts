/** libvirt's enums and flags for networks, storage, node devices and host interfaces, with libvirt's numbers. */

/** virConnectListAllNetworksFlags */
export enum ListNetworksFlags {
  INACTIVE = 1,
  ACTIVE = 2,
  PERSISTENT = 4,
  TRANSIENT = 8,
  AUTOSTART = 16,
  NO_AUTOSTART = 32,
}
export const LIST_NETWORKS_FILTERS_ALL = 0x3f;

/** virConnectListAllStoragePoolsFlags: the state filters and one bit per pool type. */
export enum ListStoragePoolsFlags {
  INACTIVE = 1,
  ACTIVE = 2,
  PERSISTENT = 4,
  TRANSIENT = 8,
  AUTOSTART = 16,
  NO_AUTOSTART = 32,
  DIR = 64,
  FS = 128,
  NETFS = 256,
  LOGICAL = 512,
  DISK = 1024,
  ISCSI = 2048,
  SCSI = 4096,
  MPATH = 8192,
  RBD = 16384,
  SHEEPDOG = 32768,
  GLUSTER = 65536,
  ZFS = 131072,
  VSTORAGE = 262144,
  ISCSI_DIRECT = 524288,
}
export const LIST_STORAGE_POOLS_FILTERS_ALL = 0xfffff;

/** virConnectListAllInterfacesFlags */
export enum ListInterfacesFlags {
  INACTIVE = 1,
  ACTIVE = 2,
}

/** virConnectListAllNodeDeviceFlags: capability bits 0-21, then INACTIVE/ACTIVE. */
export enum ListNodeDevicesFlags {
  CAP_SYSTEM = 1,
  CAP_PCI_DEV = 2,
  CAP_USB_DEV = 4,
  CAP_USB_INTERFACE = 8,
  CAP_NET = 16,
  CAP_SCSI_HOST = 32,
  CAP_SCSI_TARGET = 64,
  CAP_SCSI = 128,
  CAP_STORAGE = 256,
  CAP_FC_HOST = 512,
  CAP_VPORTS = 1024,
  CAP_SCSI_GENERIC = 2048,
  CAP_DRM = 4096,
  CAP_MDEV_TYPES = 8192,
  CAP_MDEV = 16384,
  CAP_CCW_DEV = 32768,
  CAP_CSS_DEV = 65536,
  CAP_VDPA = 131072,
  CAP_AP_CARD = 262144,
  CAP_AP_QUEUE = 524288,
  CAP_AP_MATRIX = 1048576,
  CAP_VPD = 2097152,
  INACTIVE = 1 << 30,
}
/** Every capability bit (libvirt's VIR_CONNECT_LIST_NODE_DEVICES_FILTERS_CAP). */
export const LIST_NODE_DEVICES_FILTERS_CAP = (1 << 22) - 1;

/** virNetworkEventLifecycleType */
export enum NetworkEventType {
  DEFINED = 0,
  UNDEFINED = 1,
  STARTED = 2,
  STOPPED = 3,
}

/** virStoragePoolEventLifecycleType */
export enum StoragePoolEventType {
  DEFINED = 0,
  UNDEFINED = 1,
  STARTED = 2,
  STOPPED = 3,
  CREATED = 4,
  DELETED = 5,
}

/** virStoragePoolEventID: lifecycle changes and refreshes are separate registrations. */
export enum StoragePoolEventId {
  LIFECYCLE = 0,
  REFRESH = 1,
}

/** virStoragePoolState */
export enum StoragePoolState {
  INACTIVE = 0,
  BUILDING = 1,
  RUNNING = 2,
  DEGRADED = 3,
  INACCESSIBLE = 4,
}

/** virStorageVolType */
export enum StorageVolType {
  FILE = 0,
  BLOCK = 1,
  DIR = 2,
  NETWORK = 3,
  NETDIR = 4,
  PLOOP = 5,
}

/** virStorageVolResizeFlags */
export enum StorageVolResizeFlags {
  ALLOCATE = 1,
  DELTA = 2,
  SHRINK = 4,
}

/** virsh's words for pool states (pool-list/pool-info). */
export function storagePoolStateName(state: StoragePoolState): string {
  return ['inactive', 'building', 'running', 'degraded', 'inaccessible'][state] ?? 'unknown';
}

/** virsh's words for volume types (vol-list --details/vol-info). */
export function storageVolTypeName(type: StorageVolType): string {
  return ['file', 'block', 'dir', 'network', 'netdir', 'ploop'][type] ?? 'unknown';
}
