/**
 * XDR's byte level: the Codec interface, a growable writer, a bounds-checked
 * reader, and encode/decode of one whole value. The combinators that build
 * codecs are in xdr.ts (import from there).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { DecodedBytesCache } from '../bounded-cache';
/** One XDR type: how to write a value and how to read it back. */
export interface Codec<T> {
  /** Writes `value`; `field` names it in errors. */
  write(w: XdrWriter, value: T, field: string): void;
  read(r: XdrReader, field: string): T;
}

/** The TypeScript type a codec carries. */
export type CodecType<C> = C extends Codec<infer T> ? T : never;

export function xdrError(field: string, detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.RPC, ErrorDomain.RPC, `XDR field '${field}': ${detail}`);
}

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

/** A growable big-endian output buffer. */
export class XdrWriter {
  #buf: Buffer;
  #len = 0;

  constructor(initialSize = 256) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const at = this.#len;
    if (at + n > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, at + n));
      this.#buf.copy(next, 0, 0, at);
      this.#buf = next;
    }
    this.#len = at + n;
    return at;
  }

  // Reserve first: `this.#buf.write...(v, this.#reserve(n))` would read #buf before a growth replaces it.
  int32(v: number): void {
    const at = this.#reserve(4);
    this.#buf.writeInt32BE(v, at);
  }
  uint32(v: number): void {
    const at = this.#reserve(4);
    this.#buf.writeUInt32BE(v, at);
  }
  int64(v: bigint): void {
    const at = this.#reserve(8);
    this.#buf.writeBigInt64BE(v, at);
  }
  uint64(v: bigint): void {
    const at = this.#reserve(8);
    this.#buf.writeBigUInt64BE(v, at);
  }

  /** Raw bytes followed by zero padding to a multiple of 4. */
  bytes(b: Uint8Array): void {
    const padding = pad4(b.length);
    const at = this.#reserve(b.length + padding);
    this.#buf.set(b, at);
    // Most bytes written on hot paths are pre-padded (cached names): no fill call for them.
    if (padding !== 0) this.#buf.fill(0, at + b.length, this.#len);
  }

  /** Bytes the buffer holds before it must grow. */
  get capacity(): number {
    return this.#buf.length;
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): void {
    this.#len = 0;
  }

  /** The bytes written so far, not copied: valid until the next write or reset. */
  view(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

/** A cursor over input bytes; every read is bounds-checked. */
export class XdrReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #take(n: number, field: string): number {
    if (n > this.remaining) throw xdrError(field, `needs ${n} bytes, only ${this.remaining} left`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  int32(field: string): number {
    return this.#buf.readInt32BE(this.#take(4, field));
  }
  uint32(field: string): number {
    return this.#buf.readUInt32BE(this.#take(4, field));
  }
  int64(field: string): bigint {
    return this.#buf.readBigInt64BE(this.#take(8, field));
  }
  uint64(field: string): bigint {
    return this.#buf.readBigUInt64BE(this.#take(8, field));
  }

  /** `n` raw bytes plus their padding, which must be zero. Returns a copy. */
  bytes(n: number, field: string): Buffer {
    return Buffer.from(this.view(n, field));
  }

  /**
   * As bytes(), with the same checks, but returns a view into the input, not
   * a copy: only for bytes that are converted at once (to text, a UUID) and
   * never handed to callers, who could keep the whole input alive or see it change.
   */
  view(n: number, field: string): Buffer {
    const padding = pad4(n);
    const at = this.#take(n + padding, field);
    for (let i = at + n; i < at + n + padding; i++) {
      if (this.#buf[i] !== 0) throw xdrError(field, 'non-zero padding');
    }
    return this.#buf.subarray(at, at + n);
  }

  /**
   * As decode(view(n, field)), but bytes `cache` has seen before give their
   * remembered value without a decode (for short values that repeat).
   */
  cached<T>(n: number, field: string, cache: DecodedBytesCache<T>, decode: (bytes: Buffer) => T): T {
    const padding = pad4(n);
    const at = this.#take(n + padding, field);
    for (let i = at + n; i < at + n + padding; i++) {
      if (this.#buf[i] !== 0) throw xdrError(field, 'non-zero padding');
    }
    return cache.get(this.#buf, at, at + n) ?? cache.set(this.#buf, at, at + n, decode(this.#buf.subarray(at, at + n)));
  }

  /** Fails unless every byte was consumed. */
  end(what: string): void {
    if (this.remaining !== 0) throw xdrError(what, `${this.remaining} unexpected trailing bytes`);
  }
}

/** The largest scratch buffer kept between encodes (a bigger one is dropped, not held forever). */
const SCRATCH_KEEP = 1024 * 1024;
/** One writer reused by encode() and encodeWith(): no growing buffers left behind for every reply. */
let scratch: XdrWriter | null = null;

/** Encodes one value into a fresh buffer. */
export function encode<T>(codec: Codec<T>, value: T, what = ''): Buffer {
  return encodeWith(codec, value, what, (bytes) => Buffer.from(bytes));
}

/**
 * Encodes one value and hands `use` a view of the bytes, valid only until
 * `use` returns (it must copy what it keeps); returns what `use` returns.
 * For bytes copied at once anyway (into an outgoing frame): a reply then costs
 * no buffer of its own. Nothing is handed over if encoding fails.
 */
export function encodeWith<T, R>(codec: Codec<T>, value: T, what: string, use: (bytes: Buffer) => R): R {
  // A codec may call encode() while writing (a cached sub-part), and `use` may too: those get their own writer.
  const w = scratch ?? new XdrWriter();
  scratch = null;
  w.reset();
  try {
    codec.write(w, value, what);
    return use(w.view());
  } finally {
    if (w.capacity <= SCRATCH_KEEP) scratch = w;
  }
}

/** Decodes exactly one value: every byte of `bytes` must be consumed. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, what = ''): T {
  const r = new XdrReader(bytes);
  const value = codec.read(r, what);
  r.end(what || 'message');
  return value;
}
