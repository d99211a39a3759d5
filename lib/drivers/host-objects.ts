/**
 * What a real host's storage pools and virtual networks have in common:
 * persistent definitions in a state directory (DefinitionStore, atomic
 * writes), an autostart mark each, transient objects (created running
 * without a definition, gone when they stop: process state only), which of
 * them run, which is process state shared by every connection, and the
 * lifecycle events every subscribed connection sees (EventHub). Lookups and
 * identity checks are worded as libvirt words them for the kind of object.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { DefinitionStore, Identity } from './definition-store';
import { EventHub } from './event-hub';

export interface ObjectKind {
  /** As libvirt's lookup errors name it: "storage pool", "network". */
  noun: string;
  /** As libvirt's define errors name it: "pool", "network". */
  shortNoun: string;
  /** NO_STORAGE_POOL, NO_NETWORK. */
  missing: ErrorNumber;
  domain: ErrorDomain;
}

export interface HostObject<C> {
  uuid: string;
  name: string;
  config: C;
  autostart: boolean;
}

/** A lifecycle event (the kind's virXxxEventLifecycleType) or, with `refresh`, a pool refresh. */
export interface HostObjectEvent {
  ref: Identity;
  event: number;
  refresh?: boolean;
}

export abstract class HostObjects<C extends Identity> {
  protected readonly store: DefinitionStore<C>;
  protected readonly active = new Set<string>();
  /** Every connection's sink for this host's objects of this kind. */
  readonly events = new EventHub<HostObjectEvent>();
  readonly #transient = new Map<string, HostObject<C>>();
  readonly #kind: ObjectKind;

  protected constructor(store: DefinitionStore<C>, kind: ObjectKind) {
    this.store = store;
    this.#kind = kind;
  }

  protected error(number: ErrorNumber, detail: string): XvirtError {
    return XvirtError.of(number, this.#kind.domain, detail);
  }

  protected emit(ref: { name: string; uuid: string }, event: number, refresh = false): void {
    this.events.emit({ ref: { name: ref.name, uuid: ref.uuid }, event, ...(refresh ? { refresh } : {}) });
  }

  #byName(name: string): HostObject<C> | undefined {
    return this.store.byName(name) ?? [...this.#transient.values()].find((o) => o.name === name);
  }
  #byUuid(uuid: string): HostObject<C> | undefined {
    return this.store.byUuid(uuid) ?? this.#transient.get(uuid);
  }

  /** The stored or transient object named `ref.name`; the kind's "not found" error otherwise. */
  protected def(ref: { name: string }): HostObject<C> {
    const d = this.#byName(ref.name);
    if (!d) throw this.error(this.#kind.missing, `no ${this.#kind.noun} with matching name '${ref.name}'`);
    return d;
  }

  /** Every object, persistent and transient. */
  protected all(): Array<HostObject<C>> {
    return [...this.store.all(), ...this.#transient.values()];
  }

  byName(name: string): Identity {
    return this.#ref(this.def({ name }).config);
  }

  byUuid(uuid: string): Identity {
    const d = this.#byUuid(uuid);
    if (!d) throw this.error(this.#kind.missing, `no ${this.#kind.noun} with matching uuid '${uuid}'`);
    return this.#ref(d.config);
  }

  isPersistent(ref: { name: string }): boolean {
    return !this.#transient.has(this.def(ref).uuid);
  }

  /** Registers a transient object (not yet running: the caller starts it, then marks it active). */
  protected addTransient(def: C): HostObject<C> {
    if (this.checkIdentity(def)) {
      throw this.error(
        ErrorNumber.OPERATION_INVALID,
        `${this.#kind.shortNoun} '${def.name}' is already defined: start it instead of creating it`,
      );
    }
    const obj = { uuid: def.uuid, name: def.name, config: def, autostart: false };
    this.#transient.set(def.uuid, obj);
    return obj;
  }

  /** Forgets a transient object (it stopped, or was defined and is persistent now). */
  protected dropTransient(uuid: string): void {
    this.#transient.delete(uuid);
  }

  #ref(def: C): Identity {
    return { name: def.name, uuid: def.uuid };
  }

  /** Sorted by name (libvirt's order is its hash table's; virsh sorts). */
  list(): Array<{ ref: Identity; active: boolean; autostart: boolean; persistent: boolean }> {
    return this.all()
      .map((d) => ({
        ref: this.#ref(d.config),
        active: this.active.has(d.uuid),
        autostart: d.autostart,
        persistent: !this.#transient.has(d.uuid),
      }))
      .sort((a, b) => (a.ref.name < b.ref.name ? -1 : 1));
  }

  isActive(ref: { name: string }): boolean {
    return this.active.has(this.def(ref).uuid);
  }
  config(ref: { name: string }): C {
    return this.def(ref).config;
  }
  autostart(ref: { name: string }): boolean {
    return this.def(ref).autostart;
  }

  async setAutostart(ref: { name: string }, autostart: boolean): Promise<void> {
    const d = this.def(ref);
    if (this.#transient.has(d.uuid)) {
      throw this.error(ErrorNumber.OPERATION_INVALID, `cannot set autostart for transient ${this.#kind.shortNoun}`);
    }
    await this.store.setAutostart(d.uuid, autostart);
  }

  /** Refuses a definition whose UUID belongs to another name or whose name to another UUID; returns the one it replaces. */
  protected checkIdentity(def: C): HostObject<C> | undefined {
    const sameUuid = this.#byUuid(def.uuid);
    const sameName = this.#byName(def.name);
    const noun = this.#kind.shortNoun;
    if (sameUuid && sameUuid.name !== def.name) {
      throw this.error(
        ErrorNumber.OPERATION_FAILED,
        `${noun} '${sameUuid.name}' is already defined with uuid ${def.uuid}`,
      );
    }
    if (sameName && sameName.uuid !== def.uuid) {
      throw this.error(ErrorNumber.OPERATION_FAILED, `${noun} '${def.name}' already exists with uuid ${sameName.uuid}`);
    }
    return sameUuid;
  }
}

/** The one instance for `stateDir` in `cache` (which objects run is process state), opened on first use; a failed open is retried next time. */
export function openShared<T>(cache: Map<string, Promise<T>>, stateDir: string, open: () => Promise<T>): Promise<T> {
  let opened = cache.get(stateDir);
  if (!opened) {
    opened = open();
    cache.set(stateDir, opened);
    opened.catch(() => cache.delete(stateDir));
  }
  return opened;
}
