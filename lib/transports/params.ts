/** URI parameters shared by the transports. */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { uriParam, type ConnectionUri } from '../uri';

/** A libvirt on/off parameter (no_verify, no_tty, no_sanity): absent or '0' is off, '1' is on, anything else an error. */
export function uriFlag(uri: ConnectionUri, name: string): boolean {
  const v = uriParam(uri, name);
  if (v === undefined || v === '0') return false;
  if (v === '1') return true;
  throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, `${name} must be 0 or 1, got '${v}'`);
}
