/**
 * The hypervisor state one test URI serves: node description, domains
 * (indexed by uuid, name and id, so lookups are O(1)), the id counter, and
 * the lifecycle-event fan-out to every connection sharing the state.
 */
import type { DomainEventType } from '../../constants';
import { matchesListFlags } from '../list-flags';
import type { DriverLifecycleEvent, NodeInfo } from '../../types';
import type { DomainDefinition } from '../../xml';
import { TestDomain } from './domain';
import type { NumaCell } from './defaults';
import { noDomain } from './errors';
import { EventHub } from '../event-hub';
import type { NetStoreState } from './netstore-state';

export type EventSink = (event: DriverLifecycleEvent) => void;

export class TestState {
  readonly nodeInfo: Readonly<NodeInfo>;
  readonly numaCells: readonly NumaCell[];
  readonly #byUuid = new Map<string, TestDomain>();
  readonly #byName = new Map<string, TestDomain>();
  readonly #byId = new Map<number, TestDomain>();
  /** Ids only grow, as in libvirt: a restarted domain gets a new one. */
  #nextId = 1;
  readonly #events = new EventHub<DriverLifecycleEvent>();
  /** Connections holding this state (the shared default state is dropped at 0). */
  openCount = 0;

  #netstore: NetStoreState | null = null;
  readonly #makeNetStore: () => NetStoreState;

  /**
   * `makeNetStore` builds the network/storage state on first use: the default
   * one parses XML, which domain-only work (most CLI commands) never needs.
   */
  constructor(nodeInfo: NodeInfo, numaCells: readonly NumaCell[], makeNetStore: () => NetStoreState) {
    this.nodeInfo = Object.freeze({ ...nodeInfo });
    this.numaCells = numaCells;
    this.#makeNetStore = makeNetStore;
  }

  /** Networks, storage pools, node devices and host interfaces. */
  get netstore(): NetStoreState {
    return (this.#netstore ??= this.#makeNetStore());
  }

  allocateId(): number {
    return this.#nextId++;
  }

  /** Registers a new domain (persistent when `config` is set, else transient and `live`). */
  add(config: DomainDefinition | null, live: DomainDefinition | null): TestDomain {
    const dom = new TestDomain(config, live);
    this.#byUuid.set(dom.uuid, dom);
    this.#byName.set(dom.name, dom);
    return dom;
  }

  remove(dom: TestDomain): void {
    this.#byUuid.delete(dom.uuid);
    this.#byName.delete(dom.name);
    if (dom.id >= 0) this.#byId.delete(dom.id);
  }

  /** Keeps the id index in step after `change` starts or stops `dom`. */
  reindex(dom: TestDomain, change: () => void): void {
    if (dom.id >= 0) this.#byId.delete(dom.id);
    change();
    if (dom.id >= 0) this.#byId.set(dom.id, dom);
  }

  findByUuid(uuid: string): TestDomain | undefined {
    return this.#byUuid.get(uuid);
  }

  findByName(name: string): TestDomain | undefined {
    return this.#byName.get(name);
  }

  /** The domain behind a caller's reference, looked up by uuid as libvirt does. */
  resolve(uuid: string, name: string): TestDomain {
    const dom = this.#byUuid.get(uuid);
    if (!dom) throw noDomain(`no domain with matching uuid '${uuid}' (${name})`);
    return dom;
  }

  lookupById(id: number): TestDomain {
    const dom = this.#byId.get(id);
    if (!dom) throw noDomain(`no domain with matching id ${id}`);
    return dom;
  }

  lookupByName(name: string): TestDomain {
    const dom = this.#byName.get(name);
    if (!dom) throw noDomain(`no domain with matching name '${name}'`);
    return dom;
  }

  lookupByUuid(uuid: string): TestDomain {
    const dom = this.#byUuid.get(uuid);
    if (!dom) throw noDomain(`no domain with matching uuid '${uuid}'`);
    return dom;
  }

  /** Domains matching virConnectListAllDomains `flags`: running ones by id, then the others by name. */
  list(flags: number): TestDomain[] {
    // A loop, not a spread and a filter: a dashboard lists every domain on each poll.
    const out: TestDomain[] = [];
    for (const d of this.#byUuid.values()) if (matchesListFlags(flags, d)) out.push(d);
    return out.sort(listOrder);
  }

  subscribe(sink: EventSink): void {
    this.#events.subscribe(sink);
  }

  unsubscribe(sink: EventSink): void {
    this.#events.unsubscribe(sink);
  }

  /** Queues a lifecycle event for every subscribed connection (delivered as EventHub does: later, in order). */
  emit(dom: TestDomain, event: DomainEventType, detail: number): void {
    this.#events.emit({ domain: dom.ref, event, detail });
  }
}

/** virConnectListAllDomains' order in the test driver: running domains by id, then the others by name. */
function listOrder(a: TestDomain, b: TestDomain): number {
  if (a.active !== b.active) return a.active ? -1 : 1;
  return a.active ? a.id - b.id : a.name.toLowerCase().localeCompare(b.name.toLowerCase());
}

/** Every ListDomainsFlags bit the test driver understands. */
export const LIST_FLAGS_ALL = 0xffff;
