/**
 * virConnectListAllDomains' filter flags (ListDomainsFlags), one
 * implementation for every driver that filters domains itself.
 */
import { DomainState, ListDomainsFlags } from '../constants';

/** What the filter looks at in a domain. */
export interface ListedDomain {
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  state: DomainState;
  /** Whether a managed save image waits for the next start (absent: none). */
  managedSave?: boolean;
}

/**
 * Whether a domain passes `flags` (0 = all). Each either/or pair filters only
 * when exactly one of its two bits is set. None of xvirt's drivers keep
 * snapshots or checkpoints, so domains count as having none.
 * `blockedIsRunning`: whether an idle (BLOCKED) domain passes the RUNNING
 * state filter (Xen: an idle guest is running to its user) or OTHER (libvirt's
 * test driver).
 */
export function matchesListFlags(flags: number, d: ListedDomain, blockedIsRunning = false): boolean {
  // Listing everything is the common case (every poll of a dashboard): no closure made per domain for it.
  if (flags === 0) return true;
  const F = ListDomainsFlags;
  const pair = (yes: number, no: number, value: boolean) => !(flags & (yes | no)) || (flags & (value ? yes : no)) !== 0;
  if (!pair(F.ACTIVE, F.INACTIVE, d.active)) return false;
  if (!pair(F.PERSISTENT, F.TRANSIENT, d.persistent)) return false;
  if (!pair(F.AUTOSTART, F.NO_AUTOSTART, d.autostart)) return false;
  if (!pair(F.MANAGEDSAVE, F.NO_MANAGEDSAVE, d.managedSave === true)) return false;
  if (!pair(F.HAS_SNAPSHOT, F.NO_SNAPSHOT, false)) return false;
  if (!pair(F.HAS_CHECKPOINT, F.NO_CHECKPOINT, false)) return false;
  const stateFlags = flags & (F.RUNNING | F.PAUSED | F.SHUTOFF | F.OTHER);
  if (!stateFlags) return true;
  const running = d.state === DomainState.RUNNING || (blockedIsRunning && d.state === DomainState.BLOCKED);
  const group = running
    ? F.RUNNING
    : d.state === DomainState.PAUSED
      ? F.PAUSED
      : d.state === DomainState.SHUTOFF
        ? F.SHUTOFF
        : F.OTHER;
  return (stateFlags & group) !== 0;
}

/**
 * Whether a network or storage pool passes libvirt's ACTIVE/INACTIVE,
 * PERSISTENT/TRANSIENT, AUTOSTART/NO_AUTOSTART filters (bits 0-5 of
 * ListNetworksFlags and ListStoragePoolsFlags, which agree).
 */
export function matchesStateFlags(
  flags: number,
  o: { active: boolean; persistent: boolean; autostart: boolean },
): boolean {
  const pair = (yes: number, no: number, value: boolean) => !(flags & (yes | no)) || (flags & (value ? yes : no)) !== 0;
  return pair(2, 1, o.active) && pair(4, 8, o.persistent) && pair(16, 32, o.autostart);
}
