/**
 * Every domain the Xen driver knows: the live ones (hypervisor + xenstore)
 * joined with the stored definitions, by UUID, which is a domain's identity
 * while its id changes (a restarted guest gets a new one).
 */
import { DomainState } from '../../constants';
import type { DomainRef } from '../../types';
import type { DefinitionStore, StoredDefinition } from '../definition-store';
import { matchesListFlags, noDomain, type LiveDomain } from '../xen-common/records';
import type { LiveDomains } from './domains';
import type { XlDomainConfig } from './xl';

export interface Found {
  live?: LiveDomain;
  def?: StoredDefinition<XlDomainConfig>;
}

export class DomainDirectory {
  readonly live: LiveDomains;
  readonly store: DefinitionStore<XlDomainConfig>;

  constructor(live: LiveDomains, store: DefinitionStore<XlDomainConfig>) {
    this.live = live;
    this.store = store;
  }

  /** virConnectListAllDomains: live domains (names read fresh), then defined ones not running. */
  async list(flags: number): Promise<DomainRef[]> {
    const live = await this.live.list(true);
    const out: DomainRef[] = [];
    for (const d of live) {
      const def = this.store.byUuid(d.ref.uuid);
      const info = { active: true, persistent: !!def, state: d.info.state, autostart: def?.autostart ?? false };
      if (matchesListFlags(flags, info)) out.push(d.ref);
    }
    for (const def of this.store.all()) {
      if (live.some((d) => d.ref.uuid === def.uuid)) continue;
      const info = { active: false, persistent: true, state: DomainState.SHUTOFF, autostart: def.autostart };
      if (matchesListFlags(flags, info)) out.push({ name: def.name, uuid: def.uuid, id: -1 });
    }
    return out;
  }

  async byId(id: number): Promise<DomainRef> {
    const d = (await this.live.list(true)).find((x) => x.ref.id === id);
    if (!d) throw noDomain(`no domain with matching id ${id}`);
    return d.ref;
  }

  /** A running domain of that name, else a defined one. */
  async byName(name: string): Promise<DomainRef> {
    const d = (await this.live.list(true)).find((x) => x.ref.name === name);
    if (d) return d.ref;
    const def = this.store.byName(name);
    if (!def) throw noDomain(`no domain with matching name '${name}'`);
    return { name: def.name, uuid: def.uuid, id: -1 };
  }

  async byUuid(uuid: string): Promise<DomainRef> {
    const found = await this.find({ name: '', uuid, id: -1 });
    if (found.live) return found.live.ref;
    if (found.def) return { name: found.def.name, uuid: found.def.uuid, id: -1 };
    throw noDomain(`no domain with matching uuid '${uuid}'`);
  }

  /** The live domain with the reference's UUID (wherever its id is now) and its definition. */
  async find(dom: DomainRef): Promise<Found> {
    const live = (await this.live.list(false)).find((d) => d.ref.uuid === dom.uuid);
    const def = this.store.byUuid(dom.uuid);
    return { ...(live ? { live } : {}), ...(def ? { def } : {}) };
  }

  /** As find, but NO_DOMAIN when the domain is neither running nor defined. */
  async existing(dom: DomainRef): Promise<Found> {
    const found = await this.find(dom);
    if (!found.live && !found.def) throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
    return found;
  }

  /** The reference for a definition: with its id if it is running. */
  async refFor(def: StoredDefinition<XlDomainConfig>): Promise<DomainRef> {
    const live = (await this.live.list(false)).find((d) => d.ref.uuid === def.uuid);
    return live?.ref ?? { name: def.name, uuid: def.uuid, id: -1 };
  }
}
