/**
 * A memo for hot paths that compute the same few values over and over (a
 * domain's UUID bytes, its encoded getInfo args). Bounded: cleared whole
 * when it fills up, so a caller cycling through ever new keys holds at most
 * `limit` entries.
 */
export class BoundedCache<K, V> {
  readonly #values = new Map<K, V>();
  constructor(readonly limit = 4096) {}

  peek(key: K): V | undefined {
    return this.#values.get(key);
  }

  /** Stores `value` for `key` (replacing any) and returns it. */
  set(key: K, value: V): V {
    if (this.#values.size >= this.limit && !this.#values.has(key)) this.#values.clear();
    this.#values.set(key, value);
    return value;
  }
}

/**
 * Values decoded from short byte strings that arrive again and again (the
 * parameter names and domain identities of a dashboard poll), found by the
 * bytes themselves, so a repeat costs a hash and a compare instead of a
 * slice and a decode. Bounded like BoundedCache (cleared whole when full),
 * and only short values are kept (at most limit × maxBytes bytes held). A
 * hash collision only misses (entries are compared byte for byte), so
 * hostile input can cost decodes, never a wrong value.
 */
export class DecodedBytesCache<T> {
  readonly #entries = new Map<number, { bytes: Buffer; value: T }>();
  /** At most `limit` entries, each for at most `maxBytes` bytes (longer values are decoded every time). */
  constructor(
    readonly limit = 4096,
    readonly maxBytes = 256,
  ) {}

  /** The value stored for buf[start, end), if any. */
  get(buf: Buffer, start: number, end: number): T | undefined {
    const e = this.#entries.get(hashBytes(buf, start, end));
    if (!e || e.bytes.length !== end - start) return undefined;
    for (let i = 0; i < e.bytes.length; i++) if (e.bytes[i] !== buf[start + i]) return undefined;
    return e.value;
  }

  /** Remembers `value` for (a copy of) buf[start, end), if short enough, and returns it. */
  set(buf: Buffer, start: number, end: number, value: T): T {
    if (end - start > this.maxBytes) return value;
    if (this.#entries.size >= this.limit) this.#entries.clear();
    this.#entries.set(hashBytes(buf, start, end), { bytes: Buffer.from(buf.subarray(start, end)), value });
    return value;
  }
}

/** FNV-1a over buf[start, end). */
function hashBytes(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}
