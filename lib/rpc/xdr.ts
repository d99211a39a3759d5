/**
 * XDR (RFC 4506) as libvirt's rpcgen output speaks it: pure functions over
 * buffers, no I/O. Codecs are values built from combinators, e.g.
 *
 *   const dom = struct({ name: string(REMOTE_STRING_MAX), uuid: opaqueFixed(16), id: int });
 *   const bytes = encode(dom, { name: 'a', uuid, id: -1 });
 *   const back = decode(dom, bytes, 'remote_nonnull_domain');
 *
 * Decoding never trusts the input: every length is checked against its
 * declared maximum and against the bytes actually left before anything is
 * allocated, padding must be zero, and trailing bytes are an error. Every
 * failure is an XvirtError (RPC domain) naming the field path.
 */
import { XdrReader, xdrError, type Codec, type CodecType } from './xdr-io';

export { decode, encode, encodeWith, XdrReader, XdrWriter, xdrError, type Codec, type CodecType } from './xdr-io';

const utf8 = new TextDecoder('utf-8', { fatal: true });

// ---- scalars ---------------------------------------------------------------

function checkInteger(v: unknown, min: number, max: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw xdrError(field, `expected an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

export const int: Codec<number> = {
  write: (w, v, f) => w.int32(checkInteger(v, -0x80000000, 0x7fffffff, f)),
  read: (r, f) => r.int32(f),
};

export const uint: Codec<number> = {
  write: (w, v, f) => w.uint32(checkInteger(v, 0, 0xffffffff, f)),
  read: (r, f) => r.uint32(f),
};

function toBigInt(v: unknown, min: bigint, max: bigint, field: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw xdrError(field, `expected an integer or bigint, got ${String(v)}`);
  if (b < min || b > max) throw xdrError(field, `${b} out of range ${min}..${max}`);
  return b;
}

/** Signed 64-bit, as bigint. */
export const hyper: Codec<bigint> = {
  write: (w, v, f) => w.int64(toBigInt(v, -(1n << 63n), (1n << 63n) - 1n, f)),
  read: (r, f) => r.int64(f),
};

/** Unsigned 64-bit, as bigint. */
export const uhyper: Codec<bigint> = {
  write: (w, v, f) => w.uint64(toBigInt(v, 0n, (1n << 64n) - 1n, f)),
  read: (r, f) => r.uint64(f),
};

/** Unsigned 64-bit carried as a JS number (memory sizes, versions); decoding rejects values above 2^53-1. */
export const uhyperNumber: Codec<number> = {
  write: (w, v, f) => w.uint64(BigInt(checkInteger(v, 0, Number.MAX_SAFE_INTEGER, f))),
  read: (r, f) => {
    const v = r.uint64(f);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw xdrError(f, `${v} exceeds 2^53-1`);
    return Number(v);
  },
};

/** XDR bool: 4 bytes, exactly 0 or 1. */
export const bool: Codec<boolean> = {
  write: (w, v, f) => {
    if (typeof v !== 'boolean') throw xdrError(f, `expected a boolean, got ${String(v)}`);
    w.uint32(v ? 1 : 0);
  },
  read: (r, f) => {
    const v = r.uint32(f);
    if (v > 1) throw xdrError(f, `bool must be 0 or 1, got ${v}`);
    return v === 1;
  },
};

/**
 * libvirt's int-valued booleans (`int active`, `int autostart`...): any
 * non-zero int decodes as true (C truthiness), true encodes as 1.
 */
export const intBool: Codec<boolean> = {
  write: (w, v, f) => {
    if (typeof v !== 'boolean') throw xdrError(f, `expected a boolean, got ${String(v)}`);
    w.int32(v ? 1 : 0);
  },
  read: (r, f) => r.int32(f) !== 0,
};

/** An enum: an int restricted to the listed values, in both directions. */
export function enumOf<T extends number>(name: string, values: readonly T[]): Codec<T> {
  const allowed = new Set<number>(values);
  const check = (v: number, f: string): T => {
    if (!allowed.has(v)) throw xdrError(f, `${v} is not a valid ${name}`);
    return v as T;
  };
  return {
    write: (w, v, f) => w.int32(check(v, f)),
    read: (r, f) => check(r.int32(f), f),
  };
}

/** An int restricted to [min, max] (e.g. an enum libvirt keeps appending to). */
export function intRange(min: number, max: number): Codec<number> {
  return {
    write: (w, v, f) => w.int32(checkInteger(v, min, max, f)),
    read: (r, f) => checkInteger(r.int32(f), min, max, f),
  };
}

// ---- bytes and strings -------------------------------------------------------

/** `opaque x[n]`: exactly n bytes, padded. */
export function opaqueFixed(n: number): Codec<Buffer> {
  return {
    write: (w, v, f) => {
      if (!(v instanceof Uint8Array) || v.length !== n) throw xdrError(f, `expected ${n} bytes`);
      w.bytes(v);
    },
    read: (r, f) => r.bytes(n, f),
  };
}

function readLength(r: XdrReader, max: number, field: string, what: string): number {
  const n = r.uint32(field);
  if (n > max) throw xdrError(field, `${what} ${n} exceeds maximum ${max}`);
  return n;
}

/** `opaque x<max>`: u32 length, bytes, padding. */
export function opaqueVar(max: number): Codec<Buffer> {
  return {
    write: (w, v, f) => {
      if (!(v instanceof Uint8Array)) throw xdrError(f, 'expected bytes');
      if (v.length > max) throw xdrError(f, `length ${v.length} exceeds maximum ${max}`);
      w.uint32(v.length);
      w.bytes(v);
    },
    read: (r, f) => r.bytes(readLength(r, max, f, 'length'), f),
  };
}

/** `string x<max>`: UTF-8, `max` counted in bytes. */
export function string(max: number): Codec<string> {
  return {
    write: (w, v, f) => {
      if (typeof v !== 'string') throw xdrError(f, `expected a string, got ${typeof v}`);
      const b = Buffer.from(v, 'utf8');
      if (b.length > max) throw xdrError(f, `string of ${b.length} bytes exceeds maximum ${max}`);
      w.uint32(b.length);
      w.bytes(b);
    },
    read: (r, f) => {
      // Decoded at once: a view, not a copy.
      const b = r.view(readLength(r, max, f, 'string length'), f);
      try {
        return utf8.decode(b);
      } catch {
        throw xdrError(f, 'string is not valid UTF-8');
      }
    },
  };
}

/**
 * `char x[n]` as rpcgen encodes it: n elements of 4 bytes each (one char per
 * int), NUL-terminated text inside. Used by node_get_info's model.
 */
export function charArrayFixed(n: number): Codec<string> {
  return {
    write: (w, v, f) => {
      const b = Buffer.from(typeof v === 'string' ? v : '', 'utf8');
      if (typeof v !== 'string' || b.length > n) throw xdrError(f, `expected a string of at most ${n} bytes`);
      for (let i = 0; i < n; i++) w.int32(i < b.length ? b[i]! : 0);
    },
    read: (r, f) => readChars(r, n, f),
  };
}

/**
 * `char x<max>` as rpcgen encodes it: u32 count, then one 4-byte int per
 * char. libvirt counts the terminating NUL (security model and label).
 * Decodes to the text before the first NUL; encodes text + NUL.
 */
export function charArrayVar(max: number): Codec<string> {
  return {
    write: (w, v, f) => {
      if (typeof v !== 'string') throw xdrError(f, `expected a string, got ${typeof v}`);
      const b = Buffer.from(v, 'utf8');
      if (b.length + 1 > max) throw xdrError(f, `string of ${b.length} bytes exceeds maximum ${max - 1}`);
      w.uint32(b.length + 1);
      for (const c of b) w.int32(c);
      w.int32(0);
    },
    read: (r, f) => {
      const n = readLength(r, max, f, 'char count');
      if (n * 4 > r.remaining) throw xdrError(f, `${n} chars cannot fit in ${r.remaining} bytes`);
      return readChars(r, n, f);
    },
  };
}

function readChars(r: XdrReader, n: number, f: string): string {
  const bytes: number[] = [];
  let ended = false;
  for (let i = 0; i < n; i++) {
    const c = r.int32(f);
    if (c < -128 || c > 255) throw xdrError(f, `char value ${c} out of range`);
    if (c === 0) ended = true;
    else if (!ended) bytes.push(c & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}

// ---- composites ------------------------------------------------------------

/** `T x<max>`: u32 count then the elements; the count is checked before reading any. */
export function array<T>(item: Codec<T>, max: number): Codec<T[]> {
  return {
    write: (w, v, f) => {
      if (!Array.isArray(v)) throw xdrError(f, 'expected an array');
      if (v.length > max) throw xdrError(f, `${v.length} elements exceed maximum ${max}`);
      w.uint32(v.length);
      v.forEach((e, i) => item.write(w, e, `${f}[${i}]`));
    },
    read: (r, f) => {
      const n = readLength(r, max, f, 'element count');
      // Every XDR item takes at least 4 bytes: refuse counts the input cannot hold.
      if (n * 4 > r.remaining) throw xdrError(f, `${n} elements cannot fit in ${r.remaining} bytes`);
      const out: T[] = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r, `${f}[${i}]`);
      return out;
    },
  };
}

/** `T *x`: u32 0 (null) or 1 then T. */
export function optional<T>(item: Codec<T>): Codec<T | null> {
  return {
    write: (w, v, f) => {
      if (v === null || v === undefined) {
        w.uint32(0);
      } else {
        w.uint32(1);
        item.write(w, v, f);
      }
    },
    read: (r, f) => {
      const present = r.uint32(f);
      if (present > 1) throw xdrError(f, `optional marker must be 0 or 1, got ${present}`);
      return present === 1 ? item.read(r, f) : null;
    },
  };
}

type Fields = Record<string, Codec<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type StructType<F extends Fields> = { [K in keyof F]: CodecType<F[K]> };

/** A struct: the fields in declaration order (object key order). */
export function struct<F extends Fields>(fields: F): Codec<StructType<F>> {
  const entries = Object.entries(fields);
  return {
    write: (w, v, f) => {
      if (typeof v !== 'object' || v === null) throw xdrError(f, 'expected an object');
      for (const [name, codec] of entries)
        codec.write(w, (v as Record<string, unknown>)[name], f ? `${f}.${name}` : name);
    },
    read: (r, f) => {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) out[name] = codec.read(r, f ? `${f}.${name}` : name);
      return out as StructType<F>;
    },
  };
}

/** A codec whose wire form is `inner` but whose value is converted (e.g. UUID bytes ↔ text). */
export function mapped<W, T>(
  inner: Codec<W>,
  fromWire: (w: W, field: string) => T,
  toWire: (v: T, field: string) => W,
): Codec<T> {
  return {
    write: (w, v, f) => inner.write(w, toWire(v, f), f),
    read: (r, f) => fromWire(inner.read(r, f), f),
  };
}

/** Zero bytes: void args and results. */
export const xdrVoid: Codec<void> = {
  write: () => undefined,
  read: () => undefined,
};
