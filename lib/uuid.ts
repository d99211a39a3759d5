/** UUID text/bytes conversion with validation (libvirt accepts dashes anywhere; we emit 8-4-4-4-12). */
import { BoundedCache } from './bounded-cache';
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';

const HEX32_RE = /^[0-9a-f]{32}$/;

/** Parses a UUID (32 hex digits, dashes optional) into canonical lower-case 8-4-4-4-12 text. */
export function parseUuid(text: string): string {
  const hex = typeof text === 'string' ? text.replace(/-/g, '').toLowerCase() : '';
  if (!HEX32_RE.test(hex)) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `malformed UUID '${String(text)}'`);
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuid(text: string): boolean {
  return typeof text === 'string' && HEX32_RE.test(text.replace(/-/g, '').toLowerCase());
}

/** 16 raw bytes (as on libvirt's wire and in Xen's domain handle) from canonical text. */
export function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(parseUuid(uuid).replace(/-/g, ''), 'hex');
}

export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `UUID must be 16 bytes, got ${bytes.length}`);
  }
  // The hex of 16 bytes is always 32 valid digits: format it without re-validating (hot on the RPC path).
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Canonical UUID text to bytes, memoised: the getInfo paths send the same few domains' UUIDs over and over. */
export class UuidBytesCache extends BoundedCache<string, Buffer> {
  get(uuid: string): Buffer {
    return this.peek(uuid) ?? this.set(uuid, uuidToBytes(uuid));
  }
}
