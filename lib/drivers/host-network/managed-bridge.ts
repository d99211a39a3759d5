/**
 * Networks whose bridge xvirt creates (forward mode nat, route, open, or
 * none = isolated), as libvirt's network driver builds them on a host: the
 * Linux bridge and its addresses through ip(8), IP forwarding turned on for
 * nat/route, the network's nftables table (firewall.ts) and dnsmasq when an
 * address has <dhcp> (dnsmasq.ts). Starting is all or nothing: whatever
 * step fails, the steps before it are undone (bridge deleted, table removed,
 * dnsmasq stopped). Names reach ip(8), nft and dnsmasq as arguments or in
 * files xvirt writes, so the bridge and forward device names are limited to
 * characters that mean nothing to any of them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { writeFileAtomic } from '../../atomic-file';
import type { NetworkDefinition } from '../../xml/network';
import { addFirewall, firewallScript, ipPrefix, removeFirewall, subnetOf } from './firewall';
import { needsDhcp, startDnsmasq, stopDnsmasq } from './dnsmasq';
import type { RunHostTool } from '../host-commands';

export const MANAGED_MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'none']);
const SAFE_IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

function unsupported(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.NETWORK, detail);
}

/** What this host refuses in a managed network's definition (beyond the XML parser's checks). */
export function checkManagedNetwork(def: NetworkDefinition): void {
  for (const [what, value] of [
    ['bridge name', def.bridge],
    ['forward dev', def.forwardDev],
  ] as const) {
    if (value !== null && !SAFE_IFNAME.test(value)) {
      throw unsupported(`network '${def.name}': ${what} '${value}' must be 1-15 letters, digits, '_', '.' or '-'`);
    }
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const dhcp = def.ips.filter((ip) => ip.dhcp && ip.address.includes(':') === (family === 'ipv6'));
    if (dhcp.length > 1) {
      throw unsupported(
        `network '${def.name}': multiple ${family} <dhcp> sections: DHCP is supported on one ${family} address per network`,
      );
    }
    if (family === 'ipv6' && dhcp.some((ip) => ip.hosts.some((h) => h.name === null))) {
      throw unsupported(`network '${def.name}': an IPv6 DHCP host needs a name (dnsmasq matches IPv6 hosts by name)`);
    }
  }
  if (def.ips.some((ip) => ipPrefix(ip) === 0 || ipPrefix(ip) === (ip.address.includes(':') ? 128 : 32))) {
    throw unsupported(`network '${def.name}': an address's prefix must leave room for both the host and guests`);
  }
}

/** The host tools starting this network needs, in the order they are used. */
export function toolsFor(def: NetworkDefinition): Array<'ip' | 'nft' | 'dnsmasq'> {
  return [
    'ip',
    ...(firewallScript(def) === null ? [] : ['nft' as const]),
    ...(needsDhcp(def) ? ['dnsmasq' as const] : []),
  ];
}

const VERSION_ARGS: Record<'ip' | 'nft' | 'dnsmasq', string[]> = {
  ip: ['-V'],
  nft: ['--version'],
  dnsmasq: ['--version'],
};

export interface ManagedHost {
  run: RunHostTool;
  /** /sys/class/net of the namespace xvirt runs in. */
  sysNet: string;
  /** Where dnsmasq's files for each network go. */
  runDir: string;
  /** /proc/sys/net, for turning forwarding on. */
  procNet: string;
}

/** Written once xvirt has created the bridge: a later xvirtd takes the network as running only with it, never another's bridge. */
function bridgeMarker(host: ManagedHost, uuid: string): string {
  return path.join(host.runDir, `${uuid}.bridge`);
}

/** Whether xvirt created the network's bridge and it is still there (the network runs, started by an earlier xvirtd). */
export async function managedBridgeUp(host: ManagedHost, def: NetworkDefinition): Promise<boolean> {
  try {
    return (
      (await fs.readFile(bridgeMarker(host, def.uuid), 'utf8')).trim() === def.bridge &&
      (await exists(path.join(host.sysNet, def.bridge!)))
    );
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** libvirt's networkCheckRouteCollision: an IPv4 subnet the host already routes elsewhere is refused. */
async function checkRoutes(host: ManagedHost, def: NetworkDefinition): Promise<void> {
  const routes = JSON.parse((await host.run('ip', ['-j', '-4', 'route', 'show'])) || '[]') as Array<{
    dst?: string;
    dev?: string;
  }>;
  for (const ip of def.ips.filter((i) => !i.address.includes(':'))) {
    const clash = routes.find((r) => r.dst === subnetOf(ip) || (r.dst === ip.address && ipPrefix(ip) === 32));
    if (clash) {
      throw XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.NETWORK,
        `network '${def.name}': ${subnetOf(ip)} is already in use by interface ${clash.dev ?? '?'}`,
      );
    }
  }
}

async function enableForwarding(host: ManagedHost, def: NetworkDefinition): Promise<void> {
  if (def.forward !== 'nat' && def.forward !== 'route') return;
  await fs.writeFile(path.join(host.procNet, 'ipv4', 'ip_forward'), '1\n');
  if (def.ips.some((ip) => ip.address.includes(':'))) {
    await fs.writeFile(path.join(host.procNet, 'ipv6', 'conf', 'all', 'forwarding'), '1\n');
  }
}

/** Creates the bridge, its addresses, forwarding, firewall table and dnsmasq; on any failure undoes what was done. */
export async function startManagedBridge(host: ManagedHost, def: NetworkDefinition): Promise<void> {
  const bridge = def.bridge!;
  for (const tool of toolsFor(def)) await host.run(tool, VERSION_ARGS[tool]);
  if (await exists(path.join(host.sysNet, bridge))) {
    throw XvirtError.of(
      ErrorNumber.OPERATION_FAILED,
      ErrorDomain.NETWORK,
      `cannot start network '${def.name}': an interface named '${bridge}' already exists on this host`,
    );
  }
  await checkRoutes(host, def);
  const stp = def.stp ? '1' : '0';
  await host.run('ip', [
    'link',
    'add',
    'name',
    bridge,
    'type',
    'bridge',
    'forward_delay',
    String(def.delay * 100),
    'stp_state',
    stp,
  ]);
  try {
    await fs.mkdir(host.runDir, { recursive: true, mode: 0o755 });
    await writeFileAtomic(bridgeMarker(host, def.uuid), `${bridge}\n`);
    if (def.mac !== null) await host.run('ip', ['link', 'set', 'dev', bridge, 'address', def.mac]);
    for (const ip of def.ips) {
      const v6 = ip.address.includes(':') ? ['nodad'] : [];
      await host.run('ip', ['addr', 'add', `${ip.address}/${ipPrefix(ip)}`, 'dev', bridge, ...v6]);
    }
    await host.run('ip', ['link', 'set', 'dev', bridge, 'up']);
    await enableForwarding(host, def);
    await addFirewall(host.run, def);
    if (needsDhcp(def)) await startDnsmasq(host.run, def, host.runDir);
  } catch (err) {
    await stopManagedBridge(host, def).catch(() => undefined);
    throw err;
  }
}

/** Stops dnsmasq, removes the firewall table and deletes the bridge; every step is tried, the first failure reported. */
export async function stopManagedBridge(host: ManagedHost, def: NetworkDefinition): Promise<void> {
  const failures: unknown[] = [];
  const attempt = async (step: () => Promise<unknown>) => step().catch((err: unknown) => failures.push(err));
  await attempt(() => stopDnsmasq(host.runDir, def.uuid));
  if (firewallScript(def) !== null) await attempt(() => removeFirewall(host.run, def.uuid));
  if (await exists(path.join(host.sysNet, def.bridge!))) {
    await attempt(() => host.run('ip', ['link', 'del', 'dev', def.bridge!]));
  }
  await attempt(() => fs.rm(bridgeMarker(host, def.uuid), { force: true }));
  if (failures.length) throw failures[0];
}
