/**
 * Resolving a command's <domain> argument the way virsh does: an id if the
 * text is a non-negative integer, then a UUID if it reads as one, then a name.
 */
import type { Connection, Domain } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../errors';
import { isUuid } from '../uuid';
import type { CommandContext } from './spec';

export interface LookupKinds {
  byId: boolean;
  byUuid: boolean;
  byName: boolean;
}

export const ANY_DOMAIN: LookupKinds = { byId: true, byUuid: true, byName: true };
/** `start` skips ids, as virsh does: an inactive domain has none. */
export const INACTIVE_DOMAIN: LookupKinds = { byId: false, byUuid: true, byName: true };

/** Errors that mean "not this way, try the next": anything else (a dead connection...) is reported as is. */
function isMiss(err: unknown): boolean {
  return isXvirtError(err) && (err.number === ErrorNumber.NO_DOMAIN || err.number === ErrorNumber.INVALID_ARG);
}

async function attempt(lookup: () => Promise<Domain>): Promise<Domain | null> {
  try {
    return await lookup();
  } catch (err) {
    if (isMiss(err)) return null;
    throw err;
  }
}

export async function lookupDomain(conn: Connection, text: string, kinds: LookupKinds = ANY_DOMAIN): Promise<Domain> {
  let dom: Domain | null = null;
  if (kinds.byId && /^[0-9]+$/.test(text) && Number(text) <= 0x7fffffff) {
    dom = await attempt(() => conn.lookupDomainById(Number(text)));
  }
  if (!dom && kinds.byUuid && isUuid(text)) dom = await attempt(() => conn.lookupDomainByUUID(text));
  if (!dom && kinds.byName && text !== '') dom = await attempt(() => conn.lookupDomainByName(text));
  if (!dom) throw new XvirtError(ErrorNumber.NO_DOMAIN, ErrorDomain.DOMAIN, `failed to get domain '${text}'`);
  return dom;
}

/** The domain named by the command's <domain> argument. */
export function domainArgument(ctx: CommandContext, kinds: LookupKinds = ANY_DOMAIN): Promise<Domain> {
  const text = ctx.options.get('domain');
  if (typeof text !== 'string')
    throw new XvirtError(ErrorNumber.INTERNAL_ERROR, ErrorDomain.NONE, 'no <domain> argument');
  return lookupDomain(ctx.connection(), text, kinds);
}
