/**
 * What every xen:///system connection of one process shares: the
 * hypervisor and xenstore handles, the definitions (one store, one
 * directory of live and defined domains), the managed save images, and one
 * lifecycle watcher whose events an EventHub fans out to every connection's
 * listener — so a change made through one connection (including the details
 * only the maker knows: DEFINED, STOPPED/SAVED, STARTED/RESTORED) reaches
 * the listeners of all. Shared per state directory and refcounted: the last
 * connection to close releases the handles.
 */
import type { XenHypervisor } from '../../native';
import type { DriverLifecycleEvent } from '../../types';
import type { DefinitionStore } from '../definition-store';
import { EventHub } from '../event-hub';
import type { HostBridgeNetworks } from '../host-network/bridge-networks';
import type { HostDirPools } from '../host-storage/dir-pools';
import { LifecycleWatcher, type DomainSnapshot } from '../xen-common/events';
import { XenControl, type XlLike } from './control';
import { DomainDirectory } from './directory';
import type { DomainXmlCodec } from './domain-xml';
import { LiveDomains, type XenstoreLike } from './domains';
import { processReasons, type ReasonBook } from './reasons';
import { ManagedSaveImages } from './save-images';
import type { XlDomainConfig } from './xl';

export interface XenDriverDeps {
  hv: XenHypervisor;
  /** null when xenstored is unreachable: names fall back to Domain-<id>, events to polling. */
  xenstore: XenstoreLike | null;
  /** Parsed with the same codec as `codec` (its configs are read instead of parsing the XML again). */
  store: DefinitionStore<XlDomainConfig>;
  xl: XlLike;
  codec: DomainXmlCodec;
  /** Rescan period for changes no watch reports (pauses by other tools); the only source without xenstore. */
  pollMs?: number;
  /** Reasons for the state changes this process made (default: the process-wide book). */
  reasons?: ReasonBook;
  /** Storage pools of this host (dir pools); absent: storage calls fail NO_SUPPORT. */
  storage?: HostDirPools;
  /** Virtual networks of this host (existing bridges); absent: network calls fail NO_SUPPORT. */
  networks?: HostBridgeNetworks;
  /** Where sysfs is mounted, for the disk and vif counters (default /sys; a fake tree in tests). */
  sysfsRoot?: string;
}

/** Event polling period once xenstored is gone. */
const FALLBACK_POLL_MS = 1000;

export class XenHost {
  readonly hv: XenHypervisor;
  readonly xs: XenstoreLike | null;
  readonly codec: DomainXmlCodec;
  readonly dir: DomainDirectory;
  readonly control: XenControl;
  readonly managed: ManagedSaveImages;
  readonly reasons: ReasonBook;
  readonly storage: HostDirPools | null;
  readonly networks: HostBridgeNetworks | null;
  readonly sysfsRoot: string | undefined;
  /** Every listening connection's sink; the watcher emits into it. */
  readonly events = new EventHub<DriverLifecycleEvent>();
  readonly #pollMs: number;
  readonly #onReleased: () => void;
  #refs = 0;
  #released = false;
  #listeners = 0;
  #watcher: LifecycleWatcher | null = null;
  #watcherStarted: Promise<void> | null = null;

  /** `onReleased` runs once, when the last holder releases (before the handles close). */
  constructor(deps: XenDriverDeps, onReleased: () => void = () => undefined) {
    this.hv = deps.hv;
    this.xs = deps.xenstore;
    this.codec = deps.codec;
    this.dir = new DomainDirectory(new LiveDomains(deps.hv, deps.xenstore), deps.store);
    this.control = new XenControl(deps.hv, deps.xenstore, deps.xl, deps.sysfsRoot);
    this.managed = new ManagedSaveImages(deps.store.dir);
    this.reasons = deps.reasons ?? processReasons;
    this.storage = deps.storage ?? null;
    this.networks = deps.networks ?? null;
    this.sysfsRoot = deps.sysfsRoot;
    this.#pollMs = deps.pollMs ?? (deps.xenstore ? 5000 : 1000);
    this.#onReleased = onReleased;
    // Without xenstored no watch fires: events fall back to polling, names to xl's defaults.
    deps.xenstore?.onClose(() => {
      if (!this.#released) this.#watcher?.watchesLost(FALLBACK_POLL_MS);
    });
  }

  /** One more holder; false once released (the caller opens a new host). */
  tryAcquire(): boolean {
    if (this.#released) return false;
    this.#refs++;
    return true;
  }

  /** The running watcher (null while no connection listens): drivers tell it what they did. */
  get watcher(): LifecycleWatcher | null {
    return this.#watcher;
  }

  /** A connection starts listening (its sink is on `events`): the first one starts the watcher. */
  async listen(): Promise<void> {
    this.#listeners++;
    if (!this.#watcherStarted) {
      const watcher = new LifecycleWatcher(
        () => this.#scan(),
        (ev) => this.events.emit(ev),
        this.xs,
        this.#pollMs,
      );
      this.#watcher = watcher;
      this.#watcherStarted = watcher.start().catch(async (err: unknown) => {
        if (this.#watcher === watcher) {
          this.#watcher = null;
          this.#watcherStarted = null;
        }
        await watcher.stop();
        throw err;
      });
    }
    try {
      await this.#watcherStarted;
    } catch (err) {
      this.#listeners--;
      throw err;
    }
  }

  /** A connection stops listening: the last one stops the watcher. */
  async unlisten(): Promise<void> {
    if (this.#listeners === 0 || --this.#listeners > 0) return;
    const watcher = this.#watcher;
    const started = this.#watcherStarted;
    this.#watcher = null;
    this.#watcherStarted = null;
    await started?.catch(() => undefined); // a watcher still arming stops once armed
    await watcher?.stop();
  }

  /** A holder is done; the last one closes the handles. */
  async release(): Promise<void> {
    if (this.#released || --this.#refs > 0) return;
    this.#released = true;
    this.#onReleased();
    const watcher = this.#watcher;
    this.#watcher = null;
    this.#watcherStarted = null;
    await watcher?.stop();
    this.xs?.close();
    this.hv.close();
  }

  async #scan(): Promise<Map<number, DomainSnapshot>> {
    const snap = new Map<number, DomainSnapshot>();
    for (const d of await this.dir.live.list(false)) {
      // Reported once the toolstack has named it, so events carry the name users know it by.
      if (!d.unnamed) snap.set(d.ref.id, { ref: d.ref, xenState: d.xenState, shutdownCode: d.shutdownCode });
    }
    return snap;
  }
}

/** The hosts of this process by key (the state directory), while any connection holds one. */
const shared = new Map<string, Promise<XenHost>>();

/**
 * The host for `key`, opened with `open` by the first connection and shared
 * with the next ones until the last releases it. A failed open is not kept.
 */
export async function acquireSharedHost(key: string, open: () => Promise<XenDriverDeps>): Promise<XenHost> {
  for (;;) {
    let pending = shared.get(key);
    if (!pending) {
      const opening: Promise<XenHost> = open().then(
        (deps) =>
          new XenHost(deps, () => {
            if (shared.get(key) === opening) shared.delete(key);
          }),
      );
      pending = opening;
      shared.set(key, opening);
      opening.catch(() => {
        if (shared.get(key) === opening) shared.delete(key);
      });
    }
    const host = await pending;
    // Released between its opening and now (its last holder closed): open a new one.
    if (host.tryAcquire()) return host;
  }
}
