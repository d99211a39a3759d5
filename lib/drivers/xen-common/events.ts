/**
 * Lifecycle events for xen:///system. Xen tells xenstored when a domain
 * appears or shuts down/dies (@introduceDomain, @releaseDomain); each such
 * watch firing, each state-changing call of this driver, and a slow poll
 * (for pauses made by other tools, which raise no notification) trigger one
 * getdomaininfolist, whose result is diffed with the previous one.
 */
import {
  DomainEventCrashedDetail,
  DomainEventResumedDetail,
  DomainEventShutdownDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventSuspendedDetail,
  DomainEventType,
} from '../../constants';
import { ErrorNumber, XvirtError, type ErrorDomain } from '../../errors';
import type { DomainRef, DriverLifecycleEvent } from '../../types';
import { XenState } from './state';

export interface DomainSnapshot {
  ref: DomainRef;
  xenState: XenState;
  shutdownCode: number;
}

/** The events that take a domain from `prev` to `next` (either may be absent). */
export function diffDomain(prev: DomainSnapshot | undefined, next: DomainSnapshot | undefined): DriverLifecycleEvent[] {
  const out: DriverLifecycleEvent[] = [];
  const ev = (s: DomainSnapshot, event: DomainEventType, detail: number) => out.push({ domain: s.ref, event, detail });
  const stopped = (s: XenState) => s === XenState.SHUTOFF || s === XenState.CRASHED || s === XenState.DYING;
  if (!prev && next) {
    ev(next, DomainEventType.STARTED, DomainEventStartedDetail.BOOTED);
    if (next.xenState === XenState.PAUSED) ev(next, DomainEventType.SUSPENDED, DomainEventSuspendedDetail.PAUSED);
    return out.concat(
      next.xenState === XenState.SHUTOFF || next.xenState === XenState.CRASHED
        ? diffDomain({ ...next, xenState: XenState.RUNNING }, next)
        : [],
    );
  }
  if (prev && !next) {
    if (!stopped(prev.xenState) || prev.xenState === XenState.DYING) {
      ev(prev, DomainEventType.STOPPED, DomainEventStoppedDetail.DESTROYED);
    }
    return out;
  }
  if (!prev || !next || prev.xenState === next.xenState) return out;
  if (next.xenState === XenState.CRASHED) {
    ev(next, DomainEventType.CRASHED, DomainEventCrashedDetail.PANICKED);
    ev(next, DomainEventType.STOPPED, DomainEventStoppedDetail.CRASHED);
  } else if (next.xenState === XenState.SHUTOFF) {
    const code = next.shutdownCode;
    if (code === 0 || code === 1) {
      ev(next, DomainEventType.SHUTDOWN, DomainEventShutdownDetail.FINISHED);
      ev(next, DomainEventType.STOPPED, DomainEventStoppedDetail.SHUTDOWN);
    } else {
      ev(
        next,
        DomainEventType.STOPPED,
        code === 2
          ? DomainEventStoppedDetail.SAVED
          : code === 4
            ? DomainEventStoppedDetail.CRASHED
            : DomainEventStoppedDetail.FAILED,
      );
    }
  } else if (next.xenState === XenState.PAUSED && !stopped(prev.xenState)) {
    ev(next, DomainEventType.SUSPENDED, DomainEventSuspendedDetail.PAUSED);
  } else if (prev.xenState === XenState.PAUSED && !stopped(next.xenState)) {
    ev(next, DomainEventType.RESUMED, DomainEventResumedDetail.UNPAUSED);
  }
  return out;
}

export interface WatchSource {
  watch(path: string, token: string, cb: (path: string) => void): Promise<void>;
  unwatch(path: string, token: string): Promise<void>;
}

const WATCHED = ['@introduceDomain', '@releaseDomain'];

/**
 * Keeps the last snapshot and emits the differences. `scan` lists the live
 * domains (keyed by id); scans never overlap, and a trigger during a scan
 * causes exactly one more.
 */
export class LifecycleWatcher {
  readonly #scan: () => Promise<Map<number, DomainSnapshot>>;
  readonly #sink: (ev: DriverLifecycleEvent) => void;
  readonly #watches: WatchSource | null;
  #pollMs: number;
  readonly #token = `xvirt-lifecycle-${process.pid}-${Math.random().toString(36).slice(2)}`;
  #last = new Map<number, DomainSnapshot>();
  #running: Promise<void> | null = null;
  #again = false;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Details for changes a scan cannot tell apart (a restore looks like a boot): uuid -> event -> detail. */
  readonly #expected = new Map<string, Map<DomainEventType, number>>();

  constructor(
    scan: () => Promise<Map<number, DomainSnapshot>>,
    sink: (ev: DriverLifecycleEvent) => void,
    watches: WatchSource | null,
    pollMs: number,
  ) {
    this.#scan = scan;
    this.#sink = sink;
    this.#watches = watches;
    this.#pollMs = pollMs;
  }

  /** Takes the first snapshot and arms watches and the poll; resolves once armed. */
  async start(): Promise<void> {
    this.#last = await this.#scan();
    if (this.#watches)
      for (const path of WATCHED) await this.#watches.watch(path, this.#token, () => void this.trigger());
    if (this.#pollMs > 0) {
      this.#timer = setInterval(() => void this.trigger(), this.#pollMs);
      this.#timer.unref();
    }
  }

  /** The watches are gone (xenstored connection lost): poll every `pollMs` from now on instead. */
  watchesLost(pollMs: number): void {
    if (this.#stopped || (this.#timer && this.#pollMs <= pollMs)) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#pollMs = pollMs;
    this.#timer = setInterval(() => void this.trigger(), pollMs);
    this.#timer.unref();
    void this.trigger();
  }

  /** Rescans now (or right after the scan in progress); resolves when that scan is done. */
  trigger(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * The next `event` of domain `uuid` carries `detail` instead of the one the
   * scan guesses (STARTED after a restore, STOPPED after a save). Returns a
   * cancel function for when the change did not happen.
   */
  expect(uuid: string, event: DomainEventType, detail: number): () => void {
    let byEvent = this.#expected.get(uuid);
    if (!byEvent) this.#expected.set(uuid, (byEvent = new Map<DomainEventType, number>()));
    byEvent.set(event, detail);
    return () => {
      if (byEvent!.get(event) === detail) byEvent!.delete(event);
      if (byEvent!.size === 0 && this.#expected.get(uuid) === byEvent) this.#expected.delete(uuid);
    };
  }

  #deliver(ev: DriverLifecycleEvent): void {
    const byEvent = this.#expected.get(ev.domain.uuid);
    const detail = byEvent?.get(ev.event);
    if (detail !== undefined) {
      byEvent!.delete(ev.event);
      if (byEvent!.size === 0) this.#expected.delete(ev.domain.uuid);
      ev = { ...ev, detail };
    }
    this.#sink(ev);
  }

  /** Delivers an event that no scan can see (defined, undefined). */
  emit(ev: DriverLifecycleEvent): void {
    if (!this.#stopped) this.#sink(ev);
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      let next: Map<number, DomainSnapshot>;
      try {
        next = await this.#scan();
      } catch {
        return; // the next trigger retries; a failing scan must not kill event delivery
      }
      if (this.#stopped) return;
      const prev = this.#last;
      this.#last = next;
      for (const [id, p] of prev) {
        const n = next.get(id);
        if (n && n.ref.uuid !== p.ref.uuid) {
          for (const e of [...diffDomain(p, undefined), ...diffDomain(undefined, n)]) this.#deliver(e);
        } else {
          for (const e of diffDomain(p, n)) this.#deliver(e);
        }
      }
      for (const [id, n] of next) if (!prev.has(id)) for (const e of diffDomain(undefined, n)) this.#deliver(e);
    } while (this.#again && !this.#stopped);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const watches = this.#watches;
    if (watches) await Promise.allSettled(WATCHED.map((p) => watches.unwatch(p, this.#token)));
  }
}

/**
 * The one LifecycleWatcher a driver runs between startLifecycleEvents and
 * stopLifecycleEvents (the Xen driver's and the proxy driver's).
 */
export class WatcherSlot {
  readonly #errorDomain: ErrorDomain;
  #watcher: LifecycleWatcher | null = null;

  constructor(errorDomain: ErrorDomain) {
    this.#errorDomain = errorDomain;
  }

  /** The running watcher; null while events are not started. */
  get current(): LifecycleWatcher | null {
    return this.#watcher;
  }

  /** Starts `watcher` (OPERATION_INVALID if one runs already); a failed start disarms it and leaves the slot empty. */
  async start(watcher: LifecycleWatcher): Promise<void> {
    if (this.#watcher)
      throw XvirtError.of(ErrorNumber.OPERATION_INVALID, this.#errorDomain, 'lifecycle events are already started');
    this.#watcher = watcher;
    try {
      await watcher.start();
    } catch (err) {
      if (this.#watcher === watcher) this.#watcher = null;
      await watcher.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const w = this.#watcher;
    this.#watcher = null;
    await w?.stop();
  }
}
