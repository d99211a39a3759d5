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
