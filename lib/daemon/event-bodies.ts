/**
 * One event's message body encoded once for all its subscribers. The driver
 * hands every subscribed connection the same object reference for one event,
 * and each client's frames differ only in the callbackID written in front of
 * the body (Outbound.send's leading int), so the body of the event last asked
 * for is kept and handed out again while the next subscriber asks for the same
 * reference, reference fields and event values; anything else is encoded anew.
 */
const EMPTY: Buffer = Buffer.alloc(0);

export class EventBodyCache<R extends object> {
  readonly #encode: (ref: R, event: number, detail: number) => Buffer;
  #ref: R | null = null;
  #refA: unknown;
  #refB: unknown;
  #event = 0;
  #detail = 0;
  #body = EMPTY;
  /** Bodies encoded so far (tests prove one encoding per event with it). */
  encoded = 0;

  constructor(encode: (ref: R, event: number, detail: number) => Buffer) {
    this.#encode = encode;
  }

  /**
   * The body for an event about `ref`. `refA` and `refB` are the reference's fields that can change while the
   * object stays the same (a domain's name and id, a network's name and uuid).
   */
  body(ref: R, refA: unknown, refB: unknown, event: number, detail: number): Buffer {
    if (
      ref !== this.#ref ||
      refA !== this.#refA ||
      refB !== this.#refB ||
      event !== this.#event ||
      detail !== this.#detail
    ) {
      this.#body = this.#encode(ref, event, detail);
      this.encoded++;
      this.#ref = ref;
      this.#refA = refA;
      this.#refB = refB;
      this.#event = event;
      this.#detail = detail;
    }
    return this.#body;
  }
}
