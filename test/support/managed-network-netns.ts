/**
 * Run inside a private network namespace (test/integration/drivers/host-network/
 * managed-networks.test.ts starts it under `unshare -n -m`, /sys remounted),
 * so the host's own networking is never touched. Drives real managed networks
 * through the host network driver with the real ip, nft and dnsmasq, plugs a
 * veth "guest" into the NAT network's bridge to get a DHCP lease from busybox
 * udhcpc, and prints one JSON report of what it saw for the test to assert.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostBridgeNetworks } from '../../lib/drivers/host-network/bridge-networks';
import { HostNetworkDriver } from '../../lib/drivers/host-network/driver';
import type { HostDirPools } from '../../lib/drivers/host-storage/dir-pools';
import { outcome } from './namespace-scenario';

const NAT_UUID = '5a5a5a5a-0000-4000-8000-000000000001';
const ROUTE_UUID = '5a5a5a5a-0000-4000-8000-000000000002';
const GUEST_MAC = '52:54:00:5a:00:01';
const NAT_XML =
  `<network><name>natnet</name><uuid>${NAT_UUID}</uuid><forward mode='nat'/><bridge name='xvnat0' stp='off'/>` +
  "<ip address='10.77.0.1' prefix='24'><dhcp><range start='10.77.0.10' end='10.77.0.20'/>" +
  `<host mac='52:54:00:5a:00:02' name='fixed' ip='10.77.0.5'/></dhcp></ip></network>`;
const ROUTE_XML =
  `<network><name>routed</name><uuid>${ROUTE_UUID}</uuid><forward mode='route'/><bridge name='xvrt0'/>` +
  "<ip address='10.78.0.1' prefix='24'/></network>";

class Driver extends HostNetworkDriver {
  constructor(private readonly nets: HostBridgeNetworks) {
    super();
  }
  protected hostNetworks(): HostBridgeNetworks {
    return this.nets;
  }
  protected hostPools(): HostDirPools | null {
    return null;
  }
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const tables = () => sh('nft', ['list', 'tables']).trim().split('\n').filter(Boolean);
const addresses = (dev: string) =>
  (
    JSON.parse(sh('ip', ['-j', 'addr', 'show', 'dev', dev])) as Array<{
      addr_info: Array<{ local: string; prefixlen: number }>;
    }>
  )[0]!.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
/** A process's state letter (Z: exited, not yet reaped by whoever adopted the daemon), or 'gone'. */
const alive = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return 'gone';
  }
};
const links = () => fs.readdirSync('/sys/class/net').sort();
async function main(state: string): Promise<void> {
  const report: Record<string, unknown> = {
    natUuid: NAT_UUID,
    guestMac: GUEST_MAC,
    linksBefore: links(),
    tablesBefore: tables(),
  };
  const nets = await HostBridgeNetworks.open(state);
  const driver = new Driver(nets);
  const nat = await driver.networkDefineXML(NAT_XML, 0);
  await driver.networkCreate(nat);
  const natTable = sh('nft', ['list', 'table', 'inet', `xvirt_${NAT_UUID.replace(/-/g, '')}`]);
  const pid = Number(fs.readFileSync(path.join(state, 'dnsmasq', `${NAT_UUID}.pid`), 'utf8'));
  Object.assign(report, {
    natAddresses: addresses('xvnat0'),
    natTable,
    ipForward: fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    dnsmasqComm: fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
    dnsmasqHosts: fs.readFileSync(path.join(state, 'dnsmasq', `${NAT_UUID}.hostsfile`), 'utf8'),
  });

  // A guest: one veth end on the bridge, the other asks for a lease.
  sh('ip', ['link', 'add', 'xvguest', 'address', GUEST_MAC, 'type', 'veth', 'peer', 'name', 'xvport']);
  sh('ip', ['link', 'set', 'xvport', 'master', 'xvnat0', 'up']);
  sh('ip', ['link', 'set', 'xvguest', 'up']);
  report.udhcpc = sh('sh', [
    '-c',
    'exec busybox "$@" 2>&1',
    'sh',
    'udhcpc',
    '-i',
    'xvguest',
    '-n',
    '-q',
    '-t',
    '8',
    '-T',
    '2',
    '-s',
    '/bin/true',
    '-x',
    'hostname:guest1',
  ]);
  report.leases = (await driver.networkGetDHCPLeases(nat, null, 0)).map((l) => ({
    ...l,
    expiryTime: String(l.expiryTime),
  }));
  report.leasesOfOtherMac = await driver.networkGetDHCPLeases(nat, '52:54:00:00:00:99', 0);
  report.leasesOfGuestMacUpper = (await driver.networkGetDHCPLeases(nat, GUEST_MAC.toUpperCase(), 0)).length;

  // Clashes: the same bridge name, an interface that exists, a subnet already routed.
  const clash = (name: string, n: number, bridge: string, ip: string) =>
    `<network><name>${name}</name><uuid>5a5a5a5a-0000-4000-8000-00000000001${n}</uuid><forward mode='nat'/>` +
    `<bridge name='${bridge}'/><ip address='${ip}' prefix='24'/></network>`;
  report.sameBridge = await outcome(driver.networkDefineXML(clash('c1', 1, 'xvnat0', '10.79.0.1'), 0));
  const onVeth = await driver.networkDefineXML(clash('c2', 2, 'xvguest', '10.79.0.1'), 0);
  report.existingInterface = await outcome(driver.networkCreate(onVeth));
  const sameNet = await driver.networkDefineXML(clash('c3', 3, 'xvother', '10.77.0.2'), 0);
  report.routedSubnet = await outcome(driver.networkCreate(sameNet));
  report.afterRefusals = { links: links(), tables: tables() };

  const routed = await driver.networkDefineXML(ROUTE_XML, 0);
  await driver.networkCreate(routed);
  report.routeTable = sh('nft', ['list', 'table', 'inet', `xvirt_${ROUTE_UUID.replace(/-/g, '')}`]);
  report.routeAddresses = addresses('xvrt0');

  // A later xvirtd (a fresh open of the same state) finds the networks it had started running.
  const reopened = new Driver(await HostBridgeNetworks.open(state));
  report.reopenedActive = (await reopened.connectListAllNetworks(2)).map((n) => n.name);
  await reopened.networkDestroy(nat);
  await reopened.networkDestroy(routed);
  report.destroyTwice = await outcome(reopened.networkDestroy(nat));
  report.afterDestroy = {
    links: links(),
    tables: tables(),
    dnsmasqState: alive(pid),
    runFiles: fs.readdirSync(path.join(state, 'dnsmasq')).sort(),
  };
  await reopened.networkUndefine(nat);
  report.runFilesAfterUndefine = fs.readdirSync(path.join(state, 'dnsmasq')).sort();
  process.stdout.write(JSON.stringify(report));
}

main(process.argv[2]!).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
