/**
 * What the Xen drivers (direct: lib/drivers/xen; proxy: lib/drivers/proxy)
 * share about a live domain: its record, its name and OS type as libvirt
 * shows them, the listing filter and the missing-domain error.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { DomainInfo, DomainRef } from '../../types';
import { matchesListFlags as matchesSharedListFlags, type ListedDomain } from '../list-flags';
import type { XenState } from './state';

const XEN_DOMINF_HVM = 0x2;

/** One live domain, copied out of the shared record buffer. */
export interface LiveDomain {
  ref: DomainRef;
  info: DomainInfo;
  xenState: XenState;
  shutdownCode: number;
  reason: number;
  /** XEN_DOMINF_* flags. */
  flags: number;
  /** True while xenstore has no name for it: a domain the toolstack is still building. */
  unnamed?: boolean;
}

/** xl's name for a domain xenstore has no name for: Domain-<id> (Domain-0 for dom0). */
export function defaultDomainName(id: number): string {
  return `Domain-${id}`;
}

/** libvirt's OS type for a domain's flags: 'hvm', or 'xen' for paravirtualized guests. */
export function osTypeOf(flags: number): string {
  return flags & XEN_DOMINF_HVM ? 'hvm' : 'xen';
}

/** The list filter as the Xen drivers (direct and proxy) apply it: an idle guest counts as running. */
export function matchesListFlags(flags: number, d: ListedDomain): boolean {
  return matchesSharedListFlags(flags, d, true);
}

/** NO_DOMAIN in the Xen error domain, libvirt's error for a domain that is not there. */
export function noDomain(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.NO_DOMAIN, ErrorDomain.XEN, detail);
}
