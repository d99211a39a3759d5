/**
 * `fs` storage pools: a block device's file system mounted at the pool's
 * target directory (under the allowed storage roots), volumes being files in
 * it as in a `dir` pool. As libvirt's fs backend: build makes the target
 * directory and, with OVERWRITE (or NO_OVERWRITE when blkid finds no file
 * system on the device), runs mkfs; start mounts (nodev, nosuid), stop
 * unmounts, delete removes the target directory (the device is left as
 * it is). The device must be a block device under /dev; the file system
 * type one of FS_TYPES.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { StoragePoolDefinition } from '../../xml/storage-pool';
import type { RunHostTool } from '../host-commands';

const FS_TYPES = new Set(['auto', 'ext2', 'ext3', 'ext4', 'xfs', 'vfat']);
/** virStoragePoolBuildFlags */
export const BUILD_NO_OVERWRITE = 4;
export const BUILD_OVERWRITE = 8;

function storageError(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.STORAGE, detail);
}

function device(def: StoragePoolDefinition): string {
  return def.source.devices[0]!;
}

/** What an fs pool's definition must hold on this host (called when it is parsed). */
export function checkFsPool(def: StoragePoolDefinition): void {
  if (def.source.devices.length !== 1) {
    throw storageError(ErrorNumber.XML_ERROR, `storage pool '${def.name}': an fs pool needs exactly one source device`);
  }
  const dev = device(def);
  if (!dev.startsWith('/dev/') || dev.split('/').some((c) => c === '..' || c === '.') || /[\s,]/.test(dev)) {
    throw storageError(
      ErrorNumber.XML_ERROR,
      `storage pool '${def.name}': source device '${dev}' must be a path under /dev`,
    );
  }
  const type = def.source.format ?? 'auto';
  if (!FS_TYPES.has(type)) {
    throw storageError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `storage pool '${def.name}': file system type '${type}' is not supported on this host (${[...FS_TYPES].join(', ')})`,
    );
  }
}

/** The device mounted at the pool's target in this mount namespace, or null. */
export async function mountedDevice(def: StoragePoolDefinition, mounts = '/proc/self/mounts'): Promise<string | null> {
  const text = await fs.readFile(mounts, 'utf8');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of text.split('\n')) {
    const [source, target] = line.split(' ');
    if (source && target && unescape(target) === def.targetPath) return unescape(source);
  }
  return null;
}

async function checkBlockDevice(def: StoragePoolDefinition): Promise<void> {
  const st = await fs.stat(device(def)).catch(() => null);
  if (!st?.isBlockDevice()) {
    throw storageError(
      ErrorNumber.OPERATION_FAILED,
      `storage pool '${def.name}': '${device(def)}' is not a block device`,
    );
  }
}

/** mkfs on the device: always with OVERWRITE, with NO_OVERWRITE only when blkid finds no file system on it. */
export async function makeFileSystem(run: RunHostTool, def: StoragePoolDefinition, flags: number): Promise<void> {
  if (!(flags & (BUILD_OVERWRITE | BUILD_NO_OVERWRITE))) return;
  const type = def.source.format ?? 'auto';
  if (type === 'auto') {
    throw storageError(
      ErrorNumber.OPERATION_INVALID,
      `storage pool '${def.name}': name a <format type> to build a file system`,
    );
  }
  await checkBlockDevice(def);
  if (await mountedDevice(def))
    throw storageError(ErrorNumber.OPERATION_INVALID, `storage pool '${def.name}' is mounted`);
  if (flags & BUILD_NO_OVERWRITE) {
    const found = (await run('blkid', ['-p', '-o', 'value', '-s', 'TYPE', device(def)]).catch(() => '')).trim();
    if (found) {
      throw storageError(
        ErrorNumber.STORAGE_POOL_BUILT,
        `Storage pool already built: device '${device(def)}' holds a '${found}' file system`,
      );
    }
  }
  const force = type === 'xfs' ? ['-f'] : type.startsWith('ext') ? ['-F'] : [];
  await run('mkfs', ['-t', type, ...force, device(def)]);
}

export async function mountFileSystem(run: RunHostTool, def: StoragePoolDefinition): Promise<void> {
  await checkBlockDevice(def);
  const st = await fs.stat(def.targetPath).catch(() => null);
  if (!st?.isDirectory()) {
    throw storageError(
      ErrorNumber.OPERATION_INVALID,
      `cannot mount storage pool '${def.name}': '${def.targetPath}' is not a directory (build the pool)`,
    );
  }
  const there = await mountedDevice(def);
  if (there)
    throw storageError(ErrorNumber.OPERATION_INVALID, `Target '${def.targetPath}' is already mounted (${there})`);
  const type = def.source.format ?? 'auto';
  await run('mount', [
    ...(type === 'auto' ? [] : ['-t', type]),
    '-o',
    'nodev,nosuid',
    device(def),
    path.resolve(def.targetPath),
  ]);
}

export async function unmountFileSystem(run: RunHostTool, def: StoragePoolDefinition): Promise<void> {
  if ((await mountedDevice(def)) !== null) await run('umount', [def.targetPath]);
}
