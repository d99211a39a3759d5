/**
 * The test driver's storage pools and volumes, with libvirt 9.0's
 * test-driver behaviour: every pool reports 100 GiB, volumes only count
 * against it (nothing touches the host's files), and its events and errors.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { StoragePoolEventId, StoragePoolEventType, StoragePoolState, StorageVolType } from '../../netstore-constants';
import type { DriverStoragePoolEvent, StoragePoolInfo, StoragePoolRef, StorageVolRef } from '../../netstore-types';
import type { StoragePoolDefinition } from '../../xml/storage-pool';
import type { StorageVolDefinition } from '../../xml/storage-vol';
import { EventHub } from '../event-hub';
import { matchesStateFlags } from '../list-flags';
import { ObjectList } from './object-list';

/** libvirt's test driver gives every pool 100 GiB, none of it allocated. */
export const TEST_POOL_CAPACITY = 100n * 1024n ** 3n;
/** ListStoragePoolsFlags bit for each pool type xvirt serves. */
const TYPE_FLAGS: Record<string, number> = { dir: 64, fs: 128, logical: 512 };

export interface TestVolume {
  def: StorageVolDefinition;
  key: string;
  path: string;
}

export class TestPool {
  def: StoragePoolDefinition;
  nextDef: StoragePoolDefinition | null = null;
  active = false;
  persistent: boolean;
  autostart = false;
  allocation = 0n;
  /** By name, in creation order. */
  readonly volumes = new Map<string, TestVolume>();

  constructor(def: StoragePoolDefinition, persistent: boolean) {
    this.def = def;
    this.persistent = persistent;
  }

  get name(): string {
    return this.def.name;
  }
  get uuid(): string {
    return this.def.uuid;
  }
  get ref(): StoragePoolRef {
    return { name: this.def.name, uuid: this.def.uuid };
  }

  info(): StoragePoolInfo {
    return {
      state: this.active ? StoragePoolState.RUNNING : StoragePoolState.INACTIVE,
      capacity: TEST_POOL_CAPACITY,
      allocation: this.allocation,
      available: TEST_POOL_CAPACITY - this.allocation,
    };
  }

  volRef(vol: TestVolume): StorageVolRef {
    return { pool: this.name, name: vol.def.name, key: vol.key };
  }

  /** FILE for directory-backed pools, BLOCK for logical ones (libvirt's testStorageVolumeTypeForPool). */
  get volumeType(): StorageVolType {
    return this.def.type === 'logical' ? StorageVolType.BLOCK : StorageVolType.FILE;
  }
}

function failed(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.TEST, detail);
}

/** Pools whose sources would be the same storage (libvirt's virStoragePoolObjSourceFindDuplicate). */
function sameSource(a: StoragePoolDefinition, b: StoragePoolDefinition): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'dir') return a.targetPath === b.targetPath;
  if (a.type === 'fs') return a.source.devices[0] === b.source.devices[0];
  return a.source.name === b.source.name;
}

export class TestPools {
  readonly #list = new ObjectList<TestPool>('pool');
  readonly events = new EventHub<DriverStoragePoolEvent>();

  emit(pool: TestPool, event: StoragePoolEventType, eventId = StoragePoolEventId.LIFECYCLE): void {
    this.events.emit({ pool: pool.ref, eventId, event, detail: 0 });
  }

  byName(name: string): TestPool {
    const pool = this.#list.byName(name);
    if (!pool) throw failed(ErrorNumber.NO_STORAGE_POOL, `no storage pool with matching name '${name}'`);
    return pool;
  }

  byUuid(uuid: string): TestPool {
    const pool = this.#list.byUuid(uuid);
    if (!pool) throw failed(ErrorNumber.NO_STORAGE_POOL, `no storage pool with matching uuid '${uuid}'`);
    return pool;
  }

  /** The pool named `name`, which must be running (`want` true) or stopped (false). */
  inState(name: string, want: boolean): TestPool {
    const pool = this.byName(name);
    if (pool.active !== want) {
      throw failed(ErrorNumber.OPERATION_INVALID, `storage pool '${name}' is ${want ? 'not ' : ''}active`);
    }
    return pool;
  }

  list(flags: number): TestPool[] {
    const types = flags & ~0x3f;
    return this.#list
      .all()
      .filter((p) => matchesStateFlags(flags, p) && (types === 0 || (types & (TYPE_FLAGS[p.def.type] ?? 0)) !== 0))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Every running pool, for lookups by volume key or path. */
  activePools(): TestPool[] {
    return this.#list.all().filter((p) => p.active);
  }

  #admit(def: StoragePoolDefinition, checkLive: boolean): TestPool | null {
    const existing = this.#list.existingFor(def.name, def.uuid, checkLive);
    const clash = this.#list.all().find((p) => p !== existing && sameSource(p.def, def));
    if (clash) throw failed(ErrorNumber.OPERATION_FAILED, `Storage source conflict with pool: '${clash.name}'`);
    return existing;
  }

  /** Loads a pool from the node description: persistent and running, no event. */
  load(def: StoragePoolDefinition): TestPool {
    this.#admit(def, false);
    const pool = new TestPool(def, true);
    pool.active = true;
    this.#list.add(pool);
    return pool;
  }

  define(def: StoragePoolDefinition): TestPool {
    let pool = this.#admit(def, false);
    if (pool) {
      if (pool.active) pool.nextDef = def;
      else pool.def = def;
      pool.persistent = true;
    } else {
      pool = new TestPool(def, true);
      this.#list.add(pool);
    }
    this.emit(pool, StoragePoolEventType.DEFINED);
    return pool;
  }

  createTransient(def: StoragePoolDefinition): TestPool {
    let pool = this.#admit(def, true);
    if (pool) {
      pool.nextDef = pool.def;
      pool.def = def;
    } else {
      pool = new TestPool(def, false);
      this.#list.add(pool);
    }
    pool.active = true;
    this.emit(pool, StoragePoolEventType.STARTED);
    return pool;
  }

  destroy(pool: TestPool): void {
    pool.active = false;
    if (pool.nextDef) {
      pool.def = pool.nextDef;
      pool.nextDef = null;
    }
    this.emit(pool, StoragePoolEventType.STOPPED);
    if (!pool.persistent) this.#list.remove(pool);
  }

  undefine(pool: TestPool): void {
    this.emit(pool, StoragePoolEventType.UNDEFINED);
    this.#list.remove(pool);
  }

  /** Adds a volume (already parsed) to a running pool: its path is TARGET/NAME, its key the path. */
  addVolume(pool: TestPool, def: StorageVolDefinition): TestVolume {
    if (pool.volumes.has(def.name)) throw failed(ErrorNumber.OPERATION_FAILED, 'storage vol already exists');
    if (pool.allocation + def.allocation > TEST_POOL_CAPACITY) {
      throw failed(ErrorNumber.INTERNAL_ERROR, `Not enough free space in pool for volume '${def.name}'`);
    }
    const path = `${pool.def.targetPath}/${def.name}`;
    const vol = { def, key: path, path };
    pool.volumes.set(def.name, vol);
    pool.allocation += def.allocation;
    return vol;
  }

  volume(pool: TestPool, name: string): TestVolume {
    const vol = pool.volumes.get(name);
    if (!vol) throw failed(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching name '${name}'`);
    return vol;
  }

  removeVolume(pool: TestPool, vol: TestVolume): void {
    pool.volumes.delete(vol.def.name);
    pool.allocation -= vol.def.allocation;
  }

  /** The first running pool holding a volume whose `field` is `value`, and that volume. */
  findVolume(field: 'key' | 'path', value: string): { pool: TestPool; vol: TestVolume } {
    for (const pool of this.activePools()) {
      for (const vol of pool.volumes.values()) if (vol[field] === value) return { pool, vol };
    }
    throw failed(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching ${field} '${value}'`);
  }
}
