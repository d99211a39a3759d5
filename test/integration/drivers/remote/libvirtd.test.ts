/**
 * xvirt's remote client against a real libvirtd (interop), plus the
 * client's behaviour when the server misbehaves, stalls or dies, driven by
 * a scripted server built on the same framing code.
 */
import os from 'node:os';
import t from 'tap';
import { connect } from '../../../../lib/connection';
import { CloseReason, DomainState } from '../../../../lib/constants';
import { openRemoteDriver, type RemoteOpenOptions } from '../../../../lib/drivers/remote';
import { ErrorNumber, type XvirtError } from '../../../../lib/errors';
import { parseUri } from '../../../../lib/uri';
import { apiConformance, DEFAULT_DOMAIN } from '../../../support/api-conformance';
import { startLibvirtd } from '../../../support/libvirtd';

t.test('API conformance: in-process test:///default', async (t) => {
  await apiConformance(t, { label: 'inproc', open: (o) => connect('test:///default', o) });
});

t.test('API conformance: real libvirtd over unix and tcp', async (t) => {
  const lvd = await startLibvirtd(t, { tcp: true });
  await apiConformance(t, { label: 'libvirtd-unix', open: (o) => connect(lvd.unixUri({ readonly: o?.readonly }), o) });
  await apiConformance(t, { label: 'libvirtd-tcp', open: (o) => connect(lvd.tcpUri(), o) });
});

t.test('libvirtd: the server enforces read-only on a read-only open', async (t) => {
  const lvd = await startLibvirtd(t);
  // Straight to the driver, past the Connection's own read-only check.
  const driver = await openRemoteDriver(parseUri(lvd.unixUri({ readonly: true })), { readonly: true });
  t.teardown(() => driver.close());
  t.equal((await driver.domainGetInfo(DEFAULT_DOMAIN)).state, DomainState.RUNNING);
  await t.rejects(driver.domainSuspend(DEFAULT_DOMAIN), { name: 'XvirtError', number: ErrorNumber.OPERATION_DENIED });
  const rw = await openRemoteDriver(parseUri(lvd.unixUri()), { readonly: true });
  t.teardown(() => rw.close());
  await t.rejects(
    rw.domainSuspend(DEFAULT_DOMAIN),
    { name: 'XvirtError', number: ErrorNumber.OPERATION_DENIED },
    'RO flag on the read-write socket too',
  );
});

t.test('libvirtd: 200 calls in flight on one connection', async (t) => {
  const lvd = await startLibvirtd(t);
  const c = await connect(lvd.unixUri());
  t.teardown(() => c.close());
  const d = await c.lookupDomainByName('test');
  const infos = await Promise.all(Array.from({ length: 200 }, () => d.getInfo()));
  t.ok(
    infos.every((i) => i.state === DomainState.RUNNING && i.memoryKiB === 2097152),
    'all 200 answered correctly',
  );
  t.same(
    await Promise.all([c.getHostname(), c.getType(), d.getOSType()]),
    [os.hostname(), 'TEST', 'linux'],
    'mixed calls',
  );
});

t.test("libvirtd: the client answers libvirtd's keepalive pings", async (t) => {
  // libvirtd drops a client that leaves 1 ping unanswered for 1 s; stay idle for 3.5 s.
  const lvd = await startLibvirtd(t, { keepaliveInterval: 1, keepaliveCount: 1 });
  const c = await connect(lvd.unixUri(), { keepalive: false } as RemoteOpenOptions);
  t.teardown(() => c.close());
  let closed: number | null = null;
  c.onClose((r) => {
    closed = r;
  });
  await new Promise((r) => setTimeout(r, 3500));
  t.equal(closed, null, 'not dropped by the daemon');
  t.equal(await c.getType(), 'TEST', 'still usable after idling');
});

t.test('libvirtd: daemon killed → pending and later calls fail with the socket path, close reason EOF', async (t) => {
  const lvd = await startLibvirtd(t);
  const c = await connect(lvd.unixUri());
  t.teardown(() => c.close());
  const reason = new Promise<number>((resolve) => c.onClose(resolve));
  const d = await c.lookupDomainByName('test');
  const inFlight = Array.from({ length: 20 }, () =>
    d.getInfo().then(
      () => 'ok',
      (e: XvirtError) => e,
    ),
  );
  await lvd.kill();
  t.equal(await reason, CloseReason.EOF);
  for (const r of await Promise.all(inFlight)) {
    if (r === 'ok') continue; // answered before the kill
    t.match(r, {
      name: 'XvirtError',
      number: ErrorNumber.SYSTEM_ERROR,
      message: new RegExp(`connection to ${lvd.socket} lost`),
    });
  }
  t.notOk(c.isAlive());
  await t.rejects(async () => d.getInfo(), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  await t.rejects(connect(lvd.unixUri()), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
    message: new RegExp(`Failed to connect socket to '${lvd.socket}'`),
  });
});

t.test('libvirtd: isSecure is true over unix, false over plain tcp', async (t) => {
  const lvd = await startLibvirtd(t, { tcp: true });
  const unix = await connect(lvd.unixUri());
  const tcp = await connect(lvd.tcpUri());
  t.teardown(async () => {
    await unix.close();
    await tcp.close();
  });
  t.equal(await unix.isSecure(), true);
  t.equal(await tcp.isSecure(), false);
});
