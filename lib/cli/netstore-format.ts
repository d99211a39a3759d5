/** virsh's layouts for network, pool and volume output: pretty capacities, info lines, JSON shapes. */
import {
  storagePoolStateName,
  storageVolTypeName,
  type StoragePoolState,
  type StorageVolType,
} from '../netstore-constants';
import type { StoragePoolInfo, StorageVolInfo } from '../netstore-types';
import type { JsonValue } from './json';
import { isXvirtError } from '../errors';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** virsh's vshPrettyCapacity with "%.2f %s": the largest binary unit the value reaches. */
export function prettyCapacity(bytes: bigint): string {
  let unit = 0;
  while (unit < UNITS.length - 1 && bytes >= 1024n ** BigInt(unit + 1)) unit++;
  const value = Number(bytes) / 1024 ** unit;
  return `${value.toFixed(2)} ${UNITS[unit]}`;
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** The value of `op`, or null when the driver could not say (virsh leaves such a line out). */
export async function optional<T>(op: () => Promise<T>): Promise<T | null> {
  try {
    return await op();
  } catch (err) {
    if (isXvirtError(err)) return null;
    throw err;
  }
}

export function poolInfoJson(info: StoragePoolInfo): { [key: string]: JsonValue } {
  return {
    state: storagePoolStateName(info.state as StoragePoolState),
    capacity: info.capacity,
    allocation: info.allocation,
    available: info.available,
  };
}

export function volInfoJson(info: StorageVolInfo): { [key: string]: JsonValue } {
  return {
    type: storageVolTypeName(info.type as StorageVolType),
    capacity: info.capacity,
    allocation: info.allocation,
  };
}
