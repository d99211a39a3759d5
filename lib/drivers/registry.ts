/**
 * Chooses the driver for a URI. Drivers load lazily so that, say, a test:///
 * connection never loads the native Xen addon; no driver imports this module.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { Driver, DriverOpener, OpenOptions } from '../types';
import { isRemoteUri, type ConnectionUri } from '../uri';

/** Root talks to the hypervisor itself; other users reach xen:///system through the setuid proxy helper. */
const privileged = (): boolean => typeof process.getuid !== 'function' || process.getuid() === 0;

/** In-process drivers by URI driver name. Remote URIs (a transport or host) go to 'remote'. */
const LOCAL_DRIVERS: Record<string, () => Promise<DriverOpener>> = {
  test: async () => (await import('./test')).openTestDriver,
  // The proxy driver explains itself if its helper is not installed.
  xen: async () => (privileged() ? (await import('./xen')).openXenDriver : (await import('./proxy')).openProxyDriver),
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
