/** xvirt's public API. */
export { connect, Connection, Domain, DEFAULT_URI } from './connection';
export type { LifecycleEvent, LifecycleListener } from './connection';
export { LifecycleEventStream } from './event-stream';
export { XvirtError, ErrorNumber, ErrorDomain, ErrorLevel, isXvirtError } from './errors';
export * from './constants';
export type { DomainInfo, DomainStateInfo, DomainRef, NodeInfo, OpenOptions } from './types';
export { parseUri, formatUri } from './uri';
export type { ConnectionUri } from './uri';
export { XVIRT_VERSION, XVIRT_LIB_VERSION } from './version';
