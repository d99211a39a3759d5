/**
 * Storage pools and volumes on a connection (libvirt's virStoragePool and
 * virStorageVol APIs): typed promises, libvirt's argument checks and numbers,
 * NO_SUPPORT naming the virStorageXxx API when the driver lacks a call.
 */
import { checkName, checkString, checkUnsigned, invalidArg } from './api-checks';
import { ErrorDomain } from './errors';
import type { StoragePoolInfo, StoragePoolRef, StorageVolInfo, StorageVolRef } from './netstore-types';
import { driverCall, type NetworkHost } from './network';
import type { Driver } from './types';

const STORAGE = ErrorDomain.STORAGE;
/** Sizes are bytes, up to libvirt's unsigned long long. */
const MAX_U64 = (1n << 64n) - 1n;

function call<K extends keyof Driver>(
  host: NetworkHost,
  method: K,
  api: string,
  write = false,
): NonNullable<Driver[K]> {
  return driverCall(host, method, api, STORAGE, write);
}

export class StoragePool {
  readonly connection: NetworkHost;
  readonly ref: StoragePoolRef;

  constructor(connection: NetworkHost, ref: StoragePoolRef) {
    this.connection = connection;
    this.ref = ref;
  }

  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return this.ref.uuid;
  }

  /** Builds the pool's storage (flags: StoragePoolBuildFlags). */
  async build(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storagePoolBuild', 'virStoragePoolBuild', true)(this.ref, flags);
  }

  /** Starts the (defined, inactive) pool. */
  async create(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storagePoolCreate', 'virStoragePoolCreate', true)(this.ref, flags);
  }

  async destroy(): Promise<void> {
    return call(this.connection, 'storagePoolDestroy', 'virStoragePoolDestroy', true)(this.ref);
  }

  /** Deletes the pool's underlying storage (the pool must be inactive). */
  async delete(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storagePoolDelete', 'virStoragePoolDelete', true)(this.ref, flags);
  }

  async undefine(): Promise<void> {
    return call(this.connection, 'storagePoolUndefine', 'virStoragePoolUndefine', true)(this.ref);
  }

  async refresh(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storagePoolRefresh', 'virStoragePoolRefresh', true)(this.ref, flags);
  }

  async getInfo(): Promise<StoragePoolInfo> {
    return call(this.connection, 'storagePoolGetInfo', 'virStoragePoolGetInfo')(this.ref);
  }

  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storagePoolGetXMLDesc', 'virStoragePoolGetXMLDesc')(this.ref, flags);
  }

  async isActive(): Promise<boolean> {
    return call(this.connection, 'storagePoolIsActive', 'virStoragePoolIsActive')(this.ref);
  }
  async isPersistent(): Promise<boolean> {
    return call(this.connection, 'storagePoolIsPersistent', 'virStoragePoolIsPersistent')(this.ref);
  }

  async getAutostart(): Promise<boolean> {
    return call(this.connection, 'storagePoolGetAutostart', 'virStoragePoolGetAutostart')(this.ref);
  }

  async setAutostart(autostart: boolean): Promise<void> {
    if (typeof autostart !== 'boolean') throw invalidArg('autostart must be a boolean');
    return call(this.connection, 'storagePoolSetAutostart', 'virStoragePoolSetAutostart', true)(this.ref, autostart);
  }

  async listAllVolumes(flags: number = 0): Promise<StorageVolume[]> {
    checkUnsigned(flags, 'flags');
    const refs = await call(
      this.connection,
      'storagePoolListAllVolumes',
      'virStoragePoolListAllVolumes',
    )(this.ref, flags);
    return refs.map((r) => new StorageVolume(this.connection, r));
  }

  async lookupVolumeByName(name: string): Promise<StorageVolume> {
    checkName(name, 'name');
    return new StorageVolume(
      this.connection,
      await call(this.connection, 'storageVolLookupByName', 'virStorageVolLookupByName')(this.ref, name),
    );
  }

  /** Creates a volume from volume XML. */
  async createVolumeXML(xml: string, flags: number = 0): Promise<StorageVolume> {
    checkString(xml, 'xmlDesc');
    checkUnsigned(flags, 'flags');
    const api = 'virStorageVolCreateXML';
    return new StorageVolume(
      this.connection,
      await call(this.connection, 'storageVolCreateXML', api, true)(this.ref, xml, flags),
    );
  }

  /** Creates a volume from volume XML, its content cloned from `clone` (virStorageVolCreateXMLFrom). */
  async createVolumeXMLFrom(xml: string, clone: StorageVolume, flags: number = 0): Promise<StorageVolume> {
    checkString(xml, 'xmlDesc');
    if (!(clone instanceof StorageVolume) || clone.connection !== this.connection) {
      throw invalidArg('clonevol must be a volume of this connection');
    }
    checkUnsigned(flags, 'flags');
    const api = 'virStorageVolCreateXMLFrom';
    const ref = await call(this.connection, 'storageVolCreateXMLFrom', api, true)(this.ref, xml, clone.ref, flags);
    return new StorageVolume(this.connection, ref);
  }
}

export class StorageVolume {
  readonly connection: NetworkHost;
  readonly ref: StorageVolRef;

  constructor(connection: NetworkHost, ref: StorageVolRef) {
    this.connection = connection;
    this.ref = ref;
  }

  get name(): string {
    return this.ref.name;
  }
  get key(): string {
    return this.ref.key;
  }
  /** The name of the pool holding the volume. */
  get poolName(): string {
    return this.ref.pool;
  }

  async delete(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storageVolDelete', 'virStorageVolDelete', true)(this.ref, flags);
  }

  async wipe(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storageVolWipe', 'virStorageVolWipe', true)(this.ref, flags);
  }

  async getInfo(): Promise<StorageVolInfo> {
    return call(this.connection, 'storageVolGetInfo', 'virStorageVolGetInfo')(this.ref);
  }

  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storageVolGetXMLDesc', 'virStorageVolGetXMLDesc')(this.ref, flags);
  }

  async getPath(): Promise<string> {
    return call(this.connection, 'storageVolGetPath', 'virStorageVolGetPath')(this.ref);
  }

  /** Sets the capacity to `capacity` bytes (flags: StorageVolResizeFlags). */
  async resize(capacity: bigint, flags: number = 0): Promise<void> {
    if (typeof capacity !== 'bigint' || capacity < 0n || capacity > MAX_U64) {
      throw invalidArg('capacity must be a bigint from 0 to 2^64-1');
    }
    checkUnsigned(flags, 'flags');
    return call(this.connection, 'storageVolResize', 'virStorageVolResize', true)(this.ref, capacity, flags);
  }

  /** The pool holding this volume. */
  async getPool(): Promise<StoragePool> {
    const ref = await call(this.connection, 'storagePoolLookupByVolume', 'virStoragePoolLookupByVolume')(this.ref);
    return new StoragePool(this.connection, ref);
  }
}
