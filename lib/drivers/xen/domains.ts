/**
 * The live domains as the driver names them: hypervisor records (one
 * getdomaininfolist) joined with each domain's name from xenstore
 * (/local/domain/<id>/name). What a live domain is, and the helpers shared with
 * the proxy driver, are in lib/drivers/xen-common/records.ts.
 */
import type { DomainState } from '../../constants';
import { DomainRecords, Slot, type XenHypervisor } from '../../native';
import type { DomainInfo } from '../../types';
import { uuidFromBytes } from '../../uuid';
import { defaultDomainName, type LiveDomain } from '../xen-common/records';
import { XenState } from '../xen-common/state';

/** What the driver needs from a xenstore connection (XenstoreClient, or a fake in tests). */
export interface XenstoreLike {
  read(path: string): Promise<string | null>;
  write(path: string, value: string): Promise<void>;
  remove(path: string): Promise<void>;
  watch(path: string, token: string, cb: (path: string) => void): Promise<void>;
  unwatch(path: string, token: string): Promise<void>;
  onClose(listener: (err: Error | null) => void): void;
  close(): void;
}

const BUILDING = Symbol('building');

export function infoAt(r: DomainRecords, i: number): DomainInfo {
  return {
    state: r.get(i, Slot.STATE) as DomainState,
    maxMemKiB: r.get(i, Slot.MAX_MEM_KIB),
    memoryKiB: r.get(i, Slot.MEM_KIB),
    nrVirtCpu: r.get(i, Slot.ONLINE_VCPUS),
    cpuTimeNs: r.cpuTimeNs(i),
  };
}

export class LiveDomains {
  readonly #hv: XenHypervisor;
  readonly #xs: XenstoreLike | null;
  #records = new DomainRecords(64);
  /** Names by id, valid while the domain at that id keeps its UUID. */
  readonly #names = new Map<number, { uuid: string; name: string }>();

  constructor(hv: XenHypervisor, xenstore: XenstoreLike | null) {
    this.#hv = hv;
    this.#xs = xenstore;
  }

  /**
   * Every live domain. `freshNames` rereads names from xenstore (a domain can
   * be renamed); otherwise names already known for the same id and UUID are reused.
   */
  async list(freshNames: boolean): Promise<LiveDomain[]> {
    const { records, count } = this.#hv.list(this.#records);
    this.#records = records;
    const out: LiveDomain[] = [];
    for (let i = 0; i < count; i++) {
      const id = records.get(i, Slot.DOMID);
      out.push({
        ref: { name: '', uuid: uuidFromBytes(records.uuid(i)), id },
        info: infoAt(records, i),
        xenState: records.get(i, Slot.XEN_STATE) as XenState,
        shutdownCode: records.get(i, Slot.SHUTDOWN_CODE),
        reason: records.get(i, Slot.REASON),
        flags: records.get(i, Slot.FLAGS),
      });
    }
    const names = await Promise.all(out.map((d) => this.#name(d.ref.id, d.ref.uuid, freshNames)));
    for (let i = 0; i < out.length; i++) {
      const d = out[i]!;
      const name = names[i]!;
      // No name in xenstore (yet), or no xenstore to ask: shown as xl does, Domain-<id>.
      d.ref = { ...d.ref, name: typeof name === 'string' ? name : defaultDomainName(d.ref.id) };
      if (name === BUILDING) d.unnamed = true;
    }
    for (const id of this.#names.keys()) if (!out.some((d) => d.ref.id === id)) this.#names.delete(id);
    return out;
  }

  /**
   * The domain's name in xenstore; BUILDING when xenstore has none yet (the
   * toolstack writes it while building the domain); null when xenstore
   * cannot be asked (then a name known for this id and UUID is kept).
   */
  async #name(id: number, uuid: string, fresh: boolean): Promise<string | typeof BUILDING | null> {
    const known = this.#names.get(id);
    const knownName = known && known.uuid === uuid ? known.name : null;
    if (!fresh && knownName) return knownName;
    if (!this.#xs) return null;
    let name: string | null;
    try {
      name = await this.#xs.read(`/local/domain/${id}/name`);
    } catch {
      return knownName; // xenstore trouble must not hide or rename the domain
    }
    if (!name) return BUILDING;
    this.#names.set(id, { uuid, name });
    return name;
  }
}
