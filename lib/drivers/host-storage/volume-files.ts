/**
 * Volume files of a host `dir` pool. Every path is the pool directory joined
 * with one checked name component, opened without following symlinks, and
 * checked to be a regular file in that very directory: nothing outside the
 * pool's directory is ever created, changed or deleted. raw volumes are
 * sparse files; qcow2 needs qemu-img (refused clearly when not installed).
 */
import { execFile } from 'node:child_process';
import { constants as C, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { StorageVolType } from '../../netstore-constants';
import { checkVolumeName, type StorageVolDefinition } from '../../xml/storage-vol';

const run = promisify(execFile);
const QCOW2_MAGIC = 0x514649fb;

function storageError(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.STORAGE, detail);
}

export function systemError(what: string, err: unknown): XvirtError {
  return XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.STORAGE, `${what}: ${(err as Error).message}`, {
    cause: err,
  });
}

/** The file of volume `name` in pool directory `dir` (the name is one plain component). */
export function volumePath(dir: string, name: string): string {
  checkVolumeName(name);
  const file = path.join(dir, name);
  if (path.dirname(file) !== dir || name.startsWith('.')) {
    throw storageError(ErrorNumber.INVALID_ARG, `volume name '${name}' does not name a file in ${dir}`);
  }
  return file;
}

/** The volume file `file` must be a regular file directly in `dir` (not a symlink). */
export async function checkVolumeFile(dir: string, file: string): Promise<import('node:fs').Stats> {
  if (path.dirname(path.resolve(file)) !== dir || path.basename(file).startsWith('.')) {
    throw storageError(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching path '${file}'`);
  }
  let st;
  try {
    st = await fs.lstat(file);
  } catch {
    throw storageError(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching path '${file}'`);
  }
  if (!st.isFile()) throw storageError(ErrorNumber.NO_STORAGE_VOL, `no storage vol with matching path '${file}'`);
  return st;
}

async function qemuImg(args: string[]): Promise<void> {
  try {
    await run('qemu-img', args, { timeout: 120_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw storageError(
        ErrorNumber.CONFIG_UNSUPPORTED,
        'qcow2 volumes need qemu-img, which is not installed on this host',
      );
    }
    throw storageError(ErrorNumber.OPERATION_FAILED, `qemu-img ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Format and virtual size from the file's header: qcow2 by its magic, anything else raw. */
async function probe(file: string, size: number): Promise<{ format: string; capacity: bigint }> {
  const fh = await fs.open(file, C.O_RDONLY | C.O_NOFOLLOW);
  try {
    const head = Buffer.alloc(32);
    const { bytesRead } = await fh.read(head, 0, 32, 0);
    if (bytesRead >= 32 && head.readUInt32BE(0) === QCOW2_MAGIC)
      return { format: 'qcow2', capacity: head.readBigUInt64BE(24) };
  } finally {
    await fh.close();
  }
  return { format: 'raw', capacity: BigInt(size) };
}

/** What the file holds, as a volume definition. */
export async function describeVolume(dir: string, name: string): Promise<StorageVolDefinition> {
  const file = volumePath(dir, name);
  const st = await checkVolumeFile(dir, file);
  const { format, capacity } = await probe(file, st.size);
  return {
    name,
    capacity,
    allocation: BigInt(st.blocks) * 512n,
    format,
    permissions: { mode: st.mode & 0o7777, owner: st.uid, group: st.gid, label: null },
    compat: null,
    features: [],
    backingStore: null,
  };
}

export const VOLUME_TYPE = StorageVolType.FILE;

/** Creates the file of `def` in `dir` (exclusively): raw sparse, qcow2 through qemu-img. */
export async function createVolumeFile(
  dir: string,
  def: StorageVolDefinition,
  cloneFrom: string | null,
): Promise<void> {
  const file = volumePath(dir, def.name);
  const mode = def.permissions?.mode ?? 0o600;
  if (def.format !== 'raw' && def.format !== 'qcow2') {
    throw storageError(
      ErrorNumber.CONFIG_UNSUPPORTED,
      `volume format '${def.format}' is not supported on this host (raw, qcow2)`,
    );
  }
  try {
    await fs.lstat(file);
    throw storageError(ErrorNumber.STORAGE_VOL_EXIST, `'${def.name}'`);
  } catch (err) {
    if (err instanceof XvirtError) throw err;
  }
  if (def.format === 'qcow2') {
    const args = ['create', '-q', '-f', 'qcow2'];
    if (def.backingStore) args.push('-b', def.backingStore.path, '-F', def.backingStore.format ?? 'raw');
    if (cloneFrom) await qemuImg(['convert', '-q', '-O', 'qcow2', cloneFrom, file]);
    else await qemuImg([...args, file, String(def.capacity)]);
    await fs.chmod(file, mode);
    return;
  }
  if (def.backingStore) throw storageError(ErrorNumber.CONFIG_UNSUPPORTED, 'a raw volume cannot have a backing store');
  let fh: fs.FileHandle | null;
  try {
    fh = await fs.open(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
  } catch (err) {
    throw systemError(`cannot create volume file '${file}'`, err);
  }
  try {
    if (cloneFrom) {
      const size = await copySparse(cloneFrom, fh);
      await fh.truncate(Number(def.capacity > size ? def.capacity : size));
    } else {
      await fh.truncate(Number(def.capacity));
    }
  } catch (err) {
    await fh?.close();
    fh = null;
    await fs.rm(file, { force: true });
    throw systemError(`cannot create volume file '${file}'`, err);
  } finally {
    await fh?.close();
  }
}

const COPY_CHUNK = 64 * 1024;

/** Copies `source` into `target`, leaving holes where the source reads as zeros; resolves with the size. */
async function copySparse(source: string, target: fs.FileHandle): Promise<bigint> {
  const src = await fs.open(source, C.O_RDONLY | C.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(COPY_CHUNK);
    let offset = 0;
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, COPY_CHUNK, offset);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (chunk.some((b) => b !== 0)) await target.write(chunk, 0, bytesRead, offset);
      offset += bytesRead;
    }
    await target.truncate(offset);
    return BigInt(offset);
  } finally {
    await src.close();
  }
}

export async function deleteVolumeFile(dir: string, name: string): Promise<void> {
  const file = volumePath(dir, name);
  await checkVolumeFile(dir, file);
  try {
    await fs.unlink(file);
  } catch (err) {
    throw systemError(`cannot unlink file '${file}'`, err);
  }
}

/** Zeroes a volume: a raw file is cut to nothing and regrown (sparse, all zeros). */
export async function wipeVolumeFile(dir: string, name: string): Promise<void> {
  const def = await describeVolume(dir, name);
  if (def.format !== 'raw')
    throw storageError(ErrorNumber.CONFIG_UNSUPPORTED, `wiping ${def.format} volumes is not supported on this host`);
  const file = volumePath(dir, name);
  await fs.truncate(file, 0);
  await fs.truncate(file, Number(def.capacity));
}

export async function resizeVolumeFile(dir: string, name: string, capacity: bigint): Promise<void> {
  const def = await describeVolume(dir, name);
  const file = volumePath(dir, name);
  if (def.format === 'qcow2') await qemuImg(['resize', '-q', '-f', 'qcow2', file, String(capacity)]);
  else await fs.truncate(file, Number(capacity));
}
