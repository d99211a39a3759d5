// Real-host virtual networks over existing bridges (xen:///system): what is
// accepted, persistence across reopen, start/stop/undefine rules, autostart,
// and the driver calls a management tool makes.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { ListNetworksFlags as F } from '../../../../lib/netstore-constants';
import { HostBridgeNetworks } from '../../../../lib/drivers/host-network/bridge-networks';
import { HostNetworkDriver } from '../../../../lib/drivers/host-network/driver';
import type { HostDirPools } from '../../../../lib/drivers/host-storage/dir-pools';

const UUID = '0e0e0e0e-1111-2222-3333-444444444444';
const bridged = (name = 'lan', bridge = 'br0', uuid = UUID) =>
  `<network><name>${name}</name><uuid>${uuid}</uuid><forward mode='bridge'/><bridge name='${bridge}'/></network>`;

function setup(t: Test): { state: string; sysNet: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-hostnet-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  const sysNet = path.join(top, 'class-net');
  fs.mkdirSync(path.join(sysNet, 'br0', 'bridge'), { recursive: true });
  fs.mkdirSync(path.join(sysNet, 'eth0'), { recursive: true });
  return { state: path.join(top, 'networks'), sysNet };
}

class Driver extends HostNetworkDriver {
  constructor(private readonly nets: HostBridgeNetworks | null) {
    super();
  }
  protected hostNetworks(): HostBridgeNetworks | null {
    return this.nets;
  }
  protected hostPools(): HostDirPools | null {
    return null;
  }
}

t.test('forward modes this host cannot give, and managed networks it cannot name safely, are refused', async (t) => {
  const { state, sysNet } = setup(t);
  const nets = await HostBridgeNetworks.open(state, { sysNet });
  for (const [xml, message] of [
    [
      "<network><name>dev</name><forward mode='bridge' dev='eth0'/></network>",
      /forward mode 'bridge' is not supported/,
    ],
    [
      "<network><name>q</name><forward mode='nat'/><bridge name='br\"0'/></network>",
      /bridge name 'br"0' must be 1-15 letters/,
    ],
    [
      "<network><name>q</name><forward mode='nat' dev='a;b'/><ip address='10.1.0.1' prefix='24'/></network>",
      /forward dev 'a;b' must be/,
    ],
    [
      "<network><name>q</name><ip address='10.1.0.1' prefix='24'><dhcp><range start='10.1.0.2' end='10.1.0.3'/></dhcp></ip>" +
        "<ip address='10.2.0.1' prefix='24'><dhcp><range start='10.2.0.2' end='10.2.0.3'/></dhcp></ip></network>",
      /multiple ipv4 <dhcp> sections/,
    ],
    ["<network><name>q</name><ip address='10.1.0.1' prefix='32'/></network>", /prefix must leave room/],
  ] as const) {
    await t.rejects(nets.define(xml), { name: 'XvirtError', number: ErrorNumber.CONFIG_UNSUPPORTED, message });
  }
  await t.rejects(nets.define('<network>'), { name: 'XvirtError', number: ErrorNumber.XML_ERROR });
  t.same(nets.list(), [], 'nothing was defined');
});

t.test('define, start, stop, undefine; definitions and autostart survive a reopen', async (t) => {
  const { state, sysNet } = setup(t);
  const nets = await HostBridgeNetworks.open(state, { sysNet });
  const ref = await nets.define(bridged());
  await t.rejects(nets.define(bridged('other')), {
    number: ErrorNumber.OPERATION_FAILED,
    message: /already defined with uuid/,
  });
  await t.rejects(nets.define(bridged('lan', 'br0', '0e0e0e0e-1111-2222-3333-555555555555')), {
    number: ErrorNumber.OPERATION_FAILED,
    message: /'lan' already exists/,
  });
  t.throws(() => nets.bridgeFor('lan'), {
    number: ErrorNumber.OPERATION_INVALID,
    message: "network 'lan' is not active",
  });
  await nets.start(ref);
  await t.rejects(nets.start(ref), { number: ErrorNumber.OPERATION_INVALID, message: /already active/ });
  t.equal(nets.bridgeFor('lan'), 'br0');
  await t.rejects(nets.define(bridged('lan', 'br1')), {
    number: ErrorNumber.OPERATION_INVALID,
    message: /bridge cannot change/,
  });
  await nets.setAutostart(ref, true);

  const reopened = await HostBridgeNetworks.open(state, { sysNet });
  t.same(
    reopened.list(),
    [{ ref, active: true, autostart: true, persistent: true }],
    'autostart networks run from the first open',
  );
  await reopened.stop(ref);
  await t.rejects(reopened.stop(ref), {
    number: ErrorNumber.OPERATION_INVALID,
    message: "network 'lan' is not active",
  });
  await reopened.undefine(ref);
  t.same((await HostBridgeNetworks.open(state, { sysNet })).list(), [], 'undefined for good');
  t.throws(() => reopened.byName('lan'), {
    number: ErrorNumber.NO_NETWORK,
    message: /no network with matching name 'lan'/,
  });
});

t.test('a network whose bridge the host lacks does not start', async (t) => {
  const { state, sysNet } = setup(t);
  const nets = await HostBridgeNetworks.open(state, { sysNet });
  for (const bridge of ['br9', 'eth0']) {
    const ref = await nets.define(
      bridged(`n-${bridge}`, bridge, bridge === 'br9' ? undefined : '0e0e0e0e-1111-2222-3333-666666666666'),
    );
    await t.rejects(nets.start(ref), {
      number: ErrorNumber.SYSTEM_ERROR,
      message: new RegExp(`host bridge '${bridge}' does not exist`),
    });
  }
});

t.test('driver calls: list filters, XML, bridge name, NO_SUPPORT without networks', async (t) => {
  const { state, sysNet } = setup(t);
  const driver = new Driver(await HostBridgeNetworks.open(state, { sysNet }));
  const ref = await driver.networkDefineXML(bridged(), 0);
  await driver.networkCreate(ref);
  await driver.networkDefineXML(bridged('idle', 'br0', '0e0e0e0e-1111-2222-3333-777777777777'), 0);
  t.same(
    (await driver.connectListAllNetworks(F.ACTIVE)).map((n) => n.name),
    ['lan'],
  );
  t.same(
    (await driver.connectListAllNetworks(0)).map((n) => n.name),
    ['idle', 'lan'],
  );
  t.match(await driver.networkGetXMLDesc(ref, 0), /<forward mode='bridge'\/>\n {2}<bridge name='br0'\/>/);
  t.equal(await driver.networkGetBridgeName(ref), 'br0');
  t.equal(await driver.networkIsPersistent(ref), true);
  await t.rejects(driver.connectListAllNetworks(0x40), {
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x40\)/,
  });
  await t.rejects(new Driver(null).connectListAllNetworks(0), {
    name: 'XvirtError',
    number: ErrorNumber.NO_SUPPORT,
    message: /virConnectListAllNetworks/,
  });
});
