/**
 * One client's network and storage pool event registrations
 * (CONNECT_NETWORK/STORAGE_POOL_EVENT_REGISTER_ANY): each gets a callback id
 * and may filter on one object. The client's connection is subscribed to a
 * kind of event only while a registration of that kind exists.
 *
 * As for domain events (events.ts), an event's body after the callbackID is
 * encoded once for all its subscribers (event-bodies.ts); each frame gets its
 * subscriber's callbackID written in front of it as it is queued.
 */
import type { Connection } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { NetworkLifecycleEvent, StoragePoolLifecycleEvent } from '../netstore-connection';
import { StoragePoolEventId } from '../netstore-constants';
import { eventHeader } from '../rpc/framing';
import { nonnullStoragePool, NetStoreProcedure as P } from '../rpc/netstore-procedures';
import { nonnullNetwork, type MessageHeader } from '../rpc/protocol';
import { encode, int, struct } from '../rpc/xdr';
import type { NetworkRef, StoragePoolRef } from '../netstore-types';
import { EventBodyCache } from './event-bodies';

type Kind = 'network' | 'pool';
interface Registration {
  kind: Kind;
  eventId: number;
  uuid: string | null;
}
/** Queues one event frame: `body` after the subscriber's `callbackId`. */
export type EventSender = (header: MessageHeader, body: Buffer, callbackId: number) => void;

// The event messages without their leading callbackID (lib/rpc/netstore-procedures.ts has them whole).
const networkLifecycleBody = struct({ net: nonnullNetwork, event: int, detail: int });
const poolLifecycleBody = struct({ pool: nonnullStoragePool, event: int, detail: int });
const networkBodies = new EventBodyCache<NetworkRef>((net, event, detail) =>
  encode(networkLifecycleBody, { net, event, detail }, 'msg'),
);
const poolBodies = new EventBodyCache<StoragePoolRef>((pool, event, detail) =>
  encode(poolLifecycleBody, { pool, event, detail }, 'msg'),
);
const poolRefreshBodies = new EventBodyCache<StoragePoolRef>((pool) => encode(nonnullStoragePool, pool, 'msg'));
const NETWORK_LIFECYCLE_HEADER = eventHeader(P.NETWORK_EVENT_LIFECYCLE);
const POOL_LIFECYCLE_HEADER = eventHeader(P.STORAGE_POOL_EVENT_LIFECYCLE);
const POOL_REFRESH_HEADER = eventHeader(P.STORAGE_POOL_EVENT_REFRESH);

/** Network and pool event bodies encoded so far in this process (tests prove one encoding per event with it). */
export function netstoreBodiesEncodedCount(): number {
  return networkBodies.encoded + poolBodies.encoded + poolRefreshBodies.encoded;
}

/** Event ids per kind: networks have LIFECYCLE only; pools LIFECYCLE and REFRESH. */
const EVENT_IDS: Record<Kind, number> = { network: 1, pool: 2 };

export class NetStoreEventRegistrations {
  readonly #send: EventSender;
  readonly #callbacks = new Map<number, Registration>();
  #nextId = 1;
  readonly #subscriptions = new Map<Kind, Promise<() => Promise<void>>>();

  constructor(send: EventSender) {
    this.#send = send;
  }

  async register(conn: Connection, kind: Kind, eventId: number, uuid: string | null): Promise<number> {
    if (!Number.isInteger(eventId) || eventId < 0 || eventId >= EVENT_IDS[kind]) {
      throw XvirtError.of(
        ErrorNumber.INTERNAL_ERROR,
        ErrorDomain.RPC,
        `unsupported ${kind === 'pool' ? 'storage pool' : kind} event ID ${eventId}`,
      );
    }
    const id = this.#nextId++;
    this.#callbacks.set(id, { kind, eventId, uuid });
    try {
      await this.#sync(conn, kind);
    } catch (err) {
      this.#callbacks.delete(id);
      throw err;
    }
    return id;
  }

  async deregister(conn: Connection, kind: Kind, callbackId: number): Promise<void> {
    const r = this.#callbacks.get(callbackId);
    if (!r || r.kind !== kind) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.RPC,
        `${kind === 'pool' ? 'storage pool' : kind} event callback ${callbackId} not registered`,
      );
    }
    this.#callbacks.delete(callbackId);
    await this.#sync(conn, kind);
  }

  async clear(): Promise<void> {
    this.#callbacks.clear();
    for (const kind of [...this.#subscriptions.keys()]) await this.#unsubscribe(kind);
  }

  async #sync(conn: Connection, kind: Kind): Promise<void> {
    if (![...this.#callbacks.values()].some((r) => r.kind === kind)) {
      await this.#unsubscribe(kind);
      return;
    }
    let sub = this.#subscriptions.get(kind);
    if (!sub) {
      sub =
        kind === 'network'
          ? conn.onNetworkLifecycle((ev) => this.#deliverNetwork(ev))
          : conn.onStoragePoolLifecycle((ev) => this.#deliverPool(ev));
      const armed = sub;
      this.#subscriptions.set(kind, armed);
      armed.catch(() => {
        if (this.#subscriptions.get(kind) === armed) this.#subscriptions.delete(kind);
      });
    }
    await sub;
  }

  async #unsubscribe(kind: Kind): Promise<void> {
    const sub = this.#subscriptions.get(kind);
    this.#subscriptions.delete(kind);
    if (sub)
      await sub.then(
        (off) => off(),
        () => undefined,
      );
  }

  #deliverNetwork(ev: NetworkLifecycleEvent): void {
    const ref = ev.network.ref;
    for (const [id, r] of this.#callbacks) {
      if (r.kind !== 'network' || (r.uuid !== null && r.uuid !== ref.uuid)) continue;
      this.#send(NETWORK_LIFECYCLE_HEADER, networkBodies.body(ref, ref.name, ref.uuid, ev.event, ev.detail), id);
    }
  }

  #deliverPool(ev: StoragePoolLifecycleEvent): void {
    const ref = ev.pool.ref;
    for (const [id, r] of this.#callbacks) {
      if (r.kind !== 'pool' || r.eventId !== ev.eventId || (r.uuid !== null && r.uuid !== ref.uuid)) continue;
      if (ev.eventId === StoragePoolEventId.REFRESH) {
        this.#send(POOL_REFRESH_HEADER, poolRefreshBodies.body(ref, ref.name, ref.uuid, 0, 0), id);
      } else {
        this.#send(POOL_LIFECYCLE_HEADER, poolBodies.body(ref, ref.name, ref.uuid, ev.event, ev.detail), id);
      }
    }
  }
}
