/**
 * xen:///system. As root the driver talks to the hypervisor itself (native
 * core over /dev/xen/privcmd); other users go through the setuid proxy
 * helper, which answers read-only requests (lib/drivers/proxy).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { XenHypervisor } from '../../native';
import type { Driver, OpenOptions } from '../../types';
import type { ConnectionUri } from '../../uri';
import type { DriverOpener } from '../registry';
import { DEFAULT_STATE_DIR, DefinitionStore } from './definitions';
import { loadDomainXmlCodec } from './domain-xml';
import type { XenstoreLike } from './domains';
import { XenDriver } from './driver';
import { XlRunner, findXl } from './xl';
import { XenstoreClient } from './xenstore';
import { DEFAULT_STORAGE_ROOTS, HostDirPools } from '../host-storage/dir-pools';
import { HostBridgeNetworks } from '../host-network/bridge-networks';
import * as path from 'node:path';

export { XenDriver } from './driver';

/** Checks the URI names this driver's one local instance: xen:///system (or libvirt's older xen:///). */
export function checkXenUri(uri: ConnectionUri): void {
  if (uri.driver !== 'xen' || (uri.path !== '/system' && uri.path !== '/' && uri.path !== '')) {
    throw XvirtError.of(ErrorNumber.NO_CONNECT, ErrorDomain.XEN,
      `${uri.text}: the Xen driver serves only xen:///system`);
  }
  // No parameters: a URI can arrive from a remote client through xvirtd, so nothing in it may pick paths.
  if (uri.params.length > 0) {
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.XEN,
      `unknown parameter(s) in ${uri.text}: ${uri.params.map(([k]) => k).join(', ')}`);
  }
}

/** Unprivileged callers: the proxy driver (setuid helper), which explains itself if it is not installed. */
async function openThroughProxy(uri: ConnectionUri, options: OpenOptions): Promise<Driver> {
  const { openProxyDriver } = await import('../proxy');
  return openProxyDriver(uri, options);
}

async function connectXenstore(): Promise<XenstoreLike | null> {
  try {
    return await XenstoreClient.connect();
  } catch {
    return null; // names fall back to Domain-<id> and events to polling (docs/xen-direct.md)
  }
}

export const openXenDriver: DriverOpener = async (uri, options) => {
  checkXenUri(uri);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return openThroughProxy(uri, options);
  const hv = await XenHypervisor.open();
  let xenstore: XenstoreLike | null = null;
  try {
    const codec = loadDomainXmlCodec();
    const stateDir = process.env.XVIRT_XEN_STATE_DIR || DEFAULT_STATE_DIR;
    const store = await DefinitionStore.open(stateDir, (xml) => codec.parse(xml));
    // Pool definitions beside the domains'; pool directories only under the allowed roots.
    const rootsEnv = process.env.XVIRT_STORAGE_ROOTS;
    const roots = rootsEnv ? rootsEnv.split(':').filter((r) => r.startsWith('/')) : DEFAULT_STORAGE_ROOTS;
    const storage = await HostDirPools.shared(path.join(stateDir, 'storage'), roots);
    const networks = await HostBridgeNetworks.shared(path.join(stateDir, 'networks'));
    xenstore = await connectXenstore();
    const xl = new XlRunner(findXl(hv.version.major, hv.version.minor));
    return new XenDriver({ hv, xenstore, store, xl, codec, storage, networks });
  } catch (err) {
    xenstore?.close();
    hv.close();
    throw err;
  }
};
