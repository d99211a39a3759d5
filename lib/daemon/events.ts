/**
 * One client's domain event registrations. Callback-style registrations
 * (CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY) get an id each and may filter
 * on one domain; legacy ones (REGISTER / REGISTER_ANY) are keyed by event id.
 * The client's connection is subscribed to lifecycle events only while at
 * least one lifecycle registration exists.
 *
 * A lifecycle event goes to every subscribed client, each through its own
 * connection, but its body is encoded once (lifecycleEventBody): the legacy
 * message is exactly that body, and the callback message is the subscriber's
 * callbackID followed by it, written in front as the frame is queued.
 */
import type { Connection, LifecycleEvent } from '../connection';
import { DomainEventId } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { EVENT_MESSAGES, RemoteProcedure } from '../rpc/procedures';
import { encode } from '../rpc/xdr';
import type { DomainRef } from '../types';
import { EventBodyCache } from './event-bodies';

const lifecycleBodies = new EventBodyCache<DomainRef>((dom, event, detail) =>
  encode(EVENT_MESSAGES[RemoteProcedure.DOMAIN_EVENT_LIFECYCLE], { dom, event, detail }, 'msg'),
);

/**
 * `{ dom, event, detail }` of a lifecycle event in XDR: the whole DOMAIN_EVENT_LIFECYCLE message, and
 * DOMAIN_EVENT_CALLBACK_LIFECYCLE's after its leading callbackID, encoded once for all the clients that get the
 * same event (event-bodies.ts).
 */
export function lifecycleEventBody(ev: LifecycleEvent): Buffer {
  const ref = ev.domain.ref;
  return lifecycleBodies.body(ref, ref.name, ref.id, ev.event, ev.detail);
}

/** Lifecycle event bodies encoded so far in this process (tests prove one encoding per event with it). */
export function lifecycleBodiesEncodedCount(): number {
  return lifecycleBodies.encoded;
}

export interface Registration {
  eventId: number;
  /** UUID of the one domain this callback wants, or null for all. */
  domainUuid: string | null;
}

/** Where matching events go: callbackId is null for legacy registrations. */
export type EventSink = (callbackId: number | null, event: LifecycleEvent) => void;

function badEventId(eventId: number): XvirtError {
  // libvirtd's number for this (INTERNAL_ERROR), so clients react the same way.
  return XvirtError.of(
    ErrorNumber.INTERNAL_ERROR,
    ErrorDomain.RPC,
    `unsupported event ID ${eventId} (expected 0 to ${DomainEventId.LAST - 1})`,
  );
}

export class EventRegistrations {
  readonly #sink: EventSink;
  readonly #onSubscription: (delta: 1 | -1) => void;
  readonly #callbacks = new Map<number, Registration>();
  readonly #legacy = new Set<number>();
  #nextId = 1;
  /** Resolves to the unsubscribe function once the connection delivers lifecycle events. */
  #subscription: Promise<() => Promise<void>> | null = null;

  /** `onSubscription` hears each subscribe (+1) and unsubscribe (-1) of the connection. */
  constructor(sink: EventSink, onSubscription: (delta: 1 | -1) => void = () => undefined) {
    this.#sink = sink;
    this.#onSubscription = onSubscription;
  }

  /** Registers a callback; resolves with its id once delivery is armed. */
  async registerCallback(conn: Connection, eventId: number, domain: DomainRef | null): Promise<number> {
    if (!Number.isInteger(eventId) || eventId < 0 || eventId >= DomainEventId.LAST) throw badEventId(eventId);
    const id = this.#nextId++;
    this.#callbacks.set(id, { eventId, domainUuid: domain?.uuid ?? null });
    try {
      await this.#sync(conn);
    } catch (err) {
      this.#callbacks.delete(id);
      throw err;
    }
    return id;
  }

  async deregisterCallback(conn: Connection, callbackId: number): Promise<void> {
    if (!this.#callbacks.delete(callbackId)) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.RPC,
        `domain event callback ${callbackId} not registered`,
      );
    }
    await this.#sync(conn);
  }

  async registerLegacy(conn: Connection, eventId: number): Promise<void> {
    // libvirt's legacy interface knows the first 16 event ids only.
    if (!Number.isInteger(eventId) || eventId < 0 || eventId > 15) throw badEventId(eventId);
    if (this.#legacy.has(eventId)) {
      throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, `domain event ${eventId} already registered`);
    }
    this.#legacy.add(eventId);
    try {
      await this.#sync(conn);
    } catch (err) {
      this.#legacy.delete(eventId);
      throw err;
    }
  }

  async deregisterLegacy(conn: Connection, eventId: number): Promise<void> {
    if (!this.#legacy.delete(eventId)) {
      throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, `domain event ${eventId} not registered`);
    }
    await this.#sync(conn);
  }

  /** Drops every registration and the subscription (client gone). */
  async clear(): Promise<void> {
    this.#callbacks.clear();
    this.#legacy.clear();
    await this.#unsubscribe();
  }

  #wantsLifecycle(): boolean {
    if (this.#legacy.has(DomainEventId.LIFECYCLE)) return true;
    for (const r of this.#callbacks.values()) if (r.eventId === DomainEventId.LIFECYCLE) return true;
    return false;
  }

  async #sync(conn: Connection): Promise<void> {
    if (this.#wantsLifecycle()) {
      if (!this.#subscription) {
        const sub = conn.onLifecycle((ev) => this.#deliver(ev));
        this.#subscription = sub;
        sub.then(
          () => this.#onSubscription(1),
          () => {
            if (this.#subscription === sub) this.#subscription = null;
          },
        );
      }
      await this.#subscription;
    } else {
      await this.#unsubscribe();
    }
  }

  async #unsubscribe(): Promise<void> {
    const sub = this.#subscription;
    this.#subscription = null;
    if (sub) {
      await sub.then(
        async (off) => {
          this.#onSubscription(-1);
          await off();
        },
        () => undefined,
      );
    }
  }

  #deliver(ev: LifecycleEvent): void {
    for (const [id, r] of this.#callbacks) {
      if (r.eventId === DomainEventId.LIFECYCLE && (r.domainUuid === null || r.domainUuid === ev.domain.uuid)) {
        this.#sink(id, ev);
      }
    }
    if (this.#legacy.has(DomainEventId.LIFECYCLE)) this.#sink(null, ev);
  }
}
