/**
 * The test driver's save images, in the layout libvirt's test driver writes
 * (so either can restore the other's): the 15 bytes "TestGuestMagic\0", the
 * definition's length as a 32-bit little-endian int, then the domain XML.
 * Written atomically (a failed save leaves no half image); read with
 * libvirt's checks and words.
 */
import * as fs from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-file';
import { errnoText } from '../../errno-text';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

const MAGIC = Buffer.from('TestGuestMagic\0', 'latin1');
/** libvirt's test driver refuses metadata longer than this. */
const MAX_XML_BYTES = 8192;

function systemError(detail: string, err: unknown): XvirtError {
  return XvirtError.of(
    ErrorNumber.SYSTEM_ERROR,
    ErrorDomain.TEST,
    `${detail}: ${errnoText(err as NodeJS.ErrnoException)}`,
    {
      cause: err,
    },
  );
}

export async function writeSaveImage(file: string, name: string, xml: string): Promise<void> {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeInt32LE(body.length);
  try {
    await writeFileAtomic(file, Buffer.concat([MAGIC, length, body]));
  } catch (err) {
    throw systemError(`saving domain '${name}' to '${file}': write failed`, err);
  }
}

/** The domain XML saved in `file`. */
export async function readSaveImage(file: string): Promise<string> {
  let image: Buffer;
  try {
    image = await fs.readFile(file);
  } catch (err) {
    throw systemError(`cannot read domain image '${file}'`, err);
  }
  const internal = (detail: string) => XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, detail);
  const incomplete = (detail: string) =>
    XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.TEST, `${detail} in '${file}': Success`);
  if (image.length < MAGIC.length) throw incomplete('incomplete save header');
  if (!image.subarray(0, MAGIC.length).equals(MAGIC)) throw internal('mismatched header magic');
  if (image.length < MAGIC.length + 4) throw incomplete('failed to read metadata length');
  const length = image.readInt32LE(MAGIC.length);
  if (length < 1 || length > MAX_XML_BYTES) throw internal('length of metadata out of range');
  const start = MAGIC.length + 4;
  if (image.length < start + length) throw incomplete('incomplete metadata');
  return image.subarray(start, start + length).toString('utf8');
}
