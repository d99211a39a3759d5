/// <reference types="node" preserve="true" />
// The public types name Node.js types (AbortSignal, streams): @types/node is a dependency.
/** xvirt's public API. */
export { connect, Connection, Domain, DEFAULT_URI } from './connection';
export type { LifecycleEvent, LifecycleListener } from './connection';
export { LifecycleEventStream } from './event-stream';
export { XvirtError, ErrorNumber, ErrorDomain, ErrorLevel, isXvirtError } from './errors';
export * from './constants';
export type { DomainInfo, DomainStateInfo, DomainRef, NodeInfo, OpenOptions } from './types';
export type {
  BlockStats,
  DomainStatsRecord,
  InterfaceStats,
  MemoryStat,
  NodeCPUMap,
  NodeStat,
  VcpuInfo,
} from './types';
export type { DomainStats } from './monitoring';
export { TypedParamType, findParam } from './typed-params';
export type { TypedParam } from './typed-params';
/** Extra open options for remote URIs (keepalive, SASL credentials): pass them to connect(). */
export type { RemoteOpenOptions, KeepaliveSettings } from './drivers/remote';
export { parseUri, formatUri } from './uri';
export type { ConnectionUri } from './uri';
export { XVIRT_VERSION, XVIRT_LIB_VERSION, LIBVIRT_PROTOCOL_VERSION } from './version';
export { Network } from './network';
export { StoragePool, StorageVolume } from './storage';
export { NodeDevice, HostInterface } from './host-devices';
export type { NetworkLifecycleEvent, StoragePoolLifecycleEvent } from './netstore-connection';
export * from './netstore-constants';
export type {
  NetworkRef,
  StoragePoolRef,
  StorageVolRef,
  NodeDeviceRef,
  InterfaceRef,
  StoragePoolInfo,
  StorageVolInfo,
  NetworkDHCPLease,
} from './netstore-types';
