/**
 * What a domain needs from this host before `xl create` runs: xl fails on a
 * missing disk image or bridge only after it has half-built the domain, and
 * its message (the last lines of its log) names neither. Checked here first,
 * each failure a SYSTEM_ERROR naming the path or bridge.
 */
import * as fs from 'node:fs/promises';
import { errnoText } from '../../errno-text';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { XlDomainConfig } from './xl';

/** Where Linux lists network interfaces; a bridge has a `bridge/` directory there. */
const SYS_NET = '/sys/class/net';
/** QEMU built for Xen, which serves qdisk disks (qcow2): Debian's qemu-system-xen, then upstream's default. */
export const DEVICE_MODELS = ['/usr/libexec/xen-qemu-system-i386', '/usr/lib/xen/bin/qemu-system-i386'];

function systemError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.XEN, detail);
}

export async function checkHostResources(
  c: XlDomainConfig,
  sysNet = SYS_NET,
  deviceModels = DEVICE_MODELS,
): Promise<void> {
  for (const d of c.disks ?? []) {
    if (d.format === 'qcow2' || d.backend === 'qdisk') {
      const found = await Promise.all(
        deviceModels.map((m) =>
          fs.access(m).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (!found.includes(true)) {
        throw XvirtError.of(
          ErrorNumber.CONFIG_UNSUPPORTED,
          ErrorDomain.XEN,
          `disk ${d.vdev}: ${
            d.format === 'qcow2' ? 'qcow2 images need' : 'the qemu driver needs'
          } QEMU's qdisk backend, and this host has no Xen device model (${deviceModels.join(' or ')})`,
        );
      }
    }
    try {
      await fs.stat(d.target);
    } catch (err) {
      throw systemError(`Cannot access storage file '${d.target}': ${errnoText(err as NodeJS.ErrnoException)}`);
    }
  }
  for (const v of c.vifs ?? []) {
    // Only vif-bridge (xl's default script) uses the bridge; other scripts may read it differently.
    if (v.bridge === null || (v.script !== null && !v.script.endsWith('vif-bridge'))) continue;
    const isBridge = await fs.stat(`${sysNet}/${v.bridge}/bridge`).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isBridge)
      throw systemError(`Cannot attach interface${v.mac ? ` ${v.mac}` : ''} to bridge '${v.bridge}': No such device`);
  }
}
