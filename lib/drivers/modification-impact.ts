/**
 * libvirt's virDomainObjUpdateModificationImpact, for every driver with
 * LIVE/CONFIG calls: which of the running domain and its persistent
 * definition `flags` select (CURRENT, i.e. neither bit: the running one if
 * the domain runs, else the definition), refused when the selection names
 * what the domain does not have.
 */
import { DomainModificationImpact as Impact } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

export function modificationImpact(
  flags: number,
  domain: { active: boolean; persistent: boolean },
  errorDomain: ErrorDomain,
): { live: boolean; config: boolean } {
  let impact = flags & (Impact.LIVE | Impact.CONFIG);
  if (impact === 0) impact = domain.active ? Impact.LIVE : Impact.CONFIG;
  if (impact & Impact.LIVE && !domain.active) {
    throw XvirtError.of(ErrorNumber.OPERATION_INVALID, errorDomain, 'domain is not running');
  }
  if (impact & Impact.CONFIG && !domain.persistent) {
    throw XvirtError.of(
      ErrorNumber.OPERATION_INVALID,
      errorDomain,
      'transient domains do not have any persistent config',
    );
  }
  return { live: (impact & Impact.LIVE) !== 0, config: (impact & Impact.CONFIG) !== 0 };
}
