/**
 * virConnectGetAllDomainStats / virDomainListGetStats as libvirt 9.0's test
 * driver serves them: the 'state' group (and 'iothread', empty here: test
 * domains have no IOThreads); other groups are skipped, or refused with ENFORCE_STATS.
 */
import { DomainStatsTypes, GetAllDomainStatsFlags as F } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { matchesListFlags } from '../list-flags';
import { intParam } from '../../typed-params';
import type { DomainRef, DomainStatsRecord } from '../../types';
import { checkFlags } from './errors';
import type { TestDomain } from './domain';
import type { TestState } from './state';

const SUPPORTED = DomainStatsTypes.STATE | DomainStatsTypes.IOTHREAD;
/** The domain-filter bits (the same values as ListDomainsFlags ACTIVE..OTHER). */
const FILTERS = 0xff;
const ALLOWED_FLAGS = (FILTERS | F.NOWAIT | F.BACKING | F.ENFORCE_STATS) >>> 0;

export function allDomainStats(
  state: TestState,
  doms: DomainRef[] | null,
  stats: number,
  flags: number,
): DomainStatsRecord[] {
  checkFlags(flags >>> 0, ALLOWED_FLAGS, 'testConnectGetAllDomainStats');
  const unsupported = (stats & ~SUPPORTED) >>> 0;
  if ((flags >>> 0) & F.ENFORCE_STATS && unsupported !== 0) {
    throw XvirtError.of(
      ErrorNumber.ARGUMENT_UNSUPPORTED,
      ErrorDomain.TEST,
      `Stats types bits 0x${unsupported.toString(16)} are not supported by this daemon`,
    );
  }
  const wanted = stats === 0 ? SUPPORTED : stats & SUPPORTED;
  const filter = flags & FILTERS;
  let selected: TestDomain[];
  if (doms === null) {
    selected = state.list(filter);
  } else {
    // As libvirt: domains that have vanished are skipped, the filters apply to the rest.
    selected = doms
      .map((r) => state.findByUuid(r.uuid))
      .filter((d): d is TestDomain => d !== undefined)
      .filter((d) => matchesListFlags(filter, d));
  }
  return selected.map((d) => ({
    domain: d.ref,
    params:
      wanted & DomainStatsTypes.STATE ? [intParam('state.state', d.state), intParam('state.reason', d.reason)] : [],
  }));
}
