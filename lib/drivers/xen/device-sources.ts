/**
 * Device sources a definition names indirectly, looked up at each start as
 * libvirt does: a volume disk's file in its storage pool, a network
 * interface's bridge in its virtual network. The definition keeps the names,
 * so a pool or network defined, moved or started later is followed.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { HostBridgeNetworks } from '../host-network/bridge-networks';
import type { HostDirPools } from '../host-storage/dir-pools';
import type { XlDomainConfig } from './xl';

function noSupport(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.XEN, detail);
}

/** `config` with every volume disk's path and network interface's bridge filled in. */
export async function resolveDeviceSources(
  config: XlDomainConfig,
  pools: HostDirPools | null,
  networks: HostBridgeNetworks | null,
): Promise<XlDomainConfig> {
  if (!config.disks?.some((d) => d.volume) && !config.vifs?.some((v) => v.network)) return config;
  const disks = await Promise.all(
    (config.disks ?? []).map(async (d) => {
      if (!d.volume) return d;
      if (!pools)
        throw noSupport(
          `disk ${d.vdev} uses storage volume '${d.volume.name}', but this connection has no storage pools`,
        );
      return { ...d, target: await pools.volumePath(d.volume.pool, d.volume.name) };
    }),
  );
  const vifs = (config.vifs ?? []).map((v) => {
    if (!v.network) return v;
    if (!networks)
      throw noSupport(`an interface uses network '${v.network}', but this connection has no virtual networks`);
    return { ...v, bridge: networks.bridgeFor(v.network) };
  });
  return { ...config, disks, vifs };
}
