/**
 * A managed network's forwarding rules as one nftables table of its own
 * (family inet, named after the network's UUID), loaded in one `nft -f`
 * transaction and removed by deleting the table, so the host's other rules
 * are never edited. As libvirt's network driver: a NAT network lets its
 * subnet out and answers back in, masquerading IPv4 except multicast and
 * broadcast; a routed network forwards its subnet both ways unmasqueraded;
 * an isolated network (no forward) only talks over its own bridge; every
 * other forwarding to or from the bridge is rejected. An open network gets
 * no rules. A host firewall's own drop rules still apply (nftables runs every
 * table's chains), as they do for libvirt.
 */
import type { NetworkDefinition, NetworkIp } from '../../xml/network';
import { defaultPrefix, familyBits, ipToBigInt, netmaskPrefix } from '../../xml/ip-address';
import type { RunHostTool } from '../host-commands';

/** The nftables table holding one network's rules. */
export function firewallTable(uuid: string): string {
  return `xvirt_${uuid.replace(/-/g, '')}`;
}

export function ipPrefix(ip: NetworkIp): number {
  if (ip.prefix !== null) return ip.prefix;
  if (ip.netmask !== null) return netmaskPrefix(ip.netmask)!;
  return defaultPrefix(ip.address);
}

function isV4(ip: NetworkIp): boolean {
  return !ip.address.includes(':');
}

/** The network an address lies in, as base/prefix (host bits cleared). */
export function subnetOf(ip: NetworkIp): string {
  const prefix = ipPrefix(ip);
  const bits = BigInt(familyBits(isV4(ip) ? 'ipv4' : 'ipv6'));
  const base = (ipToBigInt(ip.address) >> (bits - BigInt(prefix))) << (bits - BigInt(prefix));
  if (isV4(ip)) return `${[24n, 16n, 8n, 0n].map((s) => (base >> s) & 255n).join('.')}/${prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${prefix}`;
}

function forwardRules(def: NetworkDefinition, ip: NetworkIp): string[] {
  const br = `"${def.bridge!}"`;
  const out = def.forwardDev === null ? '' : ` oifname "${def.forwardDev}"`;
  const inn = def.forwardDev === null ? '' : ` iifname "${def.forwardDev}"`;
  const fam = isV4(ip) ? 'ip' : 'ip6';
  const net = subnetOf(ip);
  const back = def.forward === 'nat' && isV4(ip) ? ' ct state established,related' : '';
  return [`iifname ${br}${out} ${fam} saddr ${net} accept`, `oifname ${br}${inn} ${fam} daddr ${net}${back} accept`];
}

function masqueradeRules(def: NetworkDefinition, ip: NetworkIp): string[] {
  const net = subnetOf(ip);
  const out = def.forwardDev === null ? '' : ` oifname "${def.forwardDev}"`;
  return [
    `ip saddr ${net} ip daddr 224.0.0.0/24 return`,
    `ip saddr ${net} ip daddr 255.255.255.255 return`,
    `ip saddr ${net} ip daddr != ${net}${out} masquerade`,
  ];
}

/** The `nft -f` script creating the network's table, or null for an open network (no rules). */
export function firewallScript(def: NetworkDefinition): string | null {
  if (def.forward === 'open') return null;
  const br = `"${def.bridge!}"`;
  const routed = def.forward === 'nat' || def.forward === 'route' ? def.ips.flatMap((ip) => forwardRules(def, ip)) : [];
  const forward = [...routed, `iifname ${br} oifname ${br} accept`, `iifname ${br} reject`, `oifname ${br} reject`];
  const nat = def.forward === 'nat' ? def.ips.filter(isV4).flatMap((ip) => masqueradeRules(def, ip)) : [];
  const chain = (name: string, hook: string, rules: string[]) =>
    `  chain ${name} {\n    type ${hook};\n${rules.map((r) => `    ${r}\n`).join('')}  }\n`;
  return (
    `table inet ${firewallTable(def.uuid)} {\n` +
    chain('forward', 'filter hook forward priority 0; policy accept', forward) +
    (nat.length ? chain('postrouting', 'nat hook postrouting priority 100', nat) : '') +
    '}\n'
  );
}

export async function addFirewall(run: RunHostTool, def: NetworkDefinition): Promise<boolean> {
  const script = firewallScript(def);
  if (script === null) return false;
  await run('nft', ['-f', '-'], script);
  return true;
}

/** Deletes the network's table; a table already gone is not an error. */
export async function removeFirewall(run: RunHostTool, uuid: string): Promise<void> {
  const table = firewallTable(uuid);
  const tables = await run('nft', ['list', 'tables', 'inet']);
  if (tables.split('\n').some((l) => l.trim() === `table inet ${table}`)) {
    await run('nft', ['delete', 'table', 'inet', table]);
  }
}
