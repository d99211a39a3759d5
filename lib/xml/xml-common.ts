/**
 * Pieces shared by the network, storage pool and volume XML parsers: strict
 * element sets (an element we would not keep is refused, never dropped),
 * object names, UUIDs and libvirt's scaled byte counts.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain } from '../errors';
import { isUuid, parseUuid } from '../uuid';
import { childElements, childText, xmlError } from './dom';
import { unitScale } from './units';

/** libvirt's largest unsigned long long: capacities are 64-bit byte counts. */
export const MAX_U64 = (1n << 64n) - 1n;
const MAX_NAME_LENGTH = 1024;

/** Refuses child elements of `el` outside `known` (what we do not keep would be silently lost). */
export function checkKnownChildren(el: Element, known: ReadonlySet<string>, where: string, domain: ErrorDomain): void {
  for (const child of childElements(el)) {
    if (!known.has(child.nodeName)) {
      throw xmlError(`element <${child.nodeName}> in ${where} is not supported by xvirt`, domain);
    }
  }
}

/** The text of <name>: present, no '/', no control characters, bounded. */
export function parseObjectName(root: Element, what: string, domain: ErrorDomain): string {
  const name = childText(root, 'name');
  if (!name) throw xmlError(`missing ${what} name element`, domain);
  if (name.length > MAX_NAME_LENGTH) throw xmlError(`${what} name longer than ${MAX_NAME_LENGTH} characters`, domain);
  if (name.includes('/')) throw xmlError(`name ${name} cannot contain '/'`, domain);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name))
    throw xmlError(`${what} name ${JSON.stringify(name)} cannot contain control characters`, domain);
  return name;
}

/** <uuid> in canonical form, or a fresh random one when absent (as libvirt generates). */
export function parseUuidChild(root: Element, domain: ErrorDomain): string {
  const text = childText(root, 'uuid');
  if (text === null || text === '') return randomUUID();
  if (!isUuid(text)) throw xmlError(`malformed uuid element '${text}'`, domain);
  return parseUuid(text);
}

/**
 * A scaled byte count such as `<capacity unit='G'>10</capacity>` (default
 * unit bytes), or null when the element is absent. libvirt's wording on error.
 */
export function parseScaledBytes(parent: Element, name: string, domain: ErrorDomain): bigint | null {
  const el = childElements(parent).find((c) => c.nodeName === name);
  if (!el) return null;
  const text = (el.textContent ?? '').trim();
  const unit = el.hasAttribute('unit') ? el.getAttribute('unit')! : 'bytes';
  const scale = unitScale(unit);
  if (!/^[0-9]+$/.test(text) || scale === null) throw xmlError(`malformed ${name} element`, domain);
  const bytes = BigInt(text) * scale;
  if (bytes > MAX_U64) throw xmlError(`${name} element value ${text} ${unit} is larger than 2^64-1 bytes`, domain);
  return bytes;
}

/** An absolute or relative path with no NUL or newline (they cannot name a file and would break formats). */
export function checkPathText(path: string, what: string, domain: ErrorDomain): string {
  // eslint-disable-next-line no-control-regex
  if (path === '' || /[\x00-\x1f]/.test(path))
    throw xmlError(`${what} ${JSON.stringify(path)} is not a valid path`, domain);
  return path;
}
