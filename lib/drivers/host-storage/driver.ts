/**
 * The storage calls of a real-host driver (xen:///system) over HostDirPools:
 * `dir` and `fs` pools and their raw/qcow2 volume files, transient pools, and pool
 * lifecycle/refresh events (each connection subscribes its own sink to the
 * process-wide pools' hub; releaseHostEvents at close). Other pool types are
 * not offered.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import {
  LIST_STORAGE_POOLS_FILTERS_ALL,
  ListStoragePoolsFlags as F,
  StoragePoolEventId,
  StorageVolResizeFlags as R,
} from '../../netstore-constants';
import type {
  DriverStoragePoolEvent,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
} from '../../netstore-types';
import { HubSubscription } from '../event-hub';
import type { HostObjectEvent } from '../host-objects';
import { formatStoragePoolXml } from '../../xml/storage-pool';
import { formatStorageVolXml, parseStorageVolXml } from '../../xml/storage-vol';
import { matchesStateFlags } from '../list-flags';
import { rejectUnknownFlags } from '../unknown-flags';
import type { HostDirPools } from './dir-pools';
import { BUILD_NO_OVERWRITE, BUILD_OVERWRITE } from './fs-pool';
import * as files from './volume-files';

function badFlags(flags: number, allowed: number, fn: string): void {
  rejectUnknownFlags(ErrorDomain.STORAGE, flags, allowed, fn);
}

/** virStoragePoolCreateFlags WITH_BUILD: build the directory, then start. */
const CREATE_WITH_BUILD = 1;

export abstract class HostStorageDriver {
  /** The host's pools; null when this driver instance has none (NO_SUPPORT for every storage call). */
  protected abstract hostPools(): HostDirPools | null;

  readonly #poolEvents = new HubSubscription<HostObjectEvent>();

  #pools(api: string): HostDirPools {
    const pools = this.hostPools();
    if (!pools) throw XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.STORAGE, api);
    return pools;
  }

  async connectListAllStoragePools(flags: number): Promise<StoragePoolRef[]> {
    badFlags(flags, LIST_STORAGE_POOLS_FILTERS_ALL, 'storageConnectListAllStoragePools');
    const types = flags & ~0x3f;
    const pools = this.#pools('virConnectListAllStoragePools');
    return pools
      .list()
      .filter((p) => types === 0 || types & (pools.config(p.ref).type === 'fs' ? F.FS : F.DIR))
      .filter((p) => matchesStateFlags(flags, p))
      .map((p) => p.ref);
  }

  async storagePoolLookupByName(name: string): Promise<StoragePoolRef> {
    return this.#pools('virStoragePoolLookupByName').byName(name);
  }
  async storagePoolLookupByUuid(uuid: string): Promise<StoragePoolRef> {
    return this.#pools('virStoragePoolLookupByUUID').byUuid(uuid);
  }
  async storagePoolLookupByVolume(vol: StorageVolRef): Promise<StoragePoolRef> {
    return this.#pools('virStoragePoolLookupByVolume').byName(vol.pool);
  }

  async storagePoolDefineXML(xml: string, flags: number): Promise<StoragePoolRef> {
    badFlags(flags, 1, 'storagePoolDefineXML');
    return this.#pools('virStoragePoolDefineXML').define(xml);
  }

  async storagePoolBuild(pool: StoragePoolRef, flags: number): Promise<void> {
    badFlags(flags, BUILD_OVERWRITE | BUILD_NO_OVERWRITE, 'storagePoolBuild');
    if (flags & BUILD_OVERWRITE && flags & BUILD_NO_OVERWRITE) {
      throw XvirtError.of(
        ErrorNumber.OPERATION_INVALID,
        ErrorDomain.STORAGE,
        'Overwrite and no overwrite flags are mutually exclusive',
      );
    }
    await this.#pools('virStoragePoolBuild').build(pool, flags);
  }

  async storagePoolCreate(pool: StoragePoolRef, flags: number): Promise<void> {
    badFlags(flags, CREATE_WITH_BUILD, 'storagePoolCreate');
    const pools = this.#pools('virStoragePoolCreate');
    if (flags & CREATE_WITH_BUILD) await pools.build(pool);
    await pools.start(pool);
  }

  async storagePoolDestroy(pool: StoragePoolRef): Promise<void> {
    await this.#pools('virStoragePoolDestroy').stop(pool);
  }

  async storagePoolDelete(pool: StoragePoolRef, flags: number): Promise<void> {
    badFlags(flags, 0, 'storagePoolDelete');
    await this.#pools('virStoragePoolDelete').deleteStorage(pool);
  }

  async storagePoolUndefine(pool: StoragePoolRef): Promise<void> {
    await this.#pools('virStoragePoolUndefine').undefine(pool);
  }

  async storagePoolRefresh(pool: StoragePoolRef, flags: number): Promise<void> {
    badFlags(flags, 0, 'storagePoolRefresh');
    this.#pools('virStoragePoolRefresh').refresh(pool);
  }

  async storagePoolGetInfo(pool: StoragePoolRef): Promise<StoragePoolInfo> {
    return this.#pools('virStoragePoolGetInfo').info(pool);
  }

  async storagePoolGetXMLDesc(pool: StoragePoolRef, flags: number): Promise<string> {
    badFlags(flags, 0, 'storagePoolGetXMLDesc');
    const pools = this.#pools('virStoragePoolGetXMLDesc');
    const { capacity, allocation, available } = await pools.info(pool);
    return formatStoragePoolXml(pools.config(pool), { capacity, allocation, available });
  }

  async storagePoolIsActive(pool: StoragePoolRef): Promise<boolean> {
    return this.#pools('virStoragePoolIsActive').isActive(pool);
  }
  async storagePoolIsPersistent(pool: StoragePoolRef): Promise<boolean> {
    return this.#pools('virStoragePoolIsPersistent').isPersistent(pool);
  }

  async storagePoolCreateXML(xml: string, flags: number): Promise<StoragePoolRef> {
    badFlags(flags, CREATE_WITH_BUILD, 'storagePoolCreateXML');
    return this.#pools('virStoragePoolCreateXML').createTransient(xml, (flags & CREATE_WITH_BUILD) !== 0);
  }

  async startStoragePoolEvents(sink: (event: DriverStoragePoolEvent) => void): Promise<void> {
    const hub = this.#pools('virConnectStoragePoolEventRegisterAny').events;
    this.#poolEvents.subscribe(hub, (e) =>
      sink({
        pool: e.ref,
        eventId: e.refresh ? StoragePoolEventId.REFRESH : StoragePoolEventId.LIFECYCLE,
        event: e.event,
        detail: 0,
      }),
    );
  }

  async stopStoragePoolEvents(): Promise<void> {
    this.#poolEvents.release();
  }

  /** Drops this connection's event sinks (at close). */
  protected releaseHostEvents(): void {
    this.#poolEvents.release();
  }

  async storagePoolGetAutostart(pool: StoragePoolRef): Promise<boolean> {
    return this.#pools('virStoragePoolGetAutostart').autostart(pool);
  }
  async storagePoolSetAutostart(pool: StoragePoolRef, autostart: boolean): Promise<void> {
    await this.#pools('virStoragePoolSetAutostart').setAutostart(pool, autostart);
  }

  async storagePoolListAllVolumes(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]> {
    badFlags(flags, 0, 'storagePoolListAllVolumes');
    const pools = this.#pools('virStoragePoolListAllVolumes');
    return (await pools.volumeNames(pool)).map((n) => pools.volRef(pool, n));
  }

  /** The running pool and checked file of a volume reference. */
  async #volume(vol: StorageVolRef, api: string): Promise<{ dir: string; ref: StorageVolRef }> {
    const pools = this.#pools(api);
    const dir = pools.dir({ name: vol.pool, uuid: '' });
    await files.checkVolumeFile(dir, files.volumePath(dir, vol.name));
    return { dir, ref: pools.volRef({ name: vol.pool, uuid: '' }, vol.name) };
  }

  async storageVolLookupByName(pool: StoragePoolRef, name: string): Promise<StorageVolRef> {
    const pools = this.#pools('virStorageVolLookupByName');
    await pools.volumeFile(pool, name);
    return pools.volRef(pool, name);
  }

  async storageVolLookupByPath(file: string): Promise<StorageVolRef> {
    const pools = this.#pools('virStorageVolLookupByPath');
    const pool = pools.poolOfPath(file);
    const dir = pools.dir(pool);
    await files.checkVolumeFile(dir, file);
    return pools.volRef(pool, file.slice(dir.length + 1));
  }

  async storageVolLookupByKey(key: string): Promise<StorageVolRef> {
    try {
      return await this.storageVolLookupByPath(key);
    } catch (err) {
      if (err instanceof XvirtError && err.number === ErrorNumber.NO_STORAGE_VOL) {
        throw XvirtError.of(
          ErrorNumber.NO_STORAGE_VOL,
          ErrorDomain.STORAGE,
          `no storage vol with matching key '${key}'`,
        );
      }
      throw err;
    }
  }

  async storageVolCreateXML(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef> {
    badFlags(flags, 0, 'storageVolCreateXML');
    const pools = this.#pools('virStorageVolCreateXML');
    const def = parseStorageVolXml(xml, 'dir');
    const info = await pools.info(pool);
    if (def.allocation > info.available) {
      throw XvirtError.of(
        ErrorNumber.INTERNAL_ERROR,
        ErrorDomain.STORAGE,
        `Not enough free space in pool for volume '${def.name}'`,
      );
    }
    await files.createVolumeFile(pools.dir(pool), def, null);
    return pools.volRef(pool, def.name);
  }

  async storageVolCreateXMLFrom(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef> {
    badFlags(flags, 0, 'storageVolCreateXMLFrom');
    const pools = this.#pools('virStorageVolCreateXMLFrom');
    const source = await this.#volume(clone, 'virStorageVolCreateXMLFrom');
    const def = parseStorageVolXml(xml, 'dir');
    await files.createVolumeFile(pools.dir(pool), def, source.ref.key);
    return pools.volRef(pool, def.name);
  }

  async storageVolDelete(vol: StorageVolRef, flags: number): Promise<void> {
    badFlags(flags, 0, 'storageVolDelete');
    const { dir } = await this.#volume(vol, 'virStorageVolDelete');
    await files.deleteVolumeFile(dir, vol.name);
  }

  async storageVolWipe(vol: StorageVolRef, flags: number): Promise<void> {
    badFlags(flags, 0, 'storageVolWipe');
    const { dir } = await this.#volume(vol, 'virStorageVolWipe');
    await files.wipeVolumeFile(dir, vol.name);
  }

  async storageVolGetInfo(vol: StorageVolRef): Promise<StorageVolInfo> {
    const { dir } = await this.#volume(vol, 'virStorageVolGetInfo');
    const def = await files.describeVolume(dir, vol.name);
    return { type: files.VOLUME_TYPE, capacity: def.capacity, allocation: def.allocation };
  }

  async storageVolGetXMLDesc(vol: StorageVolRef, flags: number): Promise<string> {
    badFlags(flags, 0, 'storageVolGetXMLDesc');
    const { dir, ref } = await this.#volume(vol, 'virStorageVolGetXMLDesc');
    return formatStorageVolXml(await files.describeVolume(dir, vol.name), { key: ref.key, path: ref.key });
  }

  async storageVolGetPath(vol: StorageVolRef): Promise<string> {
    return (await this.#volume(vol, 'virStorageVolGetPath')).ref.key;
  }

  async storageVolResize(vol: StorageVolRef, capacity: bigint, flags: number): Promise<void> {
    badFlags(flags, R.DELTA | R.SHRINK, 'storageVolResize');
    const { dir } = await this.#volume(vol, 'virStorageVolResize');
    const current = (await files.describeVolume(dir, vol.name)).capacity;
    const target = flags & R.DELTA ? current + capacity : capacity;
    if (target < current && !(flags & R.SHRINK)) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.STORAGE,
        "Can't shrink capacity below current capacity unless shrink flag explicitly specified",
      );
    }
    await files.resizeVolumeFile(dir, vol.name, target);
  }
}
