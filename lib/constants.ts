/**
 * libvirt's public enums and flags, with libvirt's numbers: tools compare
 * these with libvirt, and the wire protocol carries them as-is.
 */

/** virDomainState */
export enum DomainState {
  NOSTATE = 0,
  RUNNING = 1,
  BLOCKED = 2,
  PAUSED = 3,
  SHUTDOWN = 4,
  SHUTOFF = 5,
  CRASHED = 6,
  PMSUSPENDED = 7,
}

/** virsh's words for each state. */
const STATE_NAMES = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

export function domainStateName(state: DomainState): string {
  return STATE_NAMES[state] ?? 'no state';
}

export enum DomainRunningReason {
  UNKNOWN = 0,
  BOOTED = 1,
  MIGRATED = 2,
  RESTORED = 3,
  FROM_SNAPSHOT = 4,
  UNPAUSED = 5,
  MIGRATION_CANCELED = 6,
  SAVE_CANCELED = 7,
  WAKEUP = 8,
  CRASHED = 9,
  POSTCOPY = 10,
  POSTCOPY_FAILED = 11,
}
export enum DomainPausedReason {
  UNKNOWN = 0,
  USER = 1,
  MIGRATION = 2,
  SAVE = 3,
  DUMP = 4,
  IOERROR = 5,
  WATCHDOG = 6,
  FROM_SNAPSHOT = 7,
  SHUTTING_DOWN = 8,
  SNAPSHOT = 9,
  CRASHED = 10,
  STARTING_UP = 11,
  POSTCOPY = 12,
  POSTCOPY_FAILED = 13,
  API_ERROR = 14,
}
export enum DomainShutoffReason {
  UNKNOWN = 0,
  SHUTDOWN = 1,
  DESTROYED = 2,
  CRASHED = 3,
  MIGRATED = 4,
  SAVED = 5,
  FAILED = 6,
  FROM_SNAPSHOT = 7,
  DAEMON = 8,
}
export enum DomainShutdownReason {
  UNKNOWN = 0,
  USER = 1,
}
export enum DomainCrashedReason {
  UNKNOWN = 0,
  PANICKED = 1,
}

/** virsh's words for state reasons (`domstate --reason`), indexed by state then reason. */
const REASON_NAMES: Record<number, string[]> = {
  [DomainState.NOSTATE]: ['unknown'],
  [DomainState.RUNNING]: [
    'unknown',
    'booted',
    'migrated',
    'restored',
    'from snapshot',
    'unpaused',
    'migration canceled',
    'save canceled',
    'event wakeup',
    'crashed',
    'post-copy',
    'post-copy failed',
  ],
  [DomainState.BLOCKED]: ['unknown'],
  [DomainState.PAUSED]: [
    'unknown',
    'user',
    'migrating',
    'saving',
    'dumping',
    'I/O error',
    'watchdog',
    'from snapshot',
    'shutting down',
    'creating snapshot',
    'crashed',
    'starting up',
    'post-copy',
    'post-copy failed',
    'api error',
  ],
  [DomainState.SHUTDOWN]: ['unknown', 'user'],
  [DomainState.SHUTOFF]: [
    'unknown',
    'shutdown',
    'destroyed',
    'crashed',
    'migrated',
    'saved',
    'failed',
    'from snapshot',
    'daemon',
  ],
  [DomainState.CRASHED]: ['unknown', 'panicked'],
  [DomainState.PMSUSPENDED]: ['unknown'],
};

export function domainStateReasonName(state: DomainState, reason: number): string {
  return REASON_NAMES[state]?.[reason] ?? 'unknown';
}

/** virDomainEventType: the `event` of a lifecycle event. */
export enum DomainEventType {
  DEFINED = 0,
  UNDEFINED = 1,
  STARTED = 2,
  SUSPENDED = 3,
  RESUMED = 4,
  STOPPED = 5,
  SHUTDOWN = 6,
  PMSUSPENDED = 7,
  CRASHED = 8,
}

export enum DomainEventDefinedDetail {
  ADDED = 0,
  UPDATED = 1,
  RENAMED = 2,
  FROM_SNAPSHOT = 3,
}
export enum DomainEventUndefinedDetail {
  REMOVED = 0,
  RENAMED = 1,
}
export enum DomainEventStartedDetail {
  BOOTED = 0,
  MIGRATED = 1,
  RESTORED = 2,
  FROM_SNAPSHOT = 3,
  WAKEUP = 4,
}
export enum DomainEventSuspendedDetail {
  PAUSED = 0,
  MIGRATED = 1,
  IOERROR = 2,
  WATCHDOG = 3,
  RESTORED = 4,
  FROM_SNAPSHOT = 5,
  API_ERROR = 6,
  POSTCOPY = 7,
  POSTCOPY_FAILED = 8,
}
export enum DomainEventResumedDetail {
  UNPAUSED = 0,
  MIGRATED = 1,
  FROM_SNAPSHOT = 2,
  POSTCOPY = 3,
  POSTCOPY_FAILED = 4,
}
export enum DomainEventStoppedDetail {
  SHUTDOWN = 0,
  DESTROYED = 1,
  CRASHED = 2,
  MIGRATED = 3,
  SAVED = 4,
  FAILED = 5,
  FROM_SNAPSHOT = 6,
}
export enum DomainEventShutdownDetail {
  FINISHED = 0,
  GUEST = 1,
  HOST = 2,
}
export enum DomainEventCrashedDetail {
  PANICKED = 0,
  CRASHLOADED = 1,
}

/** virsh's words for lifecycle events (`virsh event`), indexed by event then detail. */
const EVENT_NAMES = [
  'Defined',
  'Undefined',
  'Started',
  'Suspended',
  'Resumed',
  'Stopped',
  'Shutdown',
  'PMSuspended',
  'Crashed',
];
const EVENT_DETAIL_NAMES: string[][] = [
  ['Added', 'Updated', 'Renamed', 'Snapshot'],
  ['Removed', 'Renamed'],
  ['Booted', 'Migrated', 'Restored', 'Snapshot', 'Event wakeup'],
  ['Paused', 'Migrated', 'I/O Error', 'Watchdog', 'Restored', 'Snapshot', 'API error', 'Post-copy', 'Post-copy Error'],
  ['Unpaused', 'Migrated', 'Snapshot', 'Post-copy', 'Post-copy Error'],
  ['Shutdown', 'Destroyed', 'Crashed', 'Migrated', 'Saved', 'Failed', 'Snapshot'],
  ['Finished', 'Finished after guest request', 'Finished after host request'],
  ['Memory', 'Disk'],
  ['Panicked', 'Crashloaded'],
];

export function domainEventName(event: DomainEventType): string {
  return EVENT_NAMES[event] ?? 'unknown';
}

export function domainEventDetailName(event: DomainEventType, detail: number): string {
  return EVENT_DETAIL_NAMES[event]?.[detail] ?? 'unknown';
}

/** virDomainEventID. Only LIFECYCLE is produced by xvirt's drivers. */
export enum DomainEventId {
  LIFECYCLE = 0,
  /** Number of event ids libvirt 9.x knows (virsh registers each of them). */
  LAST = 27,
}

/** virConnectListAllDomainsFlags */
export enum ListDomainsFlags {
  ACTIVE = 1,
  INACTIVE = 2,
  PERSISTENT = 4,
  TRANSIENT = 8,
  RUNNING = 16,
  PAUSED = 32,
  SHUTOFF = 64,
  OTHER = 128,
  MANAGEDSAVE = 256,
  NO_MANAGEDSAVE = 512,
  AUTOSTART = 1024,
  NO_AUTOSTART = 2048,
  HAS_SNAPSHOT = 4096,
  NO_SNAPSHOT = 8192,
  HAS_CHECKPOINT = 16384,
  NO_CHECKPOINT = 32768,
}

/** virConnectFlags */
export enum ConnectFlags {
  RO = 1,
  NO_ALIASES = 2,
}

/** virDomainXMLFlags */
export enum DomainXMLFlags {
  SECURE = 1,
  INACTIVE = 2,
  UPDATE_CPU = 4,
  MIGRATABLE = 8,
}

/** virDomainConsoleFlags */
export enum DomainConsoleFlags {
  FORCE = 1,
  SAFE = 2,
}

/** virDomainCreateFlags */
export enum DomainCreateFlags {
  PAUSED = 1,
  AUTODESTROY = 2,
  BYPASS_CACHE = 4,
  FORCE_BOOT = 8,
  VALIDATE = 16,
  RESET_NVRAM = 32,
}

/** virDomainUndefineFlagsValues */
export enum DomainUndefineFlags {
  MANAGED_SAVE = 1,
  SNAPSHOTS_METADATA = 2,
  NVRAM = 4,
  KEEP_NVRAM = 8,
  CHECKPOINTS_METADATA = 16,
  TPM = 32,
  KEEP_TPM = 64,
}

/** virConnectCloseReason */
export enum CloseReason {
  ERROR = 0,
  EOF = 1,
  KEEPALIVE = 2,
  CLIENT = 3,
}

/** Versions in libvirt's encoding (lib/version.ts, which loads without this module). */
export { encodeVersion, formatVersion } from './version';

/** virDomainStatsTypes: the groups virConnectGetAllDomainStats can report. */
export enum DomainStatsTypes {
  STATE = 0x1,
  CPU_TOTAL = 0x2,
  BALLOON = 0x4,
  VCPU = 0x8,
  INTERFACE = 0x10,
  BLOCK = 0x20,
  PERF = 0x40,
  IOTHREAD = 0x80,
  MEMORY = 0x100,
  DIRTYRATE = 0x200,
  VM = 0x400,
}

/**
 * virConnectGetAllDomainStatsFlags. The low bits filter domains like
 * ListDomainsFlags; ENFORCE_STATS is bit 31, so compare with `>>> 0`.
 */
export enum GetAllDomainStatsFlags {
  ACTIVE = 0x1,
  INACTIVE = 0x2,
  PERSISTENT = 0x4,
  TRANSIENT = 0x8,
  RUNNING = 0x10,
  PAUSED = 0x20,
  SHUTOFF = 0x40,
  OTHER = 0x80,
  NOWAIT = 0x20000000,
  BACKING = 0x40000000,
  ENFORCE_STATS = 0x80000000,
}

/** virDomainMemoryStatTags: the `tag` of each virDomainMemoryStats entry. */
export enum DomainMemoryStatTag {
  /** KiB swapped in. */
  SWAP_IN = 0,
  /** KiB swapped out. */
  SWAP_OUT = 1,
  MAJOR_FAULT = 2,
  MINOR_FAULT = 3,
  /** KiB left unused by the guest. */
  UNUSED = 4,
  /** KiB usable by the guest. */
  AVAILABLE = 5,
  /** Current balloon value, KiB. */
  ACTUAL_BALLOON = 6,
  /** Resident set size of the domain's process, KiB. */
  RSS = 7,
  /** KiB the guest could use without swapping. */
  USABLE = 8,
  /** Time of the last update, seconds since the epoch. */
  LAST_UPDATE = 9,
  /** KiB of disk caches the guest could reclaim. */
  DISK_CACHES = 10,
  HUGETLB_PGALLOC = 11,
  HUGETLB_PGFAIL = 12,
}

/** libvirt's VIR_DOMAIN_MEMORY_STAT_NR in 9.0: the most entries virDomainMemoryStats returns. */
export const DOMAIN_MEMORY_STAT_NR = 13;

/** virsh's name of each memory stat tag (dommemstat), indexed by tag. */
export const DOMAIN_MEMORY_STAT_NAMES: readonly string[] = [
  'swap_in',
  'swap_out',
  'major_fault',
  'minor_fault',
  'unused',
  'available',
  'actual',
  'rss',
  'usable',
  'last_update',
  'disk_caches',
  'hugetlb_pgalloc',
  'hugetlb_pgfail',
];

/** virDomainModificationImpact; setMemoryFlags also takes DomainMemoryModFlags.MAXIMUM. */
export enum DomainModificationImpact {
  CURRENT = 0,
  LIVE = 1,
  CONFIG = 2,
}

/** virDomainMemoryModFlags */
export enum DomainMemoryModFlags {
  CURRENT = 0,
  LIVE = 1,
  CONFIG = 2,
  MAXIMUM = 4,
}

/** virDomainVcpuFlags */
export enum DomainVcpuFlags {
  CURRENT = 0,
  LIVE = 1,
  CONFIG = 2,
  MAXIMUM = 4,
  GUEST = 8,
  HOTPLUGGABLE = 16,
}

/** virVcpuState */
export enum VcpuState {
  OFFLINE = 0,
  RUNNING = 1,
  BLOCKED = 2,
}

/** virsh's words for each vCPU state (vcpuinfo). */
const VCPU_STATE_NAMES = ['offline', 'running', 'blocked'];

export function vcpuStateName(state: VcpuState): string {
  return VCPU_STATE_NAMES[state] ?? 'no state';
}

/** VIR_NODE_CPU_STATS_ALL_CPUS: nodeGetCPUStats of the whole host. */
export const NODE_CPU_STATS_ALL_CPUS = -1;
/** VIR_NODE_MEMORY_STATS_ALL_CELLS: nodeGetMemoryStats of the whole host. */
export const NODE_MEMORY_STATS_ALL_CELLS = -1;
