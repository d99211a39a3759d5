/** The one URI both Xen drivers (direct and proxy) serve. */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { ConnectionUri } from '../../uri';

/** Checks the URI names the drivers' one local instance: xen:///system (or libvirt's older xen:///). */
export function checkXenUri(uri: ConnectionUri): void {
  if (uri.driver !== 'xen' || (uri.path !== '/system' && uri.path !== '/' && uri.path !== '')) {
    throw XvirtError.of(
      ErrorNumber.NO_CONNECT,
      ErrorDomain.XEN,
      `${uri.text}: the Xen driver serves only xen:///system`,
    );
  }
  // No parameters: a URI can arrive from a remote client through xvirtd, so nothing in it may pick paths.
  if (uri.params.length > 0) {
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.XEN,
      `unknown parameter(s) in ${uri.text}: ${uri.params.map(([k]) => k).join(', ')}`,
    );
  }
}
