// The Connection layer over the test driver: lifecycle events as listeners
// and as async iterables, close, read-only enforcement and argument checks.
import t from 'tap';
import { connect, DomainEventType as Ev, ErrorNumber, type Connection, type LifecycleEvent } from '../../lib';
import { parseUri } from '../../lib/uri';

async function open(t: { teardown(fn: () => unknown): void }, options = {}): Promise<Connection> {
  const conn = await connect('test:///default', options);
  t.teardown(() => conn.close());
  return conn;
}

const guest = (name: string) =>
  `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os></domain>`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('connect() defaults to $XVIRT_DEFAULT_URI, then test:///default', async (t) => {
  const saved = process.env.XVIRT_DEFAULT_URI;
  t.teardown(() => {
    if (saved === undefined) delete process.env.XVIRT_DEFAULT_URI;
    else process.env.XVIRT_DEFAULT_URI = saved;
  });
  delete process.env.XVIRT_DEFAULT_URI;
  const a = await connect();
  t.equal(await a.getUri(), 'test:///default');
  t.equal(a.driverName, 'test');
  await a.close();
  process.env.XVIRT_DEFAULT_URI = 'nosuchdriver:///';
  await t.rejects(connect(), { name: 'XvirtError', number: ErrorNumber.NO_CONNECT, message: /nosuchdriver:\/\/\// });
  await t.rejects(connect('bogus uri'), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  const ac = new AbortController();
  ac.abort();
  await t.rejects(connect('test:///default', { signal: ac.signal }), { name: 'XvirtError', code: 'OPERATION_ABORTED' });
});

t.test('connections opened with the same URI share one frozen parsed URI', async (t) => {
  const a = await open(t);
  const b = await open(t);
  t.equal(a.uri, b.uri, 'one record, not a copy per connection');
  t.ok(Object.isFrozen(a.uri) && Object.isFrozen(a.uri.params), 'nobody can change it under the others');
  t.same(a.uri, parseUri('test:///default'), "the parser's record (its fields are tested in uri.test.ts)");
  const other = await connect('test:///default?x=1');
  t.teardown(() => other.close());
  t.not(other.uri, a.uri);
  t.same(other.uri.params, [['x', '1']]);
  t.ok(Object.isFrozen(other.uri.params[0]));
});

t.test('listeners get every event with a usable Domain, until removed', async (t) => {
  const a = await open(t);
  const b = await open(t);
  const seen: LifecycleEvent[] = [];
  const off = await a.onLifecycle((ev) => seen.push(ev));
  const dom = await b.lookupDomainByName('test');
  await dom.suspend();
  await dom.resume();
  await tick();
  t.same(
    seen.map((e) => [e.domain.name, e.event, e.detail]),
    [
      ['test', Ev.SUSPENDED, 0],
      ['test', Ev.RESUMED, 0],
    ],
    'changes made through another connection are reported',
  );
  t.equal(seen[0]!.domain.connection, a, 'the Domain belongs to the listening connection');
  t.equal(seen[0]!.domain.id, 1);
  t.equal((await seen[0]!.domain.getInfo()).nrVirtCpu, 2, 'and can be used');
  await off();
  await dom.suspend();
  await tick();
  t.equal(seen.length, 2, 'nothing after the listener is removed');
  await off();
  await t.rejects(a.onLifecycle('nope' as unknown as () => void), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
  });
});

t.test('a throwing listener does not starve the others', async (t) => {
  const conn = await open(t);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  t.teardown(() => {
    process.off('warning', onWarning);
  });
  const seen: number[] = [];
  await conn.onLifecycle(() => {
    throw new Error('listener bug');
  });
  await conn.onLifecycle((ev) => seen.push(ev.event));
  await conn.defineXML(guest('w1'));
  await tick();
  await tick();
  t.same(seen, [Ev.DEFINED]);
  t.ok(
    warnings.some((w) => w.includes('listener bug')),
    'the failure is surfaced as a process warning',
  );
});

t.test('events as an async iterable, ended by close(), an AbortSignal or the connection closing', async (t) => {
  const conn = await open(t);
  const stream = await conn.lifecycleEvents();
  const dom = await conn.defineXML(guest('it1'));
  await dom.create();
  await dom.destroy();
  const got: Array<[string, number, number]> = [];
  for await (const ev of stream) {
    got.push([ev.domain.name, ev.event, ev.detail]);
    if (got.length === 3) break; // breaking out ends the stream
  }
  t.same(got, [
    ['it1', Ev.DEFINED, 0],
    ['it1', Ev.STARTED, 0],
    ['it1', Ev.STOPPED, 1],
  ]);
  t.same(await stream.next(), { value: undefined, done: true }, 'a stream ended by break stays ended');

  const ac = new AbortController();
  const aborted = await conn.lifecycleEvents({ signal: ac.signal });
  const pending = aborted.next();
  ac.abort();
  t.same(await pending, { value: undefined, done: true }, 'aborting ends a waiting consumer');

  const closing = await connect('test:///default');
  const s = await closing.lifecycleEvents();
  const waiting = s.next();
  await closing.close();
  t.same(await waiting, { value: undefined, done: true }, 'closing the connection ends its streams');

  const early = await conn.lifecycleEvents();
  await dom.undefine();
  early.close();
  t.same((await early.next()).value?.domain.name, 'it1', 'events queued before close() are still delivered');
  t.same(await early.next(), { value: undefined, done: true });
});

t.test('close', async (t) => {
  const conn = await connect('test:///default');
  const dom = await conn.lookupDomainByName('test');
  const reasons: number[] = [];
  conn.onClose((r) => reasons.push(r));
  t.equal(conn.isAlive(), true);
  await conn.close();
  await conn.close();
  t.same(reasons, [3], 'close listeners hear CLIENT (3) once');
  t.equal(conn.closed, true);
  t.equal(conn.isAlive(), false);
  await t.rejects(conn.getNodeInfo(), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_CONN,
    message: /connection is closed/,
  });
  await t.rejects(dom.getInfo(), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  await t.rejects(conn.lookupDomainByName('test'), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  await t.rejects(
    conn.onLifecycle(() => undefined),
    { name: 'XvirtError', number: ErrorNumber.INVALID_CONN },
  );
});

t.test('a read-only connection reads but changes nothing', async (t) => {
  const rw = await open(t);
  const ro = await open(t, { readonly: true });
  t.equal(ro.readonly, true);
  const dom = await ro.lookupDomainByName('test');
  t.equal((await dom.getInfo()).state, 1);
  t.match(await dom.getXMLDesc(), /<name>test<\/name>/);
  t.match(await dom.getXMLDesc(2 /* INACTIVE */), /<name>test<\/name>/, 'INACTIVE is a read');
  t.ok((await ro.getNodeInfo()).cpus > 0);
  const denied = (api: string) => ({
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_DENIED,
    message: `operation forbidden: read only access prevents ${api}`,
  });
  const calls: Array<[string, () => unknown]> = [
    ['virDomainDestroy', () => dom.destroy()],
    ['virDomainSuspend', () => dom.suspend()],
    ['virDomainResume', () => dom.resume()],
    ['virDomainShutdown', () => dom.shutdown()],
    ['virDomainReboot', () => dom.reboot()],
    ['virDomainCreate', () => dom.create()],
    ['virDomainUndefineFlags', () => dom.undefine()],
    ['virDomainSetAutostart', () => dom.setAutostart(true)],
    ['virDomainSetMemory', () => dom.setMemory(1024)],
    ['virDomainSetVcpus', () => dom.setVcpus(1)],
    ['virDomainGetXMLDesc', () => dom.getXMLDesc(1 /* SECURE */)],
    ['virDomainDefineXML', () => ro.defineXML(guest('ro1'))],
    ['virDomainCreateXML', () => ro.createXML(guest('ro2'))],
  ];
  for (const [api, call] of calls) {
    // Checks happen before any work, so the call throws or rejects; both count.
    await t.rejects(Promise.resolve().then(call), denied(api), api);
  }
  t.same(
    (await rw.listAllDomains()).map((d) => [d.name, d.id]),
    [['test', 1]],
    'nothing changed',
  );
  t.equal((await dom.getState()).state, 1);
  const seen: number[] = [];
  await ro.onLifecycle((ev) => seen.push(ev.event));
  await (await rw.lookupDomainByName('test')).suspend();
  await tick();
  t.same(seen, [Ev.SUSPENDED], 'a read-only connection still receives events');
});

t.test('arguments are checked before reaching the driver', async (t) => {
  const conn = await open(t);
  const bad = { name: 'XvirtError', number: ErrorNumber.INVALID_ARG };
  await t.rejects(conn.lookupDomainById(-1), bad);
  await t.rejects(conn.lookupDomainById(1.5), bad);
  await t.rejects(conn.lookupDomainByName(''), bad);
  await t.rejects(conn.lookupDomainByUUID('not-a-uuid'), bad);
  await t.rejects(conn.listAllDomains(-1), bad);
  await t.rejects(conn.defineXML(''), bad);
  const dom = await conn.lookupDomainByName('test');
  await t.rejects(dom.setMemory(-1), bad);
  await t.rejects(dom.setVcpus(0), bad);
  await t.rejects(dom.setAutostart('yes' as unknown as boolean), bad);
  await t.rejects(dom.reboot(-1), bad);
});
