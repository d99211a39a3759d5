// NAT and routed networks built for real (ip, nft, dnsmasq, busybox udhcpc as
// the guest) inside a private network namespace made for this test, so the
// host's own interfaces, routes and firewall are never touched. The scenario
// runs in test/support/managed-network-netns.ts; this file asserts its report.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { runInNamespaces } from '../../../support/namespace-scenario';

const SCRIPT = path.resolve(__dirname, '../../../support/managed-network-netns.ts');

for (const tool of ['unshare', 'ip', 'nft', 'dnsmasq', 'busybox']) {
  const found = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((d) => fs.existsSync(path.join(d, tool)));
  if (!found) throw new Error(`${tool} is not installed: run scripts/install-test-deps`);
}

/** Kills a dnsmasq the scenario left behind (it would keep the namespace alive). */
function killLeftover(state: string): void {
  const dir = path.join(state, 'dnsmasq');
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.pid')) : []) {
    const pid = Number(fs.readFileSync(path.join(dir, f), 'utf8'));
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

t.test('a NAT network serves DHCP to a guest, refuses clashes, and leaves nothing behind', async (t) => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-netns-'));
  t.teardown(() => {
    killLeftover(state);
    fs.rmSync(state, { recursive: true, force: true });
  });
  const { code, out, err } = await runInNamespaces(
    ['--net', '--mount', '--propagation', 'private'],
    'mount -t sysfs sysfs /sys && ip link set lo up &&',
    SCRIPT,
    [state],
  );
  t.equal(code, 0, `the scenario ran to its end${err ? `: ${err}` : ''}`);
  if (code !== 0) return;
  const r = JSON.parse(out) as Record<string, any>;
  const { natUuid, guestMac } = r as { natUuid: string; guestMac: string };

  t.same(r.linksBefore, ['lo'], 'a fresh namespace');
  t.same(r.tablesBefore, [], 'with no firewall tables');
  t.ok(r.natAddresses.includes('10.77.0.1/24'), 'the bridge has its address');
  t.match(r.natTable, /masquerade/, 'the NAT network masquerades');
  t.match(r.natTable, /iifname "xvnat0" ip saddr 10\.77\.0\.0\/24 accept/);
  t.match(r.natTable, /oifname "xvnat0" ip daddr 10\.77\.0\.0\/24 ct state established,related accept/);
  t.equal(r.ipForward, '1', 'forwarding is on');
  t.equal(r.dnsmasqComm, 'dnsmasq');
  t.equal(r.dnsmasqHosts, '52:54:00:5a:00:02,10.77.0.5,fixed\n', 'static hosts reach dnsmasq');
  t.match(r.udhcpc, /10\.77\.0\.(1\d|20)/, 'the guest got an address from the range');
  t.equal(r.leases.length, 1, 'one lease');
  t.match(r.leases[0], { iface: 'xvnat0', type: 0, mac: guestMac, prefix: 24, hostname: 'guest1', iaid: null });
  t.match(r.leases[0].ipaddr, /^10\.77\.0\.(1\d|20)$/);
  t.ok(Number(r.leases[0].expiryTime) > Date.now() / 1000, 'the lease expires in the future');
  t.same(r.leasesOfOtherMac, [], 'filtered by MAC');
  t.equal(r.leasesOfGuestMacUpper, 1, 'the MAC filter ignores case');

  t.equal(r.sameBridge, `${ErrorNumber.INTERNAL_ERROR}: internal error: bridge name 'xvnat0' already in use.`);
  t.match(r.existingInterface, new RegExp(`^${ErrorNumber.OPERATION_FAILED}: .*'xvguest' already exists`));
  t.match(
    r.routedSubnet,
    new RegExp(`^${ErrorNumber.OPERATION_FAILED}: .*10\\.77\\.0\\.0/24 is already in use by interface xvnat0`),
  );
  t.same(r.afterRefusals.links, ['lo', 'xvguest', 'xvnat0', 'xvport'], 'refused starts created no interface');
  t.same(r.afterRefusals.tables, [`table inet xvirt_${natUuid.replace(/-/g, '')}`], 'and no firewall table');

  t.notMatch(r.routeTable, /masquerade/, 'a routed network does not masquerade');
  t.match(r.routeTable, /oifname "xvrt0" ip daddr 10\.78\.0\.0\/24 accept/, 'and lets its subnet in');
  t.same(
    r.routeAddresses.filter((a: string) => !a.startsWith('fe80')),
    ['10.78.0.1/24'],
  );

  t.same(r.reopenedActive, ['natnet', 'routed'], 'a later open finds the networks it had started running');
  t.match(r.destroyTwice, new RegExp(`^${ErrorNumber.OPERATION_INVALID}: .*not active`));
  t.same(r.afterDestroy.links, ['lo', 'xvguest', 'xvport'], 'destroy removed both bridges');
  t.same(r.afterDestroy.tables, [], 'and their firewall tables');
  t.match(r.afterDestroy.dnsmasqState, /^(gone|Z)$/, 'and stopped dnsmasq');
  t.same(r.afterDestroy.runFiles, [`${natUuid}.leases`], 'only the lease file stays');
  t.same(r.runFilesAfterUndefine, [], 'undefine removes it');
});
