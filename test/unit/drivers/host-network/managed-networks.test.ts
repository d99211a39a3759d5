// Managed (NAT, routed, isolated, open) networks without touching the host:
// the commands run are recorded by a fake ip/nft/dnsmasq that keeps a fake
// /sys/class/net in step; the real tools are driven in
// test/integration/drivers/host-network/managed-networks.test.ts.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../../lib/errors';
import { HostBridgeNetworks, parseHostNetworkXml } from '../../../../lib/drivers/host-network/bridge-networks';
import { dnsmasqConfig, parseLeaseFile } from '../../../../lib/drivers/host-network/dnsmasq';
import { firewallScript } from '../../../../lib/drivers/host-network/firewall';
import type { HostTool } from '../../../../lib/drivers/host-commands';

const UUID = '7b7b7b7b-0000-4000-8000-000000000001';
const net = (forward: string, extra = '') =>
  `<network><name>n</name><uuid>${UUID}</uuid>${forward}<bridge name='vb0'/>` +
  `<ip address='192.168.50.1' netmask='255.255.255.0'>${extra}</ip><ip family='ipv6' address='fd00:50::1' prefix='64'/></network>`;

function fakeHost(t: Test, fail: Partial<Record<HostTool, string>> = {}) {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-managed-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const sysNet = path.join(top, 'net');
  const procNet = path.join(top, 'proc');
  fs.mkdirSync(path.join(sysNet, 'eth0'), { recursive: true });
  fs.mkdirSync(path.join(procNet, 'ipv4'), { recursive: true });
  fs.mkdirSync(path.join(procNet, 'ipv6/conf/all'), { recursive: true });
  const calls: string[] = [];
  const run = async (tool: HostTool, args: string[]): Promise<string> => {
    calls.push([tool, ...args].join(' '));
    if (fail[tool] === 'missing')
      throw XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.NETWORK, `'${tool}' is not installed`);
    if (fail[tool] && args.join(' ').includes(fail[tool]))
      throw XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.NETWORK, `${tool} failed`);
    if (tool === 'ip' && args[0] === 'link' && args[1] === 'add')
      fs.mkdirSync(path.join(sysNet, args[3]!, 'bridge'), { recursive: true });
    if (tool === 'ip' && args[0] === 'link' && args[1] === 'del')
      fs.rmSync(path.join(sysNet, args[3]!), { recursive: true });
    if (tool === 'ip' && args.includes('route')) return '[{"dst":"10.0.0.0/8","dev":"eth0"}]';
    return '';
  };
  return { state: path.join(top, 'networks'), sysNet, procNet, run, calls };
}

t.test('firewall rules per forward mode', async (t) => {
  const nat = firewallScript(parseHostNetworkXml(net("<forward mode='nat'/>")))!;
  t.match(nat, /table inet xvirt_7b7b7b7b000040008000000000000001 \{/);
  t.match(nat, /iifname "vb0" ip saddr 192\.168\.50\.0\/24 accept/);
  t.match(nat, /oifname "vb0" ip daddr 192\.168\.50\.0\/24 ct state established,related accept/);
  t.match(nat, /oifname "vb0" ip6 daddr fd00:50:0:0:0:0:0:0\/64 accept/, 'IPv6 is routed, not NATed, as libvirt');
  t.match(nat, /ip saddr 192\.168\.50\.0\/24 ip daddr != 192\.168\.50\.0\/24 masquerade/);
  t.notMatch(nat, /ip6 saddr .* masquerade/);
  const route = firewallScript(parseHostNetworkXml(net("<forward mode='route' dev='eth0'/>")))!;
  t.notMatch(route, /masquerade|postrouting/);
  t.match(route, /iifname "vb0" oifname "eth0" ip saddr 192\.168\.50\.0\/24 accept/, 'out only by the forward dev');
  const isolated = firewallScript(parseHostNetworkXml(net('')))!;
  t.notMatch(isolated, /saddr|daddr/, 'an isolated network forwards nothing');
  t.match(isolated, /iifname "vb0" oifname "vb0" accept\n\s+iifname "vb0" reject\n\s+oifname "vb0" reject/);
  t.equal(firewallScript(parseHostNetworkXml(net("<forward mode='open'/>"))), null, 'an open network has no rules');
});

t.test('dnsmasq configuration and lease file', async (t) => {
  const def = parseHostNetworkXml(
    net(
      "<forward mode='nat'/>",
      "<dhcp><range start='192.168.50.10' end='192.168.50.19'/><host mac='52:54:00:AA:00:01' name='a' ip='192.168.50.5'/></dhcp>",
    ),
  );
  const { conf, hosts } = dnsmasqConfig(def, '/state/dnsmasq');
  t.match(conf, /^interface=vb0$/m);
  t.match(conf, /^bind-dynamic$/m);
  t.match(conf, /^dhcp-range=192\.168\.50\.10,192\.168\.50\.19,255\.255\.255\.0$/m);
  t.match(conf, /^dhcp-lease-max=11$/m, 'ten range addresses and one host');
  t.match(conf, new RegExp(`^dhcp-leasefile=/state/dnsmasq/${UUID}\\.leases$`, 'm'), 'files named by UUID');
  t.equal(hosts, '52:54:00:aa:00:01,192.168.50.5,a\n');
  const leases = parseLeaseFile(
    '2000000000 52:54:00:AA:00:02 192.168.50.11 g1 01:52:54:00:aa:00:02\n' +
      '0 52:54:00:aa:00:03 192.168.50.12 * *\n' +
      '1000 52:54:00:aa:00:04 192.168.50.13 old *\n' +
      'garbage line\n' +
      'duid 00:01:00:01\n2000000000 1234 fd00:50::10 g6 00:01\n',
    def,
    1_500_000_000,
  );
  t.same(
    leases.map((l) => [l.mac, l.ipaddr, l.hostname, l.clientid, l.expiryTime, l.prefix, l.iface]),
    [
      ['52:54:00:aa:00:02', '192.168.50.11', 'g1', '01:52:54:00:aa:00:02', 2000000000n, 24, 'vb0'],
      ['52:54:00:aa:00:03', '192.168.50.12', null, null, 0n, 24, 'vb0'],
    ],
    'expired, malformed and IPv6 lines are left out',
  );
});

t.test('start runs the steps in order; stop undoes them', async (t) => {
  const h = fakeHost(t);
  const nets = await HostBridgeNetworks.open(h.state, h);
  const ref = await nets.define(net("<forward mode='nat'/>"));
  await nets.start(ref);
  t.same(h.calls, [
    'ip -V',
    'nft --version',
    'ip -j -4 route show',
    'ip link add name vb0 type bridge forward_delay 0 stp_state 1',
    'ip addr add 192.168.50.1/24 dev vb0',
    'ip addr add fd00:50::1/64 dev vb0 nodad',
    'ip link set dev vb0 up',
    'nft -f -',
  ]);
  t.equal(fs.readFileSync(path.join(h.procNet, 'ipv4/ip_forward'), 'utf8'), '1\n');
  t.equal(nets.bridgeFor('n'), 'vb0');
  h.calls.length = 0;
  await nets.stop(ref);
  t.same(h.calls, ['nft list tables inet', 'ip link del dev vb0']);
  t.notOk(fs.existsSync(path.join(h.sysNet, 'vb0')));
});

t.test('a missing tool or a failing step leaves nothing behind', async (t) => {
  const missing = fakeHost(t, { dnsmasq: 'missing' });
  const nets = await HostBridgeNetworks.open(missing.state, missing);
  const dhcp = "<dhcp><range start='192.168.50.10' end='192.168.50.19'/></dhcp>";
  const ref = await nets.define(net("<forward mode='nat'/>", dhcp));
  await t.rejects(nets.start(ref), { number: ErrorNumber.NO_SUPPORT, message: /'dnsmasq' is not installed/ });
  t.notOk(
    missing.calls.some((c) => c.startsWith('ip link add')),
    'checked before anything was created',
  );
  t.equal(nets.isActive(ref), false);

  const failing = fakeHost(t, { nft: '-f' });
  const nets2 = await HostBridgeNetworks.open(failing.state, failing);
  const ref2 = await nets2.define(net("<forward mode='route'/>"));
  await t.rejects(nets2.start(ref2), { number: ErrorNumber.OPERATION_FAILED, message: /nft failed/ });
  t.ok(failing.calls.includes('ip link del dev vb0'), 'the bridge was deleted again');
  t.same(fs.readdirSync(failing.sysNet), ['eth0']);
  t.equal(nets2.isActive(ref2), false);
});

t.test('bridge names: a clash is refused, a missing one is assigned', async (t) => {
  const h = fakeHost(t);
  const nets = await HostBridgeNetworks.open(h.state, h);
  await nets.define(net("<forward mode='nat'/>"));
  await t.rejects(nets.define(net('').replace(UUID, UUID.replace(/1$/, '2')).replace('<name>n<', '<name>m<')), {
    number: ErrorNumber.INTERNAL_ERROR,
    message: "bridge name 'vb0' already in use.",
  });
  const auto = (n: number) =>
    `<network><name>a${n}</name><uuid>${UUID.replace(/1$/, String(n + 3))}</uuid><forward mode='nat'/></network>`;
  await nets.define(auto(0));
  await nets.define(auto(1));
  t.equal(nets.config({ name: 'a0' }).bridge, 'virbr0');
  t.equal(nets.config({ name: 'a1' }).bridge, 'virbr1', 'each gets the first free virbrN');
  const ref = await nets.define(
    net("<forward mode='nat'/>")
      .replace(/vb0/, 'eth0')
      .replace(UUID, UUID.replace(/1$/, '9'))
      .replace('<name>n<', '<name>e<'),
  );
  await t.rejects(nets.start(ref), {
    number: ErrorNumber.OPERATION_FAILED,
    message: /'eth0' already exists on this host/,
  });
  t.notOk(
    h.calls.some((c) => c.startsWith('ip link add')),
    'an existing interface is never taken over',
  );
});
