/**
 * Chooses the driver for a URI. Drivers load lazily so that, say, a test:///
 * connection never loads the native Xen addon.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { Driver, OpenOptions } from '../types';
import { isRemoteUri, type ConnectionUri } from '../uri';

export type DriverOpener = (uri: ConnectionUri, options: OpenOptions) => Promise<Driver>;

/** In-process drivers by URI driver name. Remote URIs (a transport or host) go to 'remote'. */
const LOCAL_DRIVERS: Record<string, () => Promise<DriverOpener>> = {
  test: async () => (await import('./test')).openTestDriver,
  xen: async () => (await import('./xen')).openXenDriver,
};

/**
 * Openers registered at run time, consulted before the built-in ones: an
 * embedder's own driver, or a test's stand-in (a Xen driver over a fake
 * hypervisor served by an in-process xvirtd).
 */
const registered = new Map<string, DriverOpener>();

/** Serves URIs of driver `name` (xen:///... for 'xen') in this process with `opener`; null restores the built-in. */
export function registerLocalDriver(name: string, opener: DriverOpener | null): void {
  if (opener) registered.set(name, opener);
  else registered.delete(name);
}

const REMOTE_DRIVER = async (): Promise<DriverOpener> => (await import('./remote')).openRemoteDriver;

export async function openDriver(uri: ConnectionUri, options: OpenOptions): Promise<Driver> {
  const custom = isRemoteUri(uri) ? undefined : registered.get(uri.driver);
  if (custom) return custom(uri, options);
  const loader = isRemoteUri(uri) ? REMOTE_DRIVER : LOCAL_DRIVERS[uri.driver];
  if (!loader) {
    // libvirt's wording for NO_CONNECT already says 'no connection driver available for'.
    throw XvirtError.of(ErrorNumber.NO_CONNECT, ErrorDomain.NONE, uri.text);
  }
  const open = await loader();
  return open(uri, options);
}
