/**
 * REMOTE_PROGRAM procedures xvirt speaks: libvirt's numbers (append-only,
 * never reused) with their argument and result types, and the event
 * messages. Field order is the wire order; field names follow the API types
 * where the wire struct maps onto one (DomainInfo, NodeInfo), libvirt's
 * otherwise. Add procedures at will; never change an existing entry.
 */
import type { DomainInfo, NodeInfo } from '../types';
import { NETSTORE_PROCEDURES, NetStoreProcedure } from './netstore-procedures';
import * as S from './stats-codecs';
import { AUTH_SASL_INIT, AUTH_SASL_START, AUTH_SASL_STEP } from '../auth/sasl-protocol';
import {
  AuthType, nonnullDomain, nonnullString, remoteDomain, remoteString, remoteUuid, REMOTE_AUTH_TYPE_LIST_MAX,
  REMOTE_DOMAIN_ID_LIST_MAX, REMOTE_DOMAIN_LIST_MAX, REMOTE_DOMAIN_MESSAGES_MAX, REMOTE_DOMAIN_NAME_LIST_MAX,
  REMOTE_NODE_MODEL_SIZE, REMOTE_SECURITY_LABEL_MAX, REMOTE_SECURITY_MODEL_MAX,
} from './protocol';
import {
  array, charArrayFixed, charArrayVar, enumOf, int, intBool, intRange, struct, uhyper, uhyperNumber, uint, xdrVoid,
  type Codec, type CodecType,
} from './xdr';

/** remote_procedure: libvirt's numbers. */
export enum RemoteProcedure {
  CONNECT_OPEN = 1,
  CONNECT_CLOSE = 2,
  CONNECT_GET_TYPE = 3,
  CONNECT_GET_VERSION = 4,
  CONNECT_GET_MAX_VCPUS = 5,
  NODE_GET_INFO = 6,
  CONNECT_GET_CAPABILITIES = 7,
  DOMAIN_CREATE = 9,
  DOMAIN_CREATE_XML = 10,
  DOMAIN_DEFINE_XML = 11,
  DOMAIN_DESTROY = 12,
  DOMAIN_GET_XML_DESC = 14,
  DOMAIN_GET_AUTOSTART = 15,
  DOMAIN_GET_INFO = 16,
  DOMAIN_GET_MAX_MEMORY = 17,
  DOMAIN_GET_MAX_VCPUS = 18,
  DOMAIN_GET_OS_TYPE = 19,
  DOMAIN_GET_VCPUS = 20,
  CONNECT_LIST_DEFINED_DOMAINS = 21,
  DOMAIN_LOOKUP_BY_ID = 22,
  DOMAIN_LOOKUP_BY_NAME = 23,
  DOMAIN_LOOKUP_BY_UUID = 24,
  CONNECT_NUM_OF_DEFINED_DOMAINS = 25,
  DOMAIN_REBOOT = 27,
  DOMAIN_RESUME = 28,
  DOMAIN_SET_AUTOSTART = 29,
  DOMAIN_SET_MAX_MEMORY = 30,
  DOMAIN_SET_MEMORY = 31,
  DOMAIN_SET_VCPUS = 32,
  DOMAIN_SHUTDOWN = 33,
  DOMAIN_SUSPEND = 34,
  DOMAIN_UNDEFINE = 35,
  CONNECT_LIST_DOMAINS = 37,
  DOMAIN_BLOCK_STATS = 64,
  DOMAIN_INTERFACE_STATS = 65,
  CONNECT_NUM_OF_DOMAINS = 51,
  CONNECT_GET_HOSTNAME = 59,
  CONNECT_SUPPORTS_FEATURE = 60,
  AUTH_LIST = 66,
  AUTH_SASL_INIT = 67,
  AUTH_SASL_START = 68,
  AUTH_SASL_STEP = 69,
  NODE_GET_CELLS_FREE_MEMORY = 101,
  NODE_GET_FREE_MEMORY = 102,
  CONNECT_DOMAIN_EVENT_REGISTER = 105,
  CONNECT_DOMAIN_EVENT_DEREGISTER = 106,
  /** MESSAGE (legacy, no callback id). */
  DOMAIN_EVENT_LIFECYCLE = 107,
  CONNECT_GET_URI = 110,
  DOMAIN_GET_SECURITY_LABEL = 121,
  NODE_GET_SECURITY_MODEL = 122,
  CONNECT_IS_SECURE = 149,
  DOMAIN_IS_ACTIVE = 150,
  DOMAIN_IS_PERSISTENT = 151,
  CONNECT_GET_LIB_VERSION = 157,
  DOMAIN_MEMORY_STATS = 159,
  CONNECT_DOMAIN_EVENT_REGISTER_ANY = 167,
  CONNECT_DOMAIN_EVENT_DEREGISTER_ANY = 168,
  DOMAIN_HAS_MANAGED_SAVE_IMAGE = 183,
  DOMAIN_SNAPSHOT_NUM = 187,
  DOMAIN_CREATE_WITH_FLAGS = 196,
  DOMAIN_SET_VCPUS_FLAGS = 199,
  DOMAIN_GET_VCPUS_FLAGS = 200,
  DOMAIN_SET_MEMORY_FLAGS = 204,
  DOMAIN_GET_STATE = 212,
  NODE_GET_CPU_STATS = 227,
  NODE_GET_MEMORY_STATS = 228,
  DOMAIN_UNDEFINE_FLAGS = 231,
  DOMAIN_DESTROY_FLAGS = 234,
  DOMAIN_BLOCK_STATS_FLAGS = 243,
  DOMAIN_SHUTDOWN_FLAGS = 258,
  DOMAIN_GET_CPU_STATS = 262,
  CONNECT_LIST_ALL_DOMAINS = 273,
  NODE_GET_CPU_MAP = 293,
  CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = 316,
  CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY = 317,
  /** MESSAGE, routed by callbackID. */
  DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
  CONNECT_GET_ALL_DOMAIN_STATS = 344,
  DOMAIN_DEFINE_XML_FLAGS = 350,
  CONNECT_REGISTER_CLOSE_CALLBACK = 360,
  CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
  /** MESSAGE */
  CONNECT_EVENT_CONNECTION_CLOSED = 362,
  DOMAIN_GET_MESSAGES = 426,
}

export interface ProcedureSpec<A = unknown, R = unknown> {
  args: Codec<A>;
  ret: Codec<R>;
}

const spec = <A, R>(args: Codec<A>, ret: Codec<R>): ProcedureSpec<A, R> => ({ args, ret });

const dom = struct({ dom: nonnullDomain });
const domFlags = struct({ dom: nonnullDomain, flags: uint });
const retDom = struct({ dom: nonnullDomain });
const num = struct({ num: int });

/** remote_domain_get_info_ret, named as the API's DomainInfo (uchar/ushort travel as 4 bytes). */
const domainInfo: Codec<DomainInfo> = struct({
  state: intRange(0, 255),
  maxMemKiB: uhyperNumber,
  memoryKiB: uhyperNumber,
  nrVirtCpu: intRange(0, 65535),
  cpuTimeNs: uhyper,
});

/** remote_node_get_info_ret, named as the API's NodeInfo. */
const nodeInfo: Codec<NodeInfo> = struct({
  model: charArrayFixed(REMOTE_NODE_MODEL_SIZE),
  memoryKiB: uhyperNumber,
  cpus: int,
  mhz: int,
  nodes: int,
  sockets: int,
  cores: int,
  threads: int,
});

/** Every procedure xvirt sends or serves, by number. */
export const PROCEDURES = {
  // Networks, storage, node devices and interfaces: lib/rpc/netstore-procedures.ts.
  ...NETSTORE_PROCEDURES,
  [RemoteProcedure.CONNECT_OPEN]: spec(struct({ name: remoteString, flags: uint }), xdrVoid),
  [RemoteProcedure.CONNECT_CLOSE]: spec(xdrVoid, xdrVoid),
  [RemoteProcedure.CONNECT_GET_TYPE]: spec(xdrVoid, struct({ type: nonnullString })),
  [RemoteProcedure.CONNECT_GET_VERSION]: spec(xdrVoid, struct({ hv_ver: uhyperNumber })),
  [RemoteProcedure.CONNECT_GET_MAX_VCPUS]: spec(struct({ type: remoteString }), struct({ max_vcpus: int })),
  [RemoteProcedure.NODE_GET_INFO]: spec(xdrVoid, nodeInfo),
  [RemoteProcedure.CONNECT_GET_CAPABILITIES]: spec(xdrVoid, struct({ capabilities: nonnullString })),
  [RemoteProcedure.DOMAIN_CREATE]: spec(dom, xdrVoid),
  [RemoteProcedure.DOMAIN_CREATE_XML]: spec(struct({ xml_desc: nonnullString, flags: uint }), retDom),
  [RemoteProcedure.DOMAIN_DEFINE_XML]: spec(struct({ xml: nonnullString }), retDom),
  [RemoteProcedure.DOMAIN_DESTROY]: spec(dom, xdrVoid),
  [RemoteProcedure.DOMAIN_GET_XML_DESC]: spec(domFlags, struct({ xml: nonnullString })),
  [RemoteProcedure.DOMAIN_GET_AUTOSTART]: spec(dom, struct({ autostart: intBool })),
  [RemoteProcedure.DOMAIN_GET_INFO]: spec(dom, domainInfo),
  [RemoteProcedure.DOMAIN_GET_MAX_MEMORY]: spec(dom, struct({ memory: uhyperNumber })),
  [RemoteProcedure.DOMAIN_GET_MAX_VCPUS]: spec(dom, num),
  [RemoteProcedure.DOMAIN_GET_OS_TYPE]: spec(dom, struct({ type: nonnullString })),
  [RemoteProcedure.CONNECT_LIST_DEFINED_DOMAINS]: spec(struct({ maxnames: int }), struct({ names: array(nonnullString, REMOTE_DOMAIN_NAME_LIST_MAX) })),
  [RemoteProcedure.DOMAIN_LOOKUP_BY_ID]: spec(struct({ id: int }), retDom),
  [RemoteProcedure.DOMAIN_LOOKUP_BY_NAME]: spec(struct({ name: nonnullString }), retDom),
  [RemoteProcedure.DOMAIN_LOOKUP_BY_UUID]: spec(struct({ uuid: remoteUuid }), retDom),
  [RemoteProcedure.CONNECT_NUM_OF_DEFINED_DOMAINS]: spec(xdrVoid, num),
  [RemoteProcedure.DOMAIN_REBOOT]: spec(domFlags, xdrVoid),
  [RemoteProcedure.DOMAIN_RESUME]: spec(dom, xdrVoid),
  [RemoteProcedure.DOMAIN_SET_AUTOSTART]: spec(struct({ dom: nonnullDomain, autostart: intBool }), xdrVoid),
  [RemoteProcedure.DOMAIN_SET_MAX_MEMORY]: spec(struct({ dom: nonnullDomain, memory: uhyperNumber }), xdrVoid),
  [RemoteProcedure.DOMAIN_SET_MEMORY]: spec(struct({ dom: nonnullDomain, memory: uhyperNumber }), xdrVoid),
  [RemoteProcedure.DOMAIN_SET_VCPUS]: spec(struct({ dom: nonnullDomain, nvcpus: uint }), xdrVoid),
  [RemoteProcedure.DOMAIN_SHUTDOWN]: spec(dom, xdrVoid),
  [RemoteProcedure.DOMAIN_SUSPEND]: spec(dom, xdrVoid),
  [RemoteProcedure.DOMAIN_UNDEFINE]: spec(dom, xdrVoid),
  [RemoteProcedure.CONNECT_LIST_DOMAINS]: spec(struct({ maxids: int }), struct({ ids: array(int, REMOTE_DOMAIN_ID_LIST_MAX) })),
  [RemoteProcedure.CONNECT_NUM_OF_DOMAINS]: spec(xdrVoid, num),
  [RemoteProcedure.CONNECT_GET_HOSTNAME]: spec(xdrVoid, struct({ hostname: nonnullString })),
  [RemoteProcedure.CONNECT_SUPPORTS_FEATURE]: spec(struct({ feature: int }), struct({ supported: intBool })),
  [RemoteProcedure.AUTH_LIST]: spec(xdrVoid, struct({
    types: array(enumOf('remote_auth_type', [AuthType.NONE, AuthType.SASL, AuthType.POLKIT]), REMOTE_AUTH_TYPE_LIST_MAX),
  })),
  // SASL data is char<65536> (4 wire bytes per byte); the codecs live with the SASL code.
  [RemoteProcedure.AUTH_SASL_INIT]: AUTH_SASL_INIT,
  [RemoteProcedure.AUTH_SASL_START]: AUTH_SASL_START,
  [RemoteProcedure.AUTH_SASL_STEP]: AUTH_SASL_STEP,
  [RemoteProcedure.NODE_GET_CELLS_FREE_MEMORY]: spec(struct({ startCell: int, maxcells: int }), struct({ cells: array(uhyper, 1024) })),
  [RemoteProcedure.NODE_GET_FREE_MEMORY]: spec(xdrVoid, struct({ freeMem: uhyper })),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_REGISTER]: spec(xdrVoid, struct({ cb_registered: intBool })),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_DEREGISTER]: spec(xdrVoid, struct({ cb_registered: intBool })),
  [RemoteProcedure.CONNECT_GET_URI]: spec(xdrVoid, struct({ uri: nonnullString })),
  [RemoteProcedure.DOMAIN_GET_SECURITY_LABEL]: spec(dom, struct({ label: charArrayVar(REMOTE_SECURITY_LABEL_MAX), enforcing: int })),
  [RemoteProcedure.NODE_GET_SECURITY_MODEL]: spec(xdrVoid, struct({
    model: charArrayVar(REMOTE_SECURITY_MODEL_MAX), doi: charArrayVar(REMOTE_SECURITY_MODEL_MAX),
  })),
  [RemoteProcedure.CONNECT_IS_SECURE]: spec(xdrVoid, struct({ secure: intBool })),
  [RemoteProcedure.DOMAIN_IS_ACTIVE]: spec(dom, struct({ active: intBool })),
  [RemoteProcedure.DOMAIN_IS_PERSISTENT]: spec(dom, struct({ persistent: intBool })),
  [RemoteProcedure.CONNECT_GET_LIB_VERSION]: spec(xdrVoid, struct({ lib_ver: uhyperNumber })),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_REGISTER_ANY]: spec(struct({ eventID: int }), xdrVoid),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY]: spec(struct({ eventID: int }), xdrVoid),
  [RemoteProcedure.DOMAIN_HAS_MANAGED_SAVE_IMAGE]: spec(domFlags, struct({ result: intBool })),
  [RemoteProcedure.DOMAIN_SNAPSHOT_NUM]: spec(domFlags, num),
  [RemoteProcedure.DOMAIN_CREATE_WITH_FLAGS]: spec(domFlags, retDom),
  [RemoteProcedure.DOMAIN_SET_VCPUS_FLAGS]: spec(struct({ dom: nonnullDomain, nvcpus: uint, flags: uint }), xdrVoid),
  [RemoteProcedure.DOMAIN_GET_VCPUS_FLAGS]: spec(domFlags, num),
  [RemoteProcedure.DOMAIN_SET_MEMORY_FLAGS]: spec(struct({ dom: nonnullDomain, memory: uhyperNumber, flags: uint }), xdrVoid),
  [RemoteProcedure.DOMAIN_GET_STATE]: spec(domFlags, struct({ state: int, reason: int })),
  [RemoteProcedure.DOMAIN_UNDEFINE_FLAGS]: spec(domFlags, xdrVoid),
  [RemoteProcedure.DOMAIN_DESTROY_FLAGS]: spec(domFlags, xdrVoid),
  [RemoteProcedure.DOMAIN_SHUTDOWN_FLAGS]: spec(domFlags, xdrVoid),
  [RemoteProcedure.CONNECT_LIST_ALL_DOMAINS]: spec(
    struct({ need_results: int, flags: uint }),
    struct({ domains: array(nonnullDomain, REMOTE_DOMAIN_LIST_MAX), ret: uint }),
  ),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY]: spec(struct({ eventID: int, dom: remoteDomain }), struct({ callbackID: int })),
  [RemoteProcedure.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY]: spec(struct({ callbackID: int }), xdrVoid),
  [RemoteProcedure.DOMAIN_DEFINE_XML_FLAGS]: spec(struct({ xml: nonnullString, flags: uint }), retDom),
  [RemoteProcedure.CONNECT_REGISTER_CLOSE_CALLBACK]: spec(xdrVoid, xdrVoid),
  [RemoteProcedure.CONNECT_UNREGISTER_CLOSE_CALLBACK]: spec(xdrVoid, xdrVoid),
  // Monitoring (codecs in stats-codecs.ts).
  [RemoteProcedure.DOMAIN_GET_VCPUS]: spec(S.getVcpusArgs, S.getVcpusRet),
  [RemoteProcedure.DOMAIN_BLOCK_STATS]: spec(S.blockStatsArgs, S.blockStatsRet),
  [RemoteProcedure.DOMAIN_INTERFACE_STATS]: spec(S.interfaceStatsArgs, S.interfaceStatsRet),
  [RemoteProcedure.DOMAIN_MEMORY_STATS]: spec(S.memoryStatsArgs, S.memoryStatsRet),
  [RemoteProcedure.NODE_GET_CPU_STATS]: spec(S.nodeGetCpuStatsArgs, S.nodeGetCpuStatsRet),
  [RemoteProcedure.NODE_GET_MEMORY_STATS]: spec(S.nodeGetMemoryStatsArgs, S.nodeGetMemoryStatsRet),
  [RemoteProcedure.DOMAIN_BLOCK_STATS_FLAGS]: spec(S.blockStatsFlagsArgs, S.blockStatsFlagsRet),
  [RemoteProcedure.DOMAIN_GET_CPU_STATS]: spec(S.getCpuStatsArgs, S.getCpuStatsRet),
  [RemoteProcedure.NODE_GET_CPU_MAP]: spec(S.nodeGetCpuMapArgs, S.nodeGetCpuMapRet),
  [RemoteProcedure.CONNECT_GET_ALL_DOMAIN_STATS]: spec(S.getAllDomainStatsArgs, S.getAllDomainStatsRet),
  [RemoteProcedure.DOMAIN_GET_MESSAGES]: spec(domFlags, struct({ msgs: array(nonnullString, REMOTE_DOMAIN_MESSAGES_MAX) })),
} satisfies Partial<Record<RemoteProcedure, ProcedureSpec<any, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type CallableProcedure = keyof typeof PROCEDURES;
export type ProcedureArgs<P extends CallableProcedure> = CodecType<(typeof PROCEDURES)[P]['args']>;
export type ProcedureRet<P extends CallableProcedure> = CodecType<(typeof PROCEDURES)[P]['ret']>;

/** Event messages (type MESSAGE) by procedure number. */
export const EVENT_MESSAGES = {
  [RemoteProcedure.DOMAIN_EVENT_LIFECYCLE]: struct({ dom: nonnullDomain, event: int, detail: int }),
  [RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE]: struct({ callbackID: int, dom: nonnullDomain, event: int, detail: int }),
  [RemoteProcedure.CONNECT_EVENT_CONNECTION_CLOSED]: struct({ reason: int }),
};

/** The spec for procedure `n`, or undefined when xvirt does not know it. */
export function procedureSpec(n: number): ProcedureSpec | undefined {
  return (PROCEDURES as Partial<Record<number, ProcedureSpec>>)[n];
}

/** 'DOMAIN_GET_INFO' for 16; 'procedure 999' for numbers xvirt has no name for. */
export function procedureName(n: number): string {
  return RemoteProcedure[n] ?? NetStoreProcedure[n] ?? `procedure ${n}`;
}
