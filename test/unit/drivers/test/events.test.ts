// The test driver's listing filters and lifecycle events: what libvirt's
// test driver emits for each change, delivered to every connection in order.
import t from 'tap';
import { DomainEventType as Ev, DomainState as S, ErrorNumber, ListDomainsFlags as L } from '../../../../lib';
import { guestXml, names, open, recordEvents, tick } from '../../../support/test-driver';

t.test('on_poweroff / on_reboot decide what shutdown and reboot do', async (t) => {
  const conn = await open(t);
  const events = await recordEvents(conn);
  const restarter = await conn.createXML(guestXml('restarter', '<on_poweroff>restart</on_poweroff>'));
  const stopper = await conn.createXML(guestXml('stopper', '<on_reboot>destroy</on_reboot>'));
  await restarter.shutdown();
  t.same(await restarter.getState(), { state: S.RUNNING, reason: 1 }, 'on_poweroff=restart: still running (booted)');
  t.equal((await conn.lookupDomainByName('restarter')).id, restarter.id, 'with the same id');
  await stopper.reboot();
  await tick();
  await t.rejects(
    conn.lookupDomainByName('stopper'),
    { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN },
    'on_reboot=destroy: the transient guest is gone',
  );
  t.same(
    events,
    [
      ['restarter', Ev.STARTED, 0],
      ['stopper', Ev.STARTED, 0],
      ['stopper', Ev.STOPPED, 0],
    ],
    'a restart emits no lifecycle event; a stop emits STOPPED/SHUTDOWN',
  );
});

t.test('listAllDomains filters like libvirt', async (t) => {
  const conn = await open(t);
  await conn.defineXML(guestXml('b-off'));
  await conn.defineXML(guestXml('A-off'));
  const paused = await conn.createXML(guestXml('paused'), 1);
  const tr = await conn.createXML(guestXml('trans'));
  t.same(await names(conn), ['test', 'paused', 'trans', 'A-off', 'b-off'], 'running by id, then inactive by name');
  t.same(await names(conn, L.ACTIVE), ['test', 'paused', 'trans']);
  t.same(await names(conn, L.INACTIVE), ['A-off', 'b-off']);
  t.same(await names(conn, L.ACTIVE | L.INACTIVE), ['test', 'paused', 'trans', 'A-off', 'b-off']);
  t.same(await names(conn, L.TRANSIENT), ['paused', 'trans']);
  t.same(await names(conn, L.PERSISTENT | L.ACTIVE), ['test']);
  t.same(await names(conn, L.PAUSED), ['paused']);
  t.same(await names(conn, L.RUNNING | L.SHUTOFF), ['test', 'trans', 'A-off', 'b-off']);
  t.same(await names(conn, L.OTHER), []);
  t.same(await names(conn, L.HAS_SNAPSHOT), []);
  t.same((await names(conn, L.NO_SNAPSHOT | L.NO_MANAGEDSAVE)).length, 5);
  await t.rejects(conn.listAllDomains(1 << 20), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x100000\)/,
  });
  await paused.destroy();
  await tr.destroy();
});

t.test('every change reaches every connection of the state, in order', async (t) => {
  const a = await open(t);
  const b = await open(t);
  const seenA = await recordEvents(a);
  const seenB = await recordEvents(b);
  const dom = await a.lookupDomainByName('test');
  await dom.suspend();
  await dom.resume();
  await dom.destroy();
  await dom.create();
  await dom.shutdown();
  const v = await b.createXML(guestXml('ev'));
  await v.reboot();
  await v.destroy();
  await tick();
  const expected = [
    ['test', Ev.SUSPENDED, 0],
    ['test', Ev.RESUMED, 0],
    ['test', Ev.STOPPED, 1],
    ['test', Ev.STARTED, 0],
    ['test', Ev.STOPPED, 0],
    ['ev', Ev.STARTED, 0],
    ['ev', Ev.STOPPED, 1],
  ];
  t.same(seenA, expected);
  t.same(seenB, expected);
});

t.test('a listener may change state; its events follow in order on every connection', async (t) => {
  const a = await open(t);
  const b = await open(t);
  const seenB = await recordEvents(b);
  const seenA: Array<[string, number, number]> = [];
  await a.onLifecycle((ev) => {
    seenA.push([ev.domain.name, ev.event, ev.detail]);
    if (ev.event === Ev.SUSPENDED) void ev.domain.destroy();
  });
  await (await b.lookupDomainByName('test')).suspend();
  for (let i = 0; i < 3; i++) await tick();
  const expected = [
    ['test', Ev.SUSPENDED, 0],
    ['test', Ev.STOPPED, 1],
  ];
  t.same(seenA, expected);
  t.same(seenB, expected);
  t.equal((await (await b.lookupDomainByName('test')).getState()).state, S.SHUTOFF);
});
