/**
 * One client's network and storage pool event registrations
 * (CONNECT_NETWORK/STORAGE_POOL_EVENT_REGISTER_ANY): each gets a callback id
 * and may filter on one object. The client's connection is subscribed to a
 * kind of event only while a registration of that kind exists.
 */
import type { Connection } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { NetworkLifecycleEvent, StoragePoolLifecycleEvent } from '../netstore-connection';
import { StoragePoolEventId } from '../netstore-constants';
import { NETSTORE_EVENT_MESSAGES, NetStoreProcedure as P } from '../rpc/netstore-procedures';
import type { Codec } from '../rpc/xdr';

type Kind = 'network' | 'pool';
interface Registration {
  kind: Kind;
  eventId: number;
  uuid: string | null;
}
export type EventSender = <M>(procedure: number, codec: Codec<M>, msg: M) => void;

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
    for (const [id, r] of this.#callbacks) {
      if (r.kind !== 'network' || (r.uuid !== null && r.uuid !== ev.network.uuid)) continue;
      this.#send(P.NETWORK_EVENT_LIFECYCLE, NETSTORE_EVENT_MESSAGES[P.NETWORK_EVENT_LIFECYCLE], {
        callbackID: id,
        net: ev.network.ref,
        event: ev.event,
        detail: ev.detail,
      });
    }
  }

  #deliverPool(ev: StoragePoolLifecycleEvent): void {
    for (const [id, r] of this.#callbacks) {
      if (r.kind !== 'pool' || r.eventId !== ev.eventId || (r.uuid !== null && r.uuid !== ev.pool.uuid)) continue;
      if (ev.eventId === StoragePoolEventId.REFRESH) {
        this.#send(P.STORAGE_POOL_EVENT_REFRESH, NETSTORE_EVENT_MESSAGES[P.STORAGE_POOL_EVENT_REFRESH], {
          callbackID: id,
          pool: ev.pool.ref,
        });
      } else {
        this.#send(P.STORAGE_POOL_EVENT_LIFECYCLE, NETSTORE_EVENT_MESSAGES[P.STORAGE_POOL_EVENT_LIFECYCLE], {
          callbackID: id,
          pool: ev.pool.ref,
          event: ev.event,
          detail: ev.detail,
        });
      }
    }
  }
}
