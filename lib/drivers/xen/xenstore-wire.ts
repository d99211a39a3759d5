/**
 * Xenstore's wire protocol (pure, no I/O): a 16-byte little-endian header
 * {type, req_id, tx_id, len} followed by `len` bytes of NUL-separated strings.
 * The same framing runs over xenstored's unix socket and /dev/xen/xenbus.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

/** xsd_sockmsg_type values used here. */
export enum XsType {
  READ = 2,
  WATCH = 4,
  UNWATCH = 5,
  WRITE = 11,
  RM = 13,
  WATCH_EVENT = 15,
  ERROR = 16,
}

export const XS_HEADER_LEN = 16;
/** XENSTORE_PAYLOAD_MAX */
export const XS_PAYLOAD_MAX = 4096;

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Buffer;
}

function protocolError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.XENSTORE, `xenstore protocol: ${detail}`);
}

export function encodeMessage(type: number, reqId: number, payload: Buffer, txId = 0): Buffer {
  if (payload.length > XS_PAYLOAD_MAX) {
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.XENSTORE,
      `xenstore request of ${payload.length} bytes exceeds ${XS_PAYLOAD_MAX}`,
    );
  }
  const msg = Buffer.allocUnsafe(XS_HEADER_LEN + payload.length);
  msg.writeUInt32LE(type, 0);
  msg.writeUInt32LE(reqId >>> 0, 4);
  msg.writeUInt32LE(txId >>> 0, 8);
  msg.writeUInt32LE(payload.length, 12);
  payload.copy(msg, XS_HEADER_LEN);
  return msg;
}

/** Payload of NUL-terminated strings, e.g. ('path', 'token') -> "path\0token\0". */
export function nulStrings(...parts: string[]): Buffer {
  return Buffer.from(parts.map((p) => `${p}\0`).join(''), 'utf8');
}

/** Splits a payload into its NUL-separated strings (a trailing NUL ends the last one). */
export function splitStrings(payload: Buffer): string[] {
  if (payload.length === 0) return [];
  const text = payload.toString('utf8');
  const parts = text.split('\0');
  if (text.endsWith('\0')) parts.pop();
  return parts;
}

/** Turns a byte stream into messages; throws on a frame no xenstored would send. */
export class XsDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): XsMessage[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const out: XsMessage[] = [];
    while (this.#pending.length >= XS_HEADER_LEN) {
      const len = this.#pending.readUInt32LE(12);
      if (len > XS_PAYLOAD_MAX) throw protocolError(`message payload of ${len} bytes exceeds ${XS_PAYLOAD_MAX}`);
      if (this.#pending.length < XS_HEADER_LEN + len) break;
      out.push({
        type: this.#pending.readUInt32LE(0),
        reqId: this.#pending.readUInt32LE(4),
        txId: this.#pending.readUInt32LE(8),
        payload: Buffer.from(this.#pending.subarray(XS_HEADER_LEN, XS_HEADER_LEN + len)),
      });
      this.#pending = this.#pending.subarray(XS_HEADER_LEN + len);
    }
    return out;
  }
}
