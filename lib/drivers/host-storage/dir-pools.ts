/**
 * Storage pools of type `dir` on a real host (xen:///system): each pool is a
 * directory under one of the allowed storage roots, each volume a file in it
 * (volume-files.ts). Definitions persist atomically as `<uuid>.xml` (plus an
 * `<uuid>.autostart` marker) in the driver's state directory; autostart pools
 * start when the driver opens. Which pools run is kept in memory.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { StoragePoolEventType, StoragePoolState } from '../../netstore-constants';
import type { StoragePoolInfo, StoragePoolRef, StorageVolRef } from '../../netstore-types';
import { formatStoragePoolXml, parseStoragePoolXml, type StoragePoolDefinition } from '../../xml/storage-pool';
import { HostObjects, openShared } from '../host-objects';
import { DefinitionStore } from '../definition-store';
import * as files from './volume-files';
import { hostToolRunner, type RunHostTool } from '../host-commands';
import { checkFsPool, makeFileSystem, mountFileSystem, mountedDevice, unmountFileSystem } from './fs-pool';

/** Where pool directories may live unless XVIRT_STORAGE_ROOTS says otherwise (colon-separated). */
export const DEFAULT_STORAGE_ROOTS = ['/var/lib/xvirt/images', '/var/lib/libvirt/images'];

function storageError(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.STORAGE, detail);
}

/** Pool XML as this host accepts it: type dir, target an absolute path without '..' inside an allowed root. */
export function parseHostPoolXml(xml: string, roots: readonly string[]): StoragePoolDefinition {
  const def = parseStoragePoolXml(xml);
  if (def.type === 'fs') checkFsPool(def);
  else if (def.type !== 'dir') {
    throw storageError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `storage pool type '${def.type}' is not supported on this host (only 'dir' and 'fs')`,
    );
  }
  const target = def.targetPath;
  if (!path.isAbsolute(target) || target.split('/').some((c) => c === '..' || c === '.')) {
    throw storageError(
      ErrorNumber.XML_ERROR,
      `storage pool target path '${target}' must be absolute, without '.' or '..'`,
    );
  }
  if (!roots.some((r) => target.startsWith(r.endsWith('/') ? r : `${r}/`))) {
    throw storageError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `storage pool target path '${target}' is outside the allowed storage roots (${roots.join(', ')})`,
    );
  }
  return def;
}

const SHARED = new Map<string, Promise<HostDirPools>>();

const POOLS = {
  noun: 'storage pool',
  shortNoun: 'pool',
  missing: ErrorNumber.NO_STORAGE_POOL,
  domain: ErrorDomain.STORAGE,
};

export class HostDirPools extends HostObjects<StoragePoolDefinition> {
  readonly roots: readonly string[];
  readonly #run: RunHostTool;

  private constructor(store: DefinitionStore<StoragePoolDefinition>, roots: readonly string[], run: RunHostTool) {
    super(store, POOLS);
    this.roots = roots;
    this.#run = run;
  }

  /** The one instance for `stateDir` in this process (which pools run is process state, shared by every connection). */
  static shared(stateDir: string, roots: readonly string[]): Promise<HostDirPools> {
    return openShared(SHARED, stateDir, () => HostDirPools.open(stateDir, roots));
  }

  /** Loads the definitions in `stateDir`, takes mounted fs pools as running, starts the autostart pools that can start. */
  static async open(
    stateDir: string,
    roots: readonly string[] = DEFAULT_STORAGE_ROOTS,
    run: RunHostTool = hostToolRunner(ErrorDomain.STORAGE),
  ): Promise<HostDirPools> {
    const store = await DefinitionStore.open(stateDir, (xml) => parseHostPoolXml(xml, roots), {
      noun: 'storage pool',
      domain: ErrorDomain.STORAGE,
    });
    const pools = new HostDirPools(store, roots, run);
    for (const d of store.all()) {
      if (d.config.type === 'fs') {
        const dev = await mountedDevice(d.config);
        if (dev === d.config.source.devices[0]) pools.active.add(d.uuid);
        else if (d.autostart && dev === null) await pools.#open(d).catch(() => undefined);
      } else if (d.autostart && (await isDirectory(d.config.targetPath))) pools.active.add(d.uuid);
    }
    return pools;
  }

  /** The pool's directory, the pool running (`want` true) or stopped. */
  dir(ref: StoragePoolRef, want: boolean | null = true): string {
    const d = this.def(ref);
    if (want !== null && this.active.has(d.uuid) !== want) {
      throw storageError(ErrorNumber.OPERATION_INVALID, `storage pool '${ref.name}' is ${want ? 'not ' : ''}active`);
    }
    return d.config.targetPath;
  }

  async define(xml: string): Promise<StoragePoolRef> {
    const def = parseHostPoolXml(xml, this.roots);
    const sameUuid = this.checkIdentity(def);
    const clash = this.all().find((d) => d.uuid !== def.uuid && d.config.targetPath === def.targetPath);
    if (clash) throw storageError(ErrorNumber.OPERATION_FAILED, `Storage source conflict with pool: '${clash.name}'`);
    if (sameUuid && this.active.has(def.uuid) && sameUuid.config.targetPath !== def.targetPath) {
      throw storageError(
        ErrorNumber.OPERATION_INVALID,
        `storage pool '${def.name}' is active: its target cannot change`,
      );
    }
    // Saved as formatted, with its UUID, so that reloading yields the same pool.
    await this.store.save(formatStoragePoolXml(def, { capacity: 0n, allocation: 0n, available: 0n }), def);
    this.dropTransient(def.uuid); // a running transient pool defined is persistent from now on
    this.emit(def, StoragePoolEventType.DEFINED);
    return this.byName(def.name);
  }

  /** virStoragePoolCreateXML: a pool that runs without a definition (built first with `build`), gone once stopped. */
  async createTransient(xml: string, build: boolean): Promise<StoragePoolRef> {
    const def = parseHostPoolXml(xml, this.roots);
    const clash = this.all().find((d) => d.config.targetPath === def.targetPath);
    if (clash) throw storageError(ErrorNumber.OPERATION_FAILED, `Storage source conflict with pool: '${clash.name}'`);
    this.addTransient(def);
    try {
      if (build) await this.build(def);
      await this.#open(def);
    } catch (err) {
      this.dropTransient(def.uuid);
      throw err;
    }
    this.emit(def, StoragePoolEventType.STARTED);
    return this.byName(def.name);
  }

  async undefine(ref: StoragePoolRef): Promise<void> {
    this.dir(ref, false);
    const d = this.def(ref);
    await this.store.remove(d.uuid);
    this.emit(d, StoragePoolEventType.UNDEFINED);
  }

  /** Creates the directory (and missing parents), with the configured mode and owner. */
  async build(ref: StoragePoolRef, flags = 0): Promise<void> {
    const def = this.config(ref);
    this.dir(ref, false);
    const mode = def.permissions?.mode ?? 0o711;
    try {
      await fs.mkdir(def.targetPath, { recursive: true, mode });
      await fs.chmod(def.targetPath, mode);
      const owner = def.permissions?.owner ?? -1;
      const group = def.permissions?.group ?? -1;
      if (owner >= 0 || group >= 0) await fs.chown(def.targetPath, owner, group);
    } catch (err) {
      throw files.systemError(`cannot create path '${def.targetPath}'`, err);
    }
    if (def.type === 'fs') await makeFileSystem(this.#run, def, flags);
    this.emit(def, StoragePoolEventType.CREATED);
  }

  async start(ref: StoragePoolRef): Promise<void> {
    await this.#open(ref);
    this.emit(this.def(ref), StoragePoolEventType.STARTED);
  }

  async #open(ref: StoragePoolRef): Promise<void> {
    const dir = this.dir(ref, false);
    const def = this.config(ref);
    if (def.type === 'fs') await mountFileSystem(this.#run, def);
    else if (!(await isDirectory(dir))) {
      throw files.systemError(`cannot open directory '${dir}'`, new Error('No such file or directory'));
    }
    this.active.add(this.def(ref).uuid);
  }

  /** An fs pool is unmounted; a transient pool is gone once stopped. */
  async stop(ref: StoragePoolRef): Promise<void> {
    this.dir(ref, true);
    const d = this.def(ref);
    if (d.config.type === 'fs') await unmountFileSystem(this.#run, d.config);
    this.active.delete(d.uuid);
    this.emit(d, StoragePoolEventType.STOPPED);
    if (!this.isPersistent(d)) this.dropTransient(d.uuid);
  }

  /** Volumes are read from the directory on every call: a refresh only checks the pool runs and tells subscribers. */
  refresh(ref: StoragePoolRef): void {
    this.dir(ref, true);
    this.emit(this.def(ref), 0, true);
  }

  /** Removes the (empty) directory of a stopped pool. */
  async deleteStorage(ref: StoragePoolRef): Promise<void> {
    const dir = this.dir(ref, false);
    try {
      await fs.rmdir(dir);
    } catch (err) {
      throw files.systemError(`failed to remove pool '${dir}'`, err);
    }
    this.emit(this.def(ref), StoragePoolEventType.DELETED);
  }

  /** Sizes of the file system holding a running pool (zeros while stopped, as libvirt). */
  async info(ref: StoragePoolRef): Promise<StoragePoolInfo> {
    if (!this.isActive(ref)) return { state: StoragePoolState.INACTIVE, capacity: 0n, allocation: 0n, available: 0n };
    const st = await fs.statfs(this.dir(ref), { bigint: true });
    const capacity = st.blocks * st.bsize;
    return {
      state: StoragePoolState.RUNNING,
      capacity,
      allocation: capacity - st.bfree * st.bsize,
      available: st.bavail * st.bsize,
    };
  }

  /** Volume names: the regular files of a running pool's directory (no hidden or temp files). */
  async volumeNames(ref: StoragePoolRef): Promise<string[]> {
    const dir = this.dir(ref);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  /** The running pool whose directory holds `file`. */
  poolOfPath(file: string): StoragePoolRef {
    const dir = path.dirname(path.resolve(file));
    const d = this.all().find((x) => this.active.has(x.uuid) && x.config.targetPath === dir);
    if (!d) throw storageError(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching path '${file}'`);
    return this.byName(d.name);
  }

  /** The file of volume `name` in a running pool (virStorageVolLookupByName's checks): a regular file directly in it. */
  async volumeFile(pool: StoragePoolRef, name: string): Promise<string> {
    const dir = this.dir(pool);
    const file = files.volumePath(dir, name);
    try {
      await files.checkVolumeFile(dir, file);
    } catch {
      throw storageError(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching name '${name}'`);
    }
    return file;
  }

  /** The file of volume `name` in pool `poolName`, for a domain's volume disk at start, in libvirt's words. */
  async volumePath(poolName: string, name: string): Promise<string> {
    const pool = this.byName(poolName);
    if (!this.isActive(pool)) {
      throw storageError(
        ErrorNumber.OPERATION_INVALID,
        `storage pool '${poolName}' containing volume '${name}' is not active`,
      );
    }
    return this.volumeFile(pool, name);
  }

  volRef(pool: StoragePoolRef, name: string): StorageVolRef {
    const key = path.join(this.dir(pool), name);
    return { pool: pool.name, name, key };
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    const st = await fs.lstat(dir);
    return st.isDirectory();
  } catch {
    return false;
  }
}
