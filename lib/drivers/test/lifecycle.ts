/**
 * State changes of the in-memory hypervisor, with libvirt's rules and the
 * lifecycle events libvirt's test driver emits for each (event, detail).
 * Every function validates first and changes state only once nothing can
 * fail, so a rejected call leaves everything as it was.
 */
import {
  DomainEventDefinedDetail,
  DomainEventResumedDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventSuspendedDetail,
  DomainEventType,
  DomainEventUndefinedDetail,
  DomainPausedReason,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
} from '../../constants';
import type { DomainDefinition, LifecycleAction } from '../../xml';
import type { TestDomain } from './domain';
import { invalidArg, operationFailed, operationInvalid } from './errors';
import type { TestState } from './state';
import { TEST_MAX_VCPUS } from './defaults';

export function requireActive(dom: TestDomain): void {
  if (!dom.active) throw operationInvalid('domain is not running');
}

/**
 * Boots `dom` (running, or paused when `paused`), emitting STARTED/BOOTED (and
 * SUSPENDED/PAUSED); `restored`: it resumes a saved state (STARTED/RESTORED).
 */
function boot(state: TestState, dom: TestDomain, paused: boolean, restored = false): void {
  const id = state.allocateId();
  const reason = restored ? DomainRunningReason.RESTORED : DomainRunningReason.BOOTED;
  state.reindex(dom, () => dom.start(id, DomainState.RUNNING, reason));
  state.emit(
    dom,
    DomainEventType.STARTED,
    restored ? DomainEventStartedDetail.RESTORED : DomainEventStartedDetail.BOOTED,
  );
  if (paused) {
    dom.setState(DomainState.PAUSED, DomainPausedReason.USER);
    state.emit(dom, DomainEventType.SUSPENDED, DomainEventSuspendedDetail.PAUSED);
  }
}

/** Shuts `dom` off with `reason`, emitting STOPPED/`detail`; a transient domain then vanishes. */
function shutOff(
  state: TestState,
  dom: TestDomain,
  reason: DomainShutoffReason,
  detail: DomainEventStoppedDetail,
): void {
  state.reindex(dom, () => dom.stop(reason));
  state.emit(dom, DomainEventType.STOPPED, detail);
  if (!dom.persistent) state.remove(dom);
}

/**
 * Starts a defined, shut-off domain. A managed save mark is dropped: libvirt's
 * test driver keeps no state to resume, so the start is a boot (BOOTED).
 */
export function startDomain(state: TestState, dom: TestDomain, paused: boolean): void {
  if (dom.active) throw operationInvalid('domain is already running');
  dom.managedSave = false;
  boot(state, dom, paused);
}

/** virDomainSave once the image is written: shut off, SAVED. */
export function savedDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  shutOff(state, dom, DomainShutoffReason.SAVED, DomainEventStoppedDetail.SAVED);
}

/** virDomainManagedSave: a persistent running domain stops, marked for its next start. */
export function managedSaveDomain(state: TestState, dom: TestDomain): void {
  if (!dom.persistent) throw operationInvalid('cannot do managed save for transient domain');
  requireActive(dom);
  shutOff(state, dom, DomainShutoffReason.SAVED, DomainEventStoppedDetail.SAVED);
  dom.managedSave = true;
}

export function destroyDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  shutOff(state, dom, DomainShutoffReason.DESTROYED, DomainEventStoppedDetail.DESTROYED);
}

export function suspendDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  if (dom.state === DomainState.PAUSED) throw operationInvalid('domain is already paused');
  dom.setState(DomainState.PAUSED, DomainPausedReason.USER);
  state.emit(dom, DomainEventType.SUSPENDED, DomainEventSuspendedDetail.PAUSED);
}

export function resumeDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  if (dom.state !== DomainState.PAUSED) throw operationInvalid('domain is not paused');
  dom.setState(DomainState.RUNNING, DomainRunningReason.UNPAUSED);
  state.emit(dom, DomainEventType.RESUMED, DomainEventResumedDetail.UNPAUSED);
}

/**
 * What the guest does on power-off or reboot (its on_poweroff/on_reboot
 * action), as libvirt's test driver models it: 'restart' keeps it running
 * (booted again, same id, no lifecycle event); otherwise it shuts off.
 */
function applyGuestAction(state: TestState, dom: TestDomain, action: LifecycleAction): void {
  if (action === 'restart' || action === 'rename-restart') {
    dom.setState(DomainState.RUNNING, DomainRunningReason.BOOTED);
    return;
  }
  shutOff(state, dom, DomainShutoffReason.SHUTDOWN, DomainEventStoppedDetail.SHUTDOWN);
}

export function shutdownDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  applyGuestAction(state, dom, dom.def.onPoweroff);
}

export function rebootDomain(state: TestState, dom: TestDomain): void {
  requireActive(dom);
  applyGuestAction(state, dom, dom.def.onReboot);
}

/** Undefines: a running domain turns transient (vanishing when it stops); an inactive one is removed. */
export function undefineDomain(state: TestState, dom: TestDomain, withManagedSave: boolean): void {
  if (!dom.persistent) throw operationInvalid(`cannot undefine transient domain '${dom.name}'`);
  if (dom.managedSave && !withManagedSave) {
    throw operationInvalid('Refusing to undefine while domain managed save image exists');
  }
  dom.managedSave = false;
  dom.config = null;
  dom.autostart = false;
  state.emit(dom, DomainEventType.UNDEFINED, DomainEventUndefinedDetail.REMOVED);
  if (!dom.active) state.remove(dom);
}

/** libvirt's identity checks: one name per uuid, one uuid per name. */
function checkIdentity(state: TestState, def: DomainDefinition): TestDomain | undefined {
  const sameUuid = state.findByUuid(def.uuid);
  if (sameUuid && sameUuid.name !== def.name) {
    throw operationFailed(`domain '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
  }
  const sameName = state.findByName(def.name);
  if (sameName && sameName.uuid !== def.uuid) {
    throw operationFailed(`domain '${sameName.name}' already exists with uuid ${sameName.uuid}`);
  }
  return sameUuid;
}

/**
 * Defines or redefines a persistent domain. A running domain keeps its live
 * definition; the new one takes effect when it next starts.
 */
export function defineDomain(state: TestState, def: DomainDefinition): TestDomain {
  const existing = checkIdentity(state, def);
  if (!existing) {
    const dom = state.add(def, null);
    state.emit(dom, DomainEventType.DEFINED, DomainEventDefinedDetail.ADDED);
    return dom;
  }
  const wasPersistent = existing.persistent;
  existing.config = def;
  state.emit(
    existing,
    DomainEventType.DEFINED,
    wasPersistent ? DomainEventDefinedDetail.UPDATED : DomainEventDefinedDetail.ADDED,
  );
  return existing;
}

/**
 * Creates and boots a domain from `def`. A shut-off persistent domain of the
 * same identity runs with `def` as its live definition and keeps its configuration.
 * Takes `def` over (the running domain changes it): pass a definition nothing
 * else holds, as createXML does with the one it has just parsed.
 * `restored`: virDomainRestore's start of a definition read from a save image.
 */
export function createDomain(state: TestState, def: DomainDefinition, paused: boolean, restored = false): TestDomain {
  const existing = checkIdentity(state, def);
  if (existing?.active) throw operationInvalid(`domain '${existing.name}' is already active`);
  const dom = existing ?? state.add(null, def);
  dom.live = def;
  boot(state, dom, paused, restored);
  return dom;
}

/** virDomainSetMemory: the running domain's balloon target, at most its maximum. */
export function setDomainMemory(dom: TestDomain, memoryKiB: number): void {
  requireActive(dom);
  const live = dom.live!;
  if (memoryKiB > live.memoryKiB) throw invalidArg('cannot set memory higher than max memory');
  if (memoryKiB < 1) throw invalidArg('cannot set memory to 0 KiB');
  live.currentMemoryKiB = memoryKiB;
}

/** virDomainSetVcpus: the running domain's online vCPUs, at most its maximum. */
export function setDomainVcpus(dom: TestDomain, nvcpus: number): void {
  if (nvcpus > TEST_MAX_VCPUS) {
    throw invalidArg(`requested cpu amount exceeds maximum supported amount (${nvcpus} > ${TEST_MAX_VCPUS})`);
  }
  requireActive(dom);
  const live = dom.live!;
  if (nvcpus > live.maxVcpus) throw invalidArg(`requested cpu amount exceeds maximum (${nvcpus} > ${live.maxVcpus})`);
  if (nvcpus < 1) throw invalidArg('requested cpu amount must be at least 1');
  live.vcpus = nvcpus;
}

export function setDomainAutostart(dom: TestDomain, autostart: boolean): void {
  if (!dom.persistent) throw operationInvalid(`cannot set autostart for transient domain '${dom.name}'`);
  dom.autostart = autostart;
}
