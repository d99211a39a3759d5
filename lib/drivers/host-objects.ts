/**
 * What a real host's storage pools and virtual networks have in common:
 * persistent definitions in a state directory (DefinitionStore, atomic
 * writes), an autostart mark each, and which of them run, which is process
 * state shared by every connection. Lookups and identity checks are worded
 * as libvirt words them for the kind of object.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { DefinitionStore, Identity } from './definition-store';

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
  config: C;
  autostart: boolean;
}

export abstract class HostObjects<C extends Identity> {
  protected readonly store: DefinitionStore<C>;
  protected readonly active = new Set<string>();
  readonly #kind: ObjectKind;

  protected constructor(store: DefinitionStore<C>, kind: ObjectKind) {
    this.store = store;
    this.#kind = kind;
  }

  protected error(number: ErrorNumber, detail: string): XvirtError {
    return XvirtError.of(number, this.#kind.domain, detail);
  }

  /** The stored object named `ref.name`; the kind's "not found" error otherwise. */
  protected def(ref: { name: string }): HostObject<C> {
    const d = this.store.byName(ref.name);
    if (!d) throw this.error(this.#kind.missing, `no ${this.#kind.noun} with matching name '${ref.name}'`);
    return d;
  }

  byName(name: string): Identity {
    return this.#ref(this.def({ name }).config);
  }

  byUuid(uuid: string): Identity {
    const d = this.store.byUuid(uuid);
    if (!d) throw this.error(this.#kind.missing, `no ${this.#kind.noun} with matching uuid '${uuid}'`);
    return this.#ref(d.config);
  }

  #ref(def: C): Identity {
    return { name: def.name, uuid: def.uuid };
  }

  /** Sorted by name (libvirt's order is its hash table's; virsh sorts). */
  list(): Array<{ ref: Identity; active: boolean; autostart: boolean }> {
    return this.store
      .all()
      .map((d) => ({ ref: this.#ref(d.config), active: this.active.has(d.uuid), autostart: d.autostart }))
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
    await this.store.setAutostart(this.def(ref).uuid, autostart);
  }

  /** Refuses a definition whose UUID belongs to another name or whose name to another UUID; returns the one it replaces. */
  protected checkIdentity(def: C): HostObject<C> | undefined {
    const sameUuid = this.store.byUuid(def.uuid);
    const sameName = this.store.byName(def.name);
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
