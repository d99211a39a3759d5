/**
 * State reasons Xen does not keep. For a domain that still exists in a
 * shut-down state, the hypervisor's shutdown code gives the reason (the C
 * core maps it). Why a domain is running or paused, or why a defined domain
 * is off, Xen does not record: xvirt knows it only for the changes it made
 * itself (started, started paused, paused, unpaused, destroyed), and only
 * while the domain is still where that change left it (same id, same state).
 * Anything else is reported as unknown (0), as it truly is.
 *
 * One book serves every Xen driver of the process, so all of xvirtd's client
 * connections see each other's changes. Other processes (a CLI run, the
 * proxy helper) do not see it and report unknown.
 */
import { DomainState } from '../../constants';

interface Entry {
  /** The domain's id after the change; -1 when the change shut it off. */
  id: number;
  state: DomainState;
  reason: number;
}

/**
 * Running, idle and waiting for a CPU are one state to a user (and to Xen's
 * scheduler, moments apart): a live domain whose vCPU is runnable but not on
 * a CPU has neither flag, which reads as NOSTATE (xl list: `------`).
 */
function sameState(a: DomainState, b: DomainState): boolean {
  const running = (s: DomainState) =>
    s === DomainState.RUNNING || s === DomainState.BLOCKED || s === DomainState.NOSTATE;
  return a === b || (running(a) && running(b));
}

export class ReasonBook {
  readonly #byUuid = new Map<string, Entry>();

  /** Notes that this process just took the domain to `state` for `reason` (id -1: it is off now). */
  record(uuid: string, id: number, state: DomainState, reason: number): void {
    this.#byUuid.set(uuid, { id, state, reason });
  }

  /** The recorded reason if the domain is still at `id` in the recorded state, else 0 (unknown). */
  reason(uuid: string, id: number, state: DomainState): number {
    const e = this.#byUuid.get(uuid);
    if (!e) return 0;
    if (e.id === id && sameState(e.state, state)) return e.reason;
    // Moved on without us (restarted under a new id, changed by another tool): forget it.
    this.#byUuid.delete(uuid);
    return 0;
  }
}

/** The process-wide book (a driver's tests pass their own). */
export const processReasons = new ReasonBook();
