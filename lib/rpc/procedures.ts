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
import { AUTH_SASL_INIT, AUTH_SASL_START, AUTH_SASL_STEP } from './sasl-codecs';
import { DomainXMLFlags } from '../constants';
import { auth, call, callsOf, event, eventBodiesOf, type AnyEntry, type Table } from './procedure-table';
import {
  AuthType,
  nonnullDomain,
  nonnullString,
  remoteDomain,
  remoteString,
  remoteUuid,
  REMOTE_AUTH_TYPE_LIST_MAX,
  REMOTE_DOMAIN_ID_LIST_MAX,
  REMOTE_DOMAIN_LIST_MAX,
  REMOTE_DOMAIN_MESSAGES_MAX,
  REMOTE_DOMAIN_NAME_LIST_MAX,
  REMOTE_NODE_MODEL_SIZE,
  REMOTE_SECURITY_LABEL_MAX,
  REMOTE_SECURITY_MODEL_MAX,
} from './protocol';
import {
  array,
  charArrayFixed,
  charArrayVar,
  enumOf,
  int,
  intBool,
  intRange,
  struct,
  uhyper,
  uhyperNumber,
  uint,
  xdrVoid,
  type Codec,
  type CodecType,
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
  DOMAIN_PIN_VCPU = 26,
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
  DOMAIN_RESTORE = 54,
  DOMAIN_SAVE = 55,
  CONNECT_GET_HOSTNAME = 59,
  CONNECT_SUPPORTS_FEATURE = 60,
  AUTH_LIST = 66,
  AUTH_SASL_INIT = 67,
  AUTH_SASL_START = 68,
  AUTH_SASL_STEP = 69,
  AUTH_POLKIT = 70,
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
  DOMAIN_MANAGED_SAVE = 182,
  DOMAIN_HAS_MANAGED_SAVE_IMAGE = 183,
  DOMAIN_MANAGED_SAVE_REMOVE = 184,
  DOMAIN_SNAPSHOT_NUM = 187,
  DOMAIN_CREATE_WITH_FLAGS = 196,
  DOMAIN_SET_VCPUS_FLAGS = 199,
  DOMAIN_GET_VCPUS_FLAGS = 200,
  /** Opens a stream (lib/rpc/stream.ts): the reply, then STREAM messages with this call's serial. */
  DOMAIN_OPEN_CONSOLE = 201,
  DOMAIN_SET_MEMORY_FLAGS = 204,
  DOMAIN_GET_STATE = 212,
  DOMAIN_PIN_VCPU_FLAGS = 225,
  NODE_GET_CPU_STATS = 227,
  NODE_GET_MEMORY_STATS = 228,
  DOMAIN_GET_VCPU_PIN_INFO = 230,
  DOMAIN_UNDEFINE_FLAGS = 231,
  DOMAIN_SAVE_FLAGS = 232,
  DOMAIN_RESTORE_FLAGS = 233,
  DOMAIN_DESTROY_FLAGS = 234,
  DOMAIN_BLOCK_STATS_FLAGS = 243,
  DOMAIN_SHUTDOWN_FLAGS = 258,
  DOMAIN_GET_CPU_STATS = 262,
  CONNECT_LIST_ALL_DOMAINS = 273,
  NODE_GET_CPU_MAP = 293,
  DOMAIN_SET_MEMORY_STATS_PERIOD = 308,
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

const P = RemoteProcedure;

/** SECURE and MIGRATABLE output may expose secrets: libvirt reserves them to read-write clients. */
const secureXml = (a: { flags: number }): 'read' | 'write' =>
  (a.flags & (DomainXMLFlags.SECURE | DomainXMLFlags.MIGRATABLE)) !== 0 ? 'write' : 'read';

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

/** Every procedure xvirt knows, by libvirt's number: the one table (see docs/architecture.md). */
export const PROCEDURE_TABLE = {
  // Networks, storage, node devices and interfaces: lib/rpc/netstore-procedures.ts.
  ...NETSTORE_PROCEDURES,
  [P.CONNECT_OPEN]: call(
    { api: 'virConnectOpen', access: 'read', priority: 'high', beforeOpen: true },
    struct({ name: remoteString, flags: uint }),
    xdrVoid,
  ),
  [P.CONNECT_CLOSE]: call(
    { api: 'virConnectClose', access: 'read', priority: 'high', beforeOpen: true },
    xdrVoid,
    xdrVoid,
  ),
  [P.CONNECT_GET_TYPE]: call(
    { api: 'virConnectGetType', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ type: nonnullString }),
  ),
  [P.CONNECT_GET_VERSION]: call(
    { api: 'virConnectGetVersion', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ hv_ver: uhyperNumber }),
  ),
  [P.CONNECT_GET_MAX_VCPUS]: call(
    { api: 'virConnectGetMaxVcpus', access: 'read', priority: 'high' },
    struct({ type: remoteString }),
    struct({ max_vcpus: int }),
  ),
  [P.NODE_GET_INFO]: call({ api: 'virNodeGetInfo', access: 'read', priority: 'high' }, xdrVoid, nodeInfo),
  [P.CONNECT_GET_CAPABILITIES]: call(
    { api: 'virConnectGetCapabilities', access: 'read', priority: 'low' },
    xdrVoid,
    struct({ capabilities: nonnullString }),
  ),
  [P.DOMAIN_CREATE]: call({ api: 'virDomainCreate', access: 'write', priority: 'low' }, dom, xdrVoid),
  [P.DOMAIN_CREATE_XML]: call(
    { api: 'virDomainCreateXML', access: 'write', priority: 'low' },
    struct({ xml_desc: nonnullString, flags: uint }),
    retDom,
  ),
  [P.DOMAIN_DEFINE_XML]: call(
    { api: 'virDomainDefineXML', access: 'write', priority: 'high' },
    struct({ xml: nonnullString }),
    retDom,
  ),
  [P.DOMAIN_DESTROY]: call({ api: 'virDomainDestroy', access: 'write', priority: 'high' }, dom, xdrVoid),
  [P.DOMAIN_GET_XML_DESC]: call(
    { api: 'virDomainGetXMLDesc', access: secureXml, priority: 'low' },
    domFlags,
    struct({ xml: nonnullString }),
  ),
  [P.DOMAIN_GET_AUTOSTART]: call(
    { api: 'virDomainGetAutostart', access: 'read', priority: 'high' },
    dom,
    struct({ autostart: intBool }),
  ),
  [P.DOMAIN_GET_INFO]: call({ api: 'virDomainGetInfo', access: 'read', priority: 'low' }, dom, domainInfo),
  [P.DOMAIN_GET_MAX_MEMORY]: call(
    { api: 'virDomainGetMaxMemory', access: 'read', priority: 'high' },
    dom,
    struct({ memory: uhyperNumber }),
  ),
  [P.DOMAIN_GET_MAX_VCPUS]: call({ api: 'virDomainGetMaxVcpus', access: 'read', priority: 'high' }, dom, num),
  [P.DOMAIN_GET_OS_TYPE]: call(
    { api: 'virDomainGetOSType', access: 'read', priority: 'high' },
    dom,
    struct({ type: nonnullString }),
  ),
  [P.CONNECT_LIST_DEFINED_DOMAINS]: call(
    { api: 'virConnectListDefinedDomains', access: 'read', priority: 'high' },
    struct({ maxnames: int }),
    struct({ names: array(nonnullString, REMOTE_DOMAIN_NAME_LIST_MAX) }),
  ),
  [P.DOMAIN_LOOKUP_BY_ID]: call(
    { api: 'virDomainLookupByID', access: 'read', priority: 'high' },
    struct({ id: int }),
    retDom,
  ),
  [P.DOMAIN_LOOKUP_BY_NAME]: call(
    { api: 'virDomainLookupByName', access: 'read', priority: 'high' },
    struct({ name: nonnullString }),
    retDom,
  ),
  [P.DOMAIN_LOOKUP_BY_UUID]: call(
    { api: 'virDomainLookupByUUID', access: 'read', priority: 'high' },
    struct({ uuid: remoteUuid }),
    retDom,
  ),
  [P.CONNECT_NUM_OF_DEFINED_DOMAINS]: call(
    { api: 'virConnectNumOfDefinedDomains', access: 'read', priority: 'high' },
    xdrVoid,
    num,
  ),
  [P.DOMAIN_REBOOT]: call({ api: 'virDomainReboot', access: 'write', priority: 'low' }, domFlags, xdrVoid),
  [P.DOMAIN_RESUME]: call({ api: 'virDomainResume', access: 'write', priority: 'low' }, dom, xdrVoid),
  [P.DOMAIN_SET_AUTOSTART]: call(
    { api: 'virDomainSetAutostart', access: 'write', priority: 'high' },
    struct({ dom: nonnullDomain, autostart: intBool }),
    xdrVoid,
  ),
  [P.DOMAIN_SET_MAX_MEMORY]: call(
    { api: 'virDomainSetMaxMemory', access: 'write', priority: 'high' },
    struct({ dom: nonnullDomain, memory: uhyperNumber }),
    xdrVoid,
  ),
  [P.DOMAIN_SET_MEMORY]: call(
    { api: 'virDomainSetMemory', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, memory: uhyperNumber }),
    xdrVoid,
  ),
  [P.DOMAIN_SET_VCPUS]: call(
    { api: 'virDomainSetVcpus', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, nvcpus: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_SHUTDOWN]: call({ api: 'virDomainShutdown', access: 'write', priority: 'low' }, dom, xdrVoid),
  [P.DOMAIN_SUSPEND]: call({ api: 'virDomainSuspend', access: 'write', priority: 'low' }, dom, xdrVoid),
  [P.DOMAIN_UNDEFINE]: call({ api: 'virDomainUndefine', access: 'write', priority: 'high' }, dom, xdrVoid),
  [P.CONNECT_LIST_DOMAINS]: call(
    { api: 'virConnectListDomains', access: 'read', priority: 'high' },
    struct({ maxids: int }),
    struct({ ids: array(int, REMOTE_DOMAIN_ID_LIST_MAX) }),
  ),
  [P.CONNECT_NUM_OF_DOMAINS]: call({ api: 'virConnectNumOfDomains', access: 'read', priority: 'high' }, xdrVoid, num),
  [P.CONNECT_GET_HOSTNAME]: call(
    { api: 'virConnectGetHostname', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ hostname: nonnullString }),
  ),
  // Only the keepalive probe may precede CONNECT_OPEN (virsh sends it first); the handler checks the rest.
  [P.CONNECT_SUPPORTS_FEATURE]: call(
    { api: 'virConnectSupportsFeature', access: 'read', priority: 'high', beforeOpen: true },
    struct({ feature: int }),
    struct({ supported: intBool }),
  ),
  [P.AUTH_LIST]: auth(
    { api: 'virConnectAuthList', priority: 'high' },
    xdrVoid,
    struct({
      types: array(
        enumOf('remote_auth_type', [AuthType.NONE, AuthType.SASL, AuthType.POLKIT]),
        REMOTE_AUTH_TYPE_LIST_MAX,
      ),
    }),
  ),
  // SASL data is char<65536> (4 wire bytes per byte): lib/rpc/sasl-codecs.ts.
  [P.AUTH_SASL_INIT]: auth(
    { api: 'virConnectAuthSaslInit', priority: 'high' },
    AUTH_SASL_INIT.args,
    AUTH_SASL_INIT.ret,
  ),
  [P.AUTH_SASL_START]: auth(
    { api: 'virConnectAuthSaslStart', priority: 'high' },
    AUTH_SASL_START.args,
    AUTH_SASL_START.ret,
  ),
  [P.AUTH_SASL_STEP]: auth(
    { api: 'virConnectAuthSaslStep', priority: 'high' },
    AUTH_SASL_STEP.args,
    AUTH_SASL_STEP.ret,
  ),
  // xvirtd offers no polkit: known, so clients get NO_SUPPORT rather than a protocol error.
  [P.AUTH_POLKIT]: auth({ api: 'virConnectAuthPolkit', priority: 'high' }, xdrVoid, struct({ complete: intBool })),
  [P.NODE_GET_CELLS_FREE_MEMORY]: call(
    { api: 'virNodeGetCellsFreeMemory', access: 'read', priority: 'high' },
    struct({ startCell: int, maxcells: int }),
    struct({ cells: array(uhyper, 1024) }),
  ),
  [P.NODE_GET_FREE_MEMORY]: call(
    { api: 'virNodeGetFreeMemory', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ freeMem: uhyper }),
  ),
  [P.CONNECT_DOMAIN_EVENT_REGISTER]: call(
    { api: 'virConnectDomainEventRegister', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ cb_registered: intBool }),
  ),
  [P.CONNECT_DOMAIN_EVENT_DEREGISTER]: call(
    { api: 'virConnectDomainEventDeregister', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ cb_registered: intBool }),
  ),
  [P.CONNECT_GET_URI]: call(
    { api: 'virConnectGetURI', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ uri: nonnullString }),
  ),
  [P.DOMAIN_GET_SECURITY_LABEL]: call(
    { api: 'virDomainGetSecurityLabel', access: 'read', priority: 'high' },
    dom,
    struct({ label: charArrayVar(REMOTE_SECURITY_LABEL_MAX), enforcing: int }),
  ),
  [P.NODE_GET_SECURITY_MODEL]: call(
    { api: 'virNodeGetSecurityModel', access: 'read', priority: 'high' },
    xdrVoid,
    struct({
      model: charArrayVar(REMOTE_SECURITY_MODEL_MAX),
      doi: charArrayVar(REMOTE_SECURITY_MODEL_MAX),
    }),
  ),
  [P.CONNECT_IS_SECURE]: call(
    { api: 'virConnectIsSecure', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ secure: intBool }),
  ),
  [P.DOMAIN_IS_ACTIVE]: call(
    { api: 'virDomainIsActive', access: 'read', priority: 'high' },
    dom,
    struct({ active: intBool }),
  ),
  [P.DOMAIN_IS_PERSISTENT]: call(
    { api: 'virDomainIsPersistent', access: 'read', priority: 'high' },
    dom,
    struct({ persistent: intBool }),
  ),
  [P.CONNECT_GET_LIB_VERSION]: call(
    { api: 'virConnectGetLibVersion', access: 'read', priority: 'high' },
    xdrVoid,
    struct({ lib_ver: uhyperNumber }),
  ),
  [P.CONNECT_DOMAIN_EVENT_REGISTER_ANY]: call(
    { api: 'virConnectDomainEventRegisterAny', access: 'read', priority: 'high' },
    struct({ eventID: int }),
    xdrVoid,
  ),
  [P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY]: call(
    { api: 'virConnectDomainEventDeregisterAny', access: 'read', priority: 'high' },
    struct({ eventID: int }),
    xdrVoid,
  ),
  [P.DOMAIN_SAVE]: call(
    { api: 'virDomainSave', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, to: nonnullString }),
    xdrVoid,
  ),
  [P.DOMAIN_RESTORE]: call(
    { api: 'virDomainRestore', access: 'write', priority: 'low' },
    struct({ from: nonnullString }),
    xdrVoid,
  ),
  // dxml (a replacement definition for the image) is refused by xvirt's drivers, as by libvirt's test and libxl ones.
  [P.DOMAIN_SAVE_FLAGS]: call(
    { api: 'virDomainSaveFlags', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, to: nonnullString, dxml: remoteString, flags: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_RESTORE_FLAGS]: call(
    { api: 'virDomainRestoreFlags', access: 'write', priority: 'low' },
    struct({ from: nonnullString, dxml: remoteString, flags: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_MANAGED_SAVE]: call({ api: 'virDomainManagedSave', access: 'write', priority: 'low' }, domFlags, xdrVoid),
  [P.DOMAIN_HAS_MANAGED_SAVE_IMAGE]: call(
    { api: 'virDomainHasManagedSaveImage', access: 'read', priority: 'low' },
    domFlags,
    struct({ result: intBool }),
  ),
  [P.DOMAIN_MANAGED_SAVE_REMOVE]: call(
    { api: 'virDomainManagedSaveRemove', access: 'write', priority: 'low' },
    domFlags,
    xdrVoid,
  ),
  [P.DOMAIN_SNAPSHOT_NUM]: call({ api: 'virDomainSnapshotNum', access: 'read', priority: 'high' }, domFlags, num),
  // A stream procedure: its void reply opens the console stream (libvirt's @acl domain:open_device).
  [P.DOMAIN_OPEN_CONSOLE]: call(
    { api: 'virDomainOpenConsole', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, dev_name: remoteString, flags: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_CREATE_WITH_FLAGS]: call(
    { api: 'virDomainCreateWithFlags', access: 'write', priority: 'low' },
    domFlags,
    retDom,
  ),
  [P.DOMAIN_SET_VCPUS_FLAGS]: call(
    { api: 'virDomainSetVcpusFlags', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, nvcpus: uint, flags: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_GET_VCPUS_FLAGS]: call({ api: 'virDomainGetVcpusFlags', access: 'read', priority: 'low' }, domFlags, num),
  [P.DOMAIN_SET_MEMORY_FLAGS]: call(
    { api: 'virDomainSetMemoryFlags', access: 'write', priority: 'low' },
    struct({ dom: nonnullDomain, memory: uhyperNumber, flags: uint }),
    xdrVoid,
  ),
  [P.DOMAIN_GET_STATE]: call(
    { api: 'virDomainGetState', access: 'read', priority: 'high' },
    domFlags,
    struct({ state: int, reason: int }),
  ),
  [P.DOMAIN_UNDEFINE_FLAGS]: call(
    { api: 'virDomainUndefineFlags', access: 'write', priority: 'high' },
    domFlags,
    xdrVoid,
  ),
  [P.DOMAIN_DESTROY_FLAGS]: call(
    { api: 'virDomainDestroyFlags', access: 'write', priority: 'high' },
    domFlags,
    xdrVoid,
  ),
  [P.DOMAIN_SHUTDOWN_FLAGS]: call(
    { api: 'virDomainShutdownFlags', access: 'write', priority: 'low' },
    domFlags,
    xdrVoid,
  ),
  [P.CONNECT_LIST_ALL_DOMAINS]: call(
    { api: 'virConnectListAllDomains', access: 'read', priority: 'high' },
    struct({ need_results: int, flags: uint }),
    struct({ domains: array(nonnullDomain, REMOTE_DOMAIN_LIST_MAX), ret: uint }),
  ),
  [P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY]: call(
    { api: 'virConnectDomainEventRegisterAny', access: 'read', priority: 'high' },
    struct({ eventID: int, dom: remoteDomain }),
    struct({ callbackID: int }),
  ),
  [P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY]: call(
    { api: 'virConnectDomainEventDeregisterAny', access: 'read', priority: 'high' },
    struct({ callbackID: int }),
    xdrVoid,
  ),
  [P.DOMAIN_DEFINE_XML_FLAGS]: call(
    { api: 'virDomainDefineXMLFlags', access: 'write', priority: 'high' },
    struct({ xml: nonnullString, flags: uint }),
    retDom,
  ),
  [P.CONNECT_REGISTER_CLOSE_CALLBACK]: call(
    { api: 'virConnectRegisterCloseCallback', access: 'read', priority: 'high' },
    xdrVoid,
    xdrVoid,
  ),
  [P.CONNECT_UNREGISTER_CLOSE_CALLBACK]: call(
    { api: 'virConnectUnregisterCloseCallback', access: 'read', priority: 'high' },
    xdrVoid,
    xdrVoid,
  ),
  // Monitoring (codecs in stats-codecs.ts).
  [P.DOMAIN_GET_VCPUS]: call(
    { api: 'virDomainGetVcpus', access: 'read', priority: 'high' },
    S.getVcpusArgs,
    S.getVcpusRet,
  ),
  [P.DOMAIN_PIN_VCPU]: call({ api: 'virDomainPinVcpu', access: 'write', priority: 'low' }, S.pinVcpuArgs, xdrVoid),
  [P.DOMAIN_PIN_VCPU_FLAGS]: call(
    { api: 'virDomainPinVcpuFlags', access: 'write', priority: 'low' },
    S.pinVcpuFlagsArgs,
    xdrVoid,
  ),
  [P.DOMAIN_GET_VCPU_PIN_INFO]: call(
    { api: 'virDomainGetVcpuPinInfo', access: 'read', priority: 'low' },
    S.getVcpuPinInfoArgs,
    S.getVcpuPinInfoRet,
  ),
  [P.DOMAIN_BLOCK_STATS]: call(
    { api: 'virDomainBlockStats', access: 'read', priority: 'low' },
    S.blockStatsArgs,
    S.blockStatsRet,
  ),
  [P.DOMAIN_INTERFACE_STATS]: call(
    { api: 'virDomainInterfaceStats', access: 'read', priority: 'high' },
    S.interfaceStatsArgs,
    S.interfaceStatsRet,
  ),
  [P.DOMAIN_MEMORY_STATS]: call(
    { api: 'virDomainMemoryStats', access: 'read', priority: 'low' },
    S.memoryStatsArgs,
    S.memoryStatsRet,
  ),
  [P.NODE_GET_CPU_STATS]: call(
    { api: 'virNodeGetCPUStats', access: 'read', priority: 'high' },
    S.nodeGetCpuStatsArgs,
    S.nodeGetCpuStatsRet,
  ),
  [P.NODE_GET_MEMORY_STATS]: call(
    { api: 'virNodeGetMemoryStats', access: 'read', priority: 'high' },
    S.nodeGetMemoryStatsArgs,
    S.nodeGetMemoryStatsRet,
  ),
  [P.DOMAIN_BLOCK_STATS_FLAGS]: call(
    { api: 'virDomainBlockStatsFlags', access: 'read', priority: 'low' },
    S.blockStatsFlagsArgs,
    S.blockStatsFlagsRet,
  ),
  [P.DOMAIN_GET_CPU_STATS]: call(
    { api: 'virDomainGetCPUStats', access: 'read', priority: 'low' },
    S.getCpuStatsArgs,
    S.getCpuStatsRet,
  ),
  [P.NODE_GET_CPU_MAP]: call(
    { api: 'virNodeGetCPUMap', access: 'read', priority: 'low' },
    S.nodeGetCpuMapArgs,
    S.nodeGetCpuMapRet,
  ),
  [P.DOMAIN_SET_MEMORY_STATS_PERIOD]: call(
    { api: 'virDomainSetMemoryStatsPeriod', access: 'write', priority: 'low' },
    S.setMemoryStatsPeriodArgs,
    xdrVoid,
  ),
  [P.CONNECT_GET_ALL_DOMAIN_STATS]: call(
    { api: 'virConnectGetAllDomainStats', access: 'read', priority: 'low' },
    S.getAllDomainStatsArgs,
    S.getAllDomainStatsRet,
  ),
  [P.DOMAIN_GET_MESSAGES]: call(
    { api: 'virDomainGetMessages', access: 'read', priority: 'low' },
    domFlags,
    struct({ msgs: array(nonnullString, REMOTE_DOMAIN_MESSAGES_MAX) }),
  ),
  // Event messages (type MESSAGE), server to client.
  [P.DOMAIN_EVENT_LIFECYCLE]: event(
    'virConnectDomainEventCallback',
    struct({ dom: nonnullDomain, event: int, detail: int }),
  ),
  [P.DOMAIN_EVENT_CALLBACK_LIFECYCLE]: event(
    'virConnectDomainEventCallback',
    struct({ callbackID: int, dom: nonnullDomain, event: int, detail: int }),
  ),
  [P.CONNECT_EVENT_CONNECTION_CLOSED]: event('virConnectCloseFunc', struct({ reason: int })),
} satisfies Table;

/** Calls and auth steps by number: what the client may send and the dispatcher may serve. */
export const PROCEDURES = callsOf(PROCEDURE_TABLE);
/** Event message bodies by number. */
export const EVENT_MESSAGES = eventBodiesOf(PROCEDURE_TABLE);

export type CallableProcedure = keyof typeof PROCEDURES;
export type ProcedureArgs<P extends CallableProcedure> = CodecType<(typeof PROCEDURES)[P]['args']>;
export type ProcedureRet<P extends CallableProcedure> = CodecType<(typeof PROCEDURES)[P]['ret']>;
export type ProcedureSpec = AnyEntry;

/** The table entry of procedure `n` (call, auth step or event), or undefined when xvirt does not know it. */
export function procedureEntry(n: number): AnyEntry | undefined {
  return (PROCEDURE_TABLE as Partial<Record<number, AnyEntry>>)[n];
}

/** The entry of callable procedure `n`, or undefined when xvirt cannot call or serve it. */
export function procedureSpec(n: number): AnyEntry | undefined {
  const entry = procedureEntry(n);
  return entry?.kind === 'event' ? undefined : entry;
}

/** 'DOMAIN_GET_INFO' for 16; 'procedure 999' for numbers xvirt has no name for. */
export function procedureName(n: number): string {
  return RemoteProcedure[n] ?? NetStoreProcedure[n] ?? `procedure ${n}`;
}
