/**
 * xen:///system for root: the driver talks to the hypervisor itself (native
 * core over /dev/xen/privcmd). The registry hands other users to the proxy
 * driver (lib/drivers/proxy), which goes through the setuid helper.
 */
import { XenHypervisor } from '../../native';
import type { DriverOpener } from '../../types';
import { checkXenUri } from '../xen-common/uri';
import { DefinitionStore } from '../definition-store';
import { loadDomainXmlCodec } from './domain-xml';
import type { XenstoreLike } from './domains';
import { XenDriver } from './driver';
import { acquireSharedHost, type XenDriverDeps } from './host';
import { XlRunner, findXl } from './xl';
import { XenstoreClient } from './xenstore';
import { DEFAULT_STORAGE_ROOTS, HostDirPools } from '../host-storage/dir-pools';
import { HostBridgeNetworks } from '../host-network/bridge-networks';
import * as path from 'node:path';

export { XenDriver } from './driver';

async function connectXenstore(): Promise<XenstoreLike | null> {
  try {
    return await XenstoreClient.connect();
  } catch {
    return null; // names fall back to Domain-<id> and events to polling (docs/xen-direct.md)
  }
}

/**
 * Every xen:///system connection of this process shares one XenHost (per
 * state directory): the first opens the handles, the last close releases them.
 */
export const openXenDriver: DriverOpener = async (uri) => {
  checkXenUri(uri);
  const stateDir = path.resolve(process.env.XVIRT_XEN_STATE_DIR || '/var/lib/xvirt/xen');
  return new XenDriver(await acquireSharedHost(stateDir, () => openHost(stateDir)));
};

async function openHost(stateDir: string): Promise<XenDriverDeps> {
  const hv = await XenHypervisor.open();
  let xenstore: XenstoreLike | null = null;
  try {
    const codec = loadDomainXmlCodec();
    const store = await DefinitionStore.open(stateDir, (xml) => codec.parse(xml));
    // Pool definitions beside the domains'; pool directories only under the allowed roots.
    const rootsEnv = process.env.XVIRT_STORAGE_ROOTS;
    const roots = rootsEnv ? rootsEnv.split(':').filter((r) => r.startsWith('/')) : DEFAULT_STORAGE_ROOTS;
    const storage = await HostDirPools.shared(path.join(stateDir, 'storage'), roots);
    const networks = await HostBridgeNetworks.shared(path.join(stateDir, 'networks'));
    xenstore = await connectXenstore();
    const xl = new XlRunner(findXl(hv.version.major, hv.version.minor));
    return { hv, xenstore, store, xl, codec, storage, networks };
  } catch (err) {
    xenstore?.close();
    hv.close();
    throw err;
  }
}
