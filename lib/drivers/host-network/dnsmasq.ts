/**
 * DHCP (and DNS) for a managed network through dnsmasq, as libvirt runs it:
 * one daemon per network, bound to the network's bridge only
 * (bind-dynamic), configured by a file xvirt writes. Its files live in the
 * network driver's state directory, named after the network's UUID (never
 * after a name field): <uuid>.conf, .hostsfile, .pid, and .leases, the lease
 * file dnsmasq keeps itself, which is what getDHCPLeases reads. The daemon
 * is found again by its pid file and only killed when its command line is
 * the one xvirt started (a reused pid is left alone).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { NetworkDHCPLease } from '../../netstore-types';
import { ipToBigInt } from '../../xml/ip-address';
import type { NetworkDefinition, NetworkIp } from '../../xml/network';
import { writeFileAtomic } from '../../atomic-file';
import { ipPrefix } from './firewall';
import type { RunHostTool } from '../host-commands';

export function dnsmasqFiles(runDir: string, uuid: string) {
  const base = path.join(runDir, uuid);
  return { conf: `${base}.conf`, hosts: `${base}.hostsfile`, pid: `${base}.pid`, leases: `${base}.leases` };
}

export function needsDhcp(def: NetworkDefinition): boolean {
  return def.ips.some((ip) => ip.dhcp);
}

function v4Mask(prefix: number): string {
  const n = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
  return [24n, 16n, 8n, 0n].map((s) => (n >> s) & 255n).join('.');
}

function hostLine(ip: NetworkIp, h: NetworkIp['hosts'][number]): string {
  const addr = ip.address.includes(':') ? `[${h.ip}]` : h.ip!;
  return [h.mac, addr, h.name].filter((x) => x !== null).join(',');
}

/** dnsmasq's configuration and hosts file for the network (whose DHCP sections were checked by checkManagedNetwork). */
export function dnsmasqConfig(def: NetworkDefinition, runDir: string): { conf: string; hosts: string } {
  const files = dnsmasqFiles(runDir, def.uuid);
  const dhcp = def.ips.filter((ip) => ip.dhcp);
  const ranges = dhcp.flatMap((ip) =>
    ip.ranges.map((r) => {
      const v6 = ip.address.includes(':');
      return `dhcp-range=${r.start},${r.end},${v6 ? ipPrefix(ip) : v4Mask(ipPrefix(ip))}`;
    }),
  );
  const leaseMax = dhcp.reduce(
    (n, ip) =>
      n + ip.hosts.length + ip.ranges.reduce((m, r) => m + Number(ipToBigInt(r.end) - ipToBigInt(r.start)) + 1, 0),
    0,
  );
  const lines = [
    '# Written by xvirt for this network; rewritten at each start.',
    'strict-order',
    `pid-file=${files.pid}`,
    'except-interface=lo',
    'bind-dynamic',
    `interface=${def.bridge!}`,
    ...ranges,
    'dhcp-no-override',
    'dhcp-authoritative',
    `dhcp-lease-max=${leaseMax}`,
    `dhcp-hostsfile=${files.hosts}`,
    `dhcp-leasefile=${files.leases}`,
    ...(dhcp.some((ip) => ip.address.includes(':')) ? ['enable-ra'] : []),
  ];
  const hosts = dhcp.flatMap((ip) => ip.hosts.map((h) => hostLine(ip, h)));
  return { conf: lines.join('\n') + '\n', hosts: hosts.map((h) => h + '\n').join('') };
}

/** Writes the configuration and starts dnsmasq (it forks once its sockets are bound); its pid. */
export async function startDnsmasq(run: RunHostTool, def: NetworkDefinition, runDir: string): Promise<number> {
  const files = dnsmasqFiles(runDir, def.uuid);
  const { conf, hosts } = dnsmasqConfig(def, runDir);
  await fs.mkdir(runDir, { recursive: true, mode: 0o755 });
  await fs.rm(files.pid, { force: true });
  await writeFileAtomic(files.hosts, hosts, 0o644);
  await writeFileAtomic(files.conf, conf, 0o644);
  await run('dnsmasq', [`--conf-file=${files.conf}`]);
  const pid = await runningDnsmasq(runDir, def.uuid);
  if (pid === null) {
    throw XvirtError.of(
      ErrorNumber.OPERATION_FAILED,
      ErrorDomain.NETWORK,
      `dnsmasq for network '${def.name}' did not stay up`,
    );
  }
  return pid;
}

/** The pid of the network's dnsmasq if it runs with xvirt's configuration file, else null. */
export async function runningDnsmasq(runDir: string, uuid: string): Promise<number | null> {
  const files = dnsmasqFiles(runDir, uuid);
  let pid: number;
  try {
    pid = Number((await fs.readFile(files.pid, 'utf8')).trim());
    if (!Number.isSafeInteger(pid) || pid <= 1) return null;
    const cmdline = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return path.basename(cmdline[0] ?? '') === 'dnsmasq' && cmdline.includes(`--conf-file=${files.conf}`) ? pid : null;
  } catch {
    return null;
  }
}

/** Stops the network's dnsmasq (TERM, then KILL after ~5 s) and removes its run files; the lease file stays. */
export async function stopDnsmasq(runDir: string, uuid: string): Promise<void> {
  const files = dnsmasqFiles(runDir, uuid);
  const pid = await runningDnsmasq(runDir, uuid);
  if (pid !== null) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && (await runningDnsmasq(runDir, uuid)) === pid; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if ((await runningDnsmasq(runDir, uuid)) === pid) process.kill(pid, 'SIGKILL');
  }
  await Promise.all([files.conf, files.hosts, files.pid].map((f) => fs.rm(f, { force: true })));
}

/**
 * Leases from dnsmasq's lease file: "expiry mac ip hostname clientid" lines
 * ('*' = none, expiry 0 = never), IPv4 only (the IPv6 section, after its
 * "duid" line, names no MAC). Expired leases are left out, as libvirt does.
 */
export function parseLeaseFile(text: string, def: NetworkDefinition, nowSeconds: number): NetworkDHCPLease[] {
  const leases: NetworkDHCPLease[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('duid ')) break;
    const [expiry, mac, ipaddr, hostname, clientid] = line.trim().split(/\s+/);
    if (!expiry || !/^[0-9]+$/.test(expiry) || !mac || !ipaddr || !/^[0-9a-fA-F:]{17}$/.test(mac)) continue;
    const expiryTime = Number(expiry);
    if (expiryTime !== 0 && expiryTime < nowSeconds) continue;
    const ip = def.ips.find((i) => !i.address.includes(':'));
    leases.push({
      iface: def.bridge!,
      expiryTime: BigInt(expiryTime),
      type: 0,
      mac: mac.toLowerCase(),
      iaid: null,
      ipaddr,
      prefix: ip ? ipPrefix(ip) : 0,
      hostname: hostname && hostname !== '*' ? hostname : null,
      clientid: clientid && clientid !== '*' ? clientid : null,
    });
  }
  return leases;
}

export async function readLeases(runDir: string, def: NetworkDefinition): Promise<NetworkDHCPLease[]> {
  let text: string;
  try {
    text = await fs.readFile(dnsmasqFiles(runDir, def.uuid).leases, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw XvirtError.of(
      ErrorNumber.SYSTEM_ERROR,
      ErrorDomain.NETWORK,
      `cannot read the leases of network '${def.name}': ${String(err)}`,
    );
  }
  return parseLeaseFile(text, def, Math.floor(Date.now() / 1000));
}
