/**
 * Save images of xen:///system: files `xl save` writes (the domain's xl
 * config, then its memory stream) and `xl restore` starts a domain from.
 * What xvirt checks itself, before xl runs, so bad input gets a clear error
 * and leaves the running guest alone: the target directory of a save, and
 * the header (magic, name, UUID) of an image to restore. Managed save images
 * live next to the definitions, one per domain UUID.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { errnoText } from '../../errno-text';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { isUuid } from '../../uuid';

/** The 32 bytes every xl save image starts with (xl's savefileheader_magic). */
const XL_SAVE_MAGIC = Buffer.from('Xen saved domain, xl format\n \0 \r', 'latin1');
/** The header and config JSON come first; the memory stream follows. */
const HEADER_READ_BYTES = 256 * 1024;

function systemError(what: string, err: unknown): XvirtError {
  return XvirtError.of(
    ErrorNumber.SYSTEM_ERROR,
    ErrorDomain.XEN,
    `${what}: ${errnoText(err as NodeJS.ErrnoException)}`,
    { cause: err },
  );
}

function checkPath(file: string, what: string): void {
  if (typeof file !== 'string' || !path.isAbsolute(file) || file.includes('\0')) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN, `${what} '${String(file)}' is not an absolute path`);
  }
}

/** Refuses a save whose file could not be created (missing or unwritable directory, an existing directory). */
export async function checkSaveTarget(file: string): Promise<void> {
  checkPath(file, 'save file');
  try {
    await fs.access(path.dirname(file), fs.constants.W_OK);
  } catch (err) {
    throw systemError(`Failed to create file '${file}'`, err);
  }
  const st = await fs.stat(file).catch(() => null);
  if (st?.isDirectory()) {
    throw XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.XEN, `Failed to create file '${file}': Is a directory`);
  }
}

export interface SaveImage {
  name: string;
  uuid: string;
}

/**
 * The identity of the domain saved in `file`, read from its header: a
 * missing or unreadable file is SYSTEM_ERROR, anything that is not an xl
 * save image with a config naming the domain is OPERATION_FAILED.
 */
export async function readSaveImage(file: string): Promise<SaveImage> {
  checkPath(file, 'save image');
  let head: Buffer;
  try {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(HEADER_READ_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw systemError(`Failed to open domain image file '${file}'`, err);
  }
  const bad = (why: string) =>
    XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.XEN, `'${file}' is not a usable domain save image: ${why}`);
  if (head.length < XL_SAVE_MAGIC.length || !head.subarray(0, XL_SAVE_MAGIC.length).equals(XL_SAVE_MAGIC)) {
    throw bad('it does not start with the header xl save writes');
  }
  // The config is libxl's JSON domain config; c_info (name, uuid) comes first in it.
  const text = head.toString('latin1');
  const cInfo = text.indexOf('"c_info"');
  const name = cInfo < 0 ? null : /"name":\s*"([^"\\]{1,64})"/.exec(text.slice(cInfo))?.[1];
  const uuid = cInfo < 0 ? null : /"uuid":\s*"([0-9a-fA-F-]{36})"/.exec(text.slice(cInfo))?.[1]?.toLowerCase();
  if (!name || !uuid || !isUuid(uuid)) throw bad('its header names no domain (truncated or corrupt)');
  return { name, uuid };
}

/** Managed save images: `<state dir>/save/<uuid>.xl-save`. */
export class ManagedSaveImages {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = path.join(stateDir, 'save');
  }

  pathOf(uuid: string): string {
    return path.join(this.#dir, `${uuid}.xl-save`);
  }

  /** The image's path, creating the directory (0700) if needed. */
  async prepare(uuid: string): Promise<string> {
    try {
      await fs.mkdir(this.#dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw systemError(`cannot create the managed save directory ${this.#dir}`, err);
    }
    return this.pathOf(uuid);
  }

  async has(uuid: string): Promise<boolean> {
    return fs.access(this.pathOf(uuid)).then(
      () => true,
      () => false,
    );
  }

  async remove(uuid: string): Promise<void> {
    try {
      await fs.rm(this.pathOf(uuid), { force: true });
    } catch (err) {
      throw systemError(`cannot remove the managed save image ${this.pathOf(uuid)}`, err);
    }
  }
}
