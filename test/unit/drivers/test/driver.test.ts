// The embedded test hypervisor (test:///default) through the public API:
// libvirt 9.0's defaults, lifecycle rules, errors, CPU time and events.
import t from 'tap';
import { hostname } from 'node:os';
import {
  connect,
  DomainEventType as Ev,
  DomainState as S,
  ErrorNumber,
  ListDomainsFlags as L,
  XVIRT_LIB_VERSION,
} from '../../../../lib';
import { TEST_UUID, guestXml, names, open, recordEvents, sleep, tick } from '../../../support/test-driver';

t.test("starts like libvirt 9.0's test:///default", async (t) => {
  const conn = await open(t);
  t.equal(await conn.getType(), 'TEST');
  t.equal(await conn.getVersion(), 2, 'hypervisor version 0.0.2');
  t.equal(await conn.getLibVersion(), XVIRT_LIB_VERSION);
  t.equal(await conn.getHostname(), hostname());
  t.equal(await conn.getUri(), 'test:///default');
  t.equal(await conn.isSecure(), true);
  t.equal(await conn.getMaxVcpus(), 32);
  t.same(await conn.getNodeInfo(), {
    model: 'i686',
    memoryKiB: 3145728,
    cpus: 16,
    mhz: 1400,
    nodes: 2,
    sockets: 2,
    cores: 2,
    threads: 2,
  });
  const all = await conn.listAllDomains();
  t.same(
    all.map((d) => d.ref),
    [{ name: 'test', uuid: TEST_UUID, id: 1 }],
  );
  const dom = await conn.lookupDomainByName('test');
  const info = await dom.getInfo();
  t.same(
    { ...info, cpuTimeNs: undefined },
    { state: S.RUNNING, maxMemKiB: 8388608, memoryKiB: 2097152, nrVirtCpu: 2, cpuTimeNs: undefined },
  );
  t.equal(typeof info.cpuTimeNs, 'bigint');
  t.same(await dom.getState(), { state: S.RUNNING, reason: 0 }, 'running (unknown), as libvirt loads it');
  t.equal(await dom.getOSType(), 'linux', "libvirt's test driver reports 'linux'");
  t.equal(await dom.getMaxMemory(), 8388608);
  t.equal(await dom.isActive(), true);
  t.equal(await dom.isPersistent(), true);
  t.equal(await dom.getAutostart(), false);
  const xml = await dom.getXMLDesc();
  t.match(
    xml,
    /^<domain type='test' id='1'>\n  <name>test<\/name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>/,
  );
  t.match(xml, /<type arch='i686'>hvm<\/type>/);
  t.match(await conn.getCapabilities(), /<cells num='2'>[^]*<os_type>hvm<\/os_type>[^]*<os_type>xen<\/os_type>/);
});

t.test('all test:///default connections share one state, dropped when the last closes', async (t) => {
  const a = await connect('test:///default');
  const b = await connect('test:///default');
  await (await a.lookupDomainByName('test')).suspend();
  t.equal((await (await b.lookupDomainByName('test')).getState()).state, S.PAUSED, "b sees a's change");
  await a.defineXML(guestXml('shared1'));
  t.same(await names(b), ['test', 'shared1']);
  await a.close();
  t.same(await names(b), ['test', 'shared1'], 'closing one connection keeps the state for the others');
  await b.close();
  const c = await open(t);
  t.same(await names(c), ['test'], 'a fresh state once all were closed');
  t.equal((await (await c.lookupDomainByName('test')).getState()).state, S.RUNNING);
});

t.test("lifecycle follows libvirt's rules; wrong states are OPERATION_INVALID", async (t) => {
  const conn = await open(t);
  const dom = await conn.lookupDomainByName('test');
  const invalid = (re: RegExp) => ({ name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID, message: re });

  await t.rejects(
    dom.resume(),
    invalid(/^Requested operation is not valid: domain is not paused$/),
    'resume a running domain',
  );
  await t.rejects(dom.create(), invalid(/domain is already running/), 'start a running domain');
  await dom.suspend();
  t.same(await dom.getState(), { state: S.PAUSED, reason: 1 }, 'paused (user)');
  await t.rejects(dom.suspend(), invalid(/domain is already paused/), 'suspend a paused domain');
  await dom.resume();
  t.same(await dom.getState(), { state: S.RUNNING, reason: 5 }, 'running (unpaused)');

  await dom.destroy();
  t.equal(dom.id, -1);
  t.same(await dom.getState(), { state: S.SHUTOFF, reason: 2 }, 'shut off (destroyed)');
  t.equal(await dom.isActive(), false);
  for (const [what, call] of [
    ['destroy', () => dom.destroy()],
    ['suspend', () => dom.suspend()],
    ['resume', () => dom.resume()],
    ['shutdown', () => dom.shutdown()],
    ['reboot', () => dom.reboot()],
    ['setMemory', () => dom.setMemory(1024)],
    ['setVcpus', () => dom.setVcpus(1)],
  ] as const) {
    await t.rejects(
      call(),
      invalid(/^Requested operation is not valid: domain is not running$/),
      `${what} of a shut-off domain`,
    );
  }
  await t.rejects(
    conn.lookupDomainById(1),
    { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN },
    'its old id is gone',
  );

  await dom.create();
  t.equal(dom.id, 2, 'ids grow: a restarted domain gets a new one');
  t.same(await dom.getState(), { state: S.RUNNING, reason: 1 }, 'running (booted)');
  t.equal((await conn.lookupDomainById(2)).name, 'test');
  await dom.reboot();
  t.same(await dom.getState(), { state: S.RUNNING, reason: 1 }, 'reboot: booted again');
  t.equal((await conn.lookupDomainByName('test')).id, 2, 'a reboot keeps the id');
  await dom.shutdown();
  t.same(await dom.getState(), { state: S.SHUTOFF, reason: 1 }, 'shut off (shutdown)');
  await dom.create();
  t.equal(dom.id, 3);
  await t.rejects(dom.create(1 << 5), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x20\)/,
  });
});

t.test('a paused domain can be shut down; create with PAUSED starts it paused', async (t) => {
  const conn = await open(t);
  const dom = await conn.lookupDomainByName('test');
  await dom.suspend();
  await dom.shutdown();
  t.equal((await dom.getState()).state, S.SHUTOFF);
  await dom.create(1 /* PAUSED */);
  t.same(await dom.getState(), { state: S.PAUSED, reason: 1 });
  t.equal(dom.id, 2);
});

t.test('running domains accumulate CPU time from the wall clock', async (t) => {
  const conn = await open(t);
  const dom = await conn.lookupDomainByName('test');
  const t0 = (await dom.getInfo()).cpuTimeNs;
  await sleep(30);
  const t1 = (await dom.getInfo()).cpuTimeNs;
  t.ok(t1 - t0 >= 25_000_000n, `grows while running (${t1 - t0} ns in 30 ms)`);
  await dom.suspend();
  const p0 = (await dom.getInfo()).cpuTimeNs;
  await sleep(20);
  t.equal((await dom.getInfo()).cpuTimeNs, p0, 'frozen while paused');
  await dom.resume();
  await sleep(10);
  const r = (await dom.getInfo()).cpuTimeNs;
  t.ok(r > p0, 'grows again after resume, from where it was');
  await dom.destroy();
  const d0 = (await dom.getInfo()).cpuTimeNs;
  await sleep(10);
  t.equal((await dom.getInfo()).cpuTimeNs, d0, 'frozen while shut off');
  t.ok(d0 >= r, 'never goes backwards');
});

t.test("unknown names, ids and uuids are NO_DOMAIN in libvirt's words", async (t) => {
  const conn = await open(t);
  await t.rejects(conn.lookupDomainByName('nope'), {
    name: 'XvirtError',
    number: 42,
    message: "Domain not found: no domain with matching name 'nope'",
  });
  await t.rejects(conn.lookupDomainById(7), {
    name: 'XvirtError',
    number: 42,
    message: 'Domain not found: no domain with matching id 7',
  });
  const other = '6695eb01-f6a4-8304-79aa-97f2502e193e';
  await t.rejects(conn.lookupDomainByUUID(other), {
    name: 'XvirtError',
    number: 42,
    message: `Domain not found: no domain with matching uuid '${other}'`,
  });
  t.equal((await conn.lookupDomainByUUID(TEST_UUID.toUpperCase())).name, 'test', 'uuid lookup ignores case');

  const gone = await conn.defineXML(guestXml('gone'));
  await gone.undefine();
  await t.rejects(
    gone.getInfo(),
    { name: 'XvirtError', number: 42, message: `Domain not found: no domain with matching uuid '${gone.uuid}' (gone)` },
    'a stale Domain names its uuid and name',
  );
  await t.rejects(gone.create(), { name: 'XvirtError', number: 42 });
});

t.test('define, redefine and undefine', async (t) => {
  const conn = await open(t);
  const events = await recordEvents(conn);
  const dom = await conn.defineXML(guestXml('web', '', '11111111-2222-3333-4444-555555555555'));
  t.same(dom.ref, { name: 'web', uuid: '11111111-2222-3333-4444-555555555555', id: -1 });
  t.same(await dom.getState(), { state: S.SHUTOFF, reason: 0 });
  t.equal(await dom.isPersistent(), true);
  await conn.defineXML(guestXml('web', '', '11111111-2222-3333-4444-555555555555', 1));
  t.equal((await dom.getInfo()).nrVirtCpu, 1, 'redefining an inactive domain replaces its definition');

  await t.rejects(
    conn.defineXML(guestXml('web', '', '99999999-2222-3333-4444-555555555555')),
    {
      number: ErrorNumber.OPERATION_FAILED,
      message: "operation failed: domain 'web' already exists with uuid 11111111-2222-3333-4444-555555555555",
    },
    'same name, other uuid',
  );
  await t.rejects(
    conn.defineXML(guestXml('other', '', TEST_UUID)),
    {
      number: ErrorNumber.OPERATION_FAILED,
      message: `operation failed: domain 'test' is already defined with uuid ${TEST_UUID}`,
    },
    'same uuid, other name',
  );
  await t.rejects(conn.defineXML('<domain type="test"><name>half</name><memory>1</memory></domain>'), {
    name: 'XvirtError',
    number: ErrorNumber.XML_ERROR,
    message: /missing <os><type>/,
  });
  await t.rejects(conn.defineXML(guestXml('kvm').replace("type='test'", "type='kvm'").replace('hvm', 'exe')), {
    name: 'XvirtError',
    number: ErrorNumber.XML_ERROR,
  });
  t.same(await names(conn), ['test', 'web'], 'failed defines leave nothing behind');

  // Redefining a running domain changes its configuration, not the running guest.
  const test = await conn.lookupDomainByName('test');
  await conn.defineXML((await test.getXMLDesc()).replace("<vcpu placement='static'>2</vcpu>", '<vcpu>1</vcpu>'));
  t.equal((await test.getInfo()).nrVirtCpu, 2, 'live vCPUs unchanged');
  t.match(
    await test.getXMLDesc(2 /* INACTIVE */),
    /<vcpu placement='static'>1<\/vcpu>/,
    'the new config shows with INACTIVE',
  );
  t.notMatch(await test.getXMLDesc(2), /id=/);
  await test.destroy();
  await test.create();
  t.equal((await test.getInfo()).nrVirtCpu, 1, 'and takes effect at the next start');

  await dom.undefine();
  await t.rejects(conn.lookupDomainByName('web'), { name: 'XvirtError', number: 42 }, 'an inactive domain is removed');
  await test.undefine();
  t.equal(await test.isPersistent(), false, 'a running domain turns transient');
  t.equal(await test.isActive(), true);
  await t.rejects(test.undefine(), { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID, message: /transient/ });
  await t.rejects(test.setAutostart(true), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: /transient/,
  });
  await test.destroy();
  await tick();
  t.same(await names(conn), [], 'and vanishes when it stops');
  t.same(events, [
    ['web', Ev.DEFINED, 0],
    ['web', Ev.DEFINED, 1],
    ['test', Ev.DEFINED, 1],
    ['test', Ev.STOPPED, 1],
    ['test', Ev.STARTED, 0],
    ['web', Ev.UNDEFINED, 0],
    ['test', Ev.UNDEFINED, 0],
    ['test', Ev.STOPPED, 1],
  ]);
});

t.test('createXML makes transient guests that vanish when they stop', async (t) => {
  const conn = await open(t);
  const a = await conn.createXML(guestXml('t1'));
  t.equal(a.id, 2);
  t.equal(await a.isPersistent(), false);
  t.same(await a.getState(), { state: S.RUNNING, reason: 1 });
  const b = await conn.createXML(guestXml('t2'), 1 /* PAUSED */);
  t.equal(b.id, 3);
  t.equal((await b.getState()).state, S.PAUSED);
  await t.rejects(conn.createXML(guestXml('t1', '', a.uuid)), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: /'t1' is already active/,
  });
  await t.rejects(conn.createXML(guestXml('t9'), 2 /* AUTODESTROY */), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x2\)/,
  });
  await a.shutdown();
  await b.destroy();
  t.same(await names(conn), ['test']);

  // A defined, shut-off domain can be booted by createXML with its identity; its config stays.
  const def = await conn.defineXML(guestXml('p1', '', 'aaaaaaaa-2222-3333-4444-555555555555'));
  await conn.createXML(guestXml('p1', '', 'aaaaaaaa-2222-3333-4444-555555555555', 1));
  t.equal((await def.getInfo()).nrVirtCpu, 1, 'runs with the given definition');
  await def.destroy();
  t.equal((await def.getInfo()).nrVirtCpu, 2, 'and keeps its configuration');
  t.equal(await def.isPersistent(), true);
});

t.test('setMemory, setVcpus and autostart are validated and change the running guest only', async (t) => {
  const conn = await open(t);
  const dom = await conn.lookupDomainByName('test');
  await dom.setMemory(1048576);
  t.equal((await dom.getInfo()).memoryKiB, 1048576);
  await t.rejects(dom.setMemory(8388609), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: 'invalid argument: cannot set memory higher than max memory',
  });
  await t.rejects(dom.setMemory(0), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  await dom.setVcpus(1);
  t.equal((await dom.getInfo()).nrVirtCpu, 1);
  await t.rejects(dom.setVcpus(3), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: 'invalid argument: requested cpu amount exceeds maximum (3 > 2)',
  });
  await t.rejects(dom.setVcpus(33), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
    message: /maximum supported amount \(33 > 32\)/,
  });
  await t.rejects(dom.setVcpus(0), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  t.match(
    await dom.getXMLDesc(),
    /<currentMemory unit='KiB'>1048576<\/currentMemory>\n  <vcpu placement='static' current='1'>2<\/vcpu>/,
  );
  t.match(
    await dom.getXMLDesc(2),
    /<currentMemory unit='KiB'>2097152<\/currentMemory>\n  <vcpu placement='static'>2<\/vcpu>/,
    'config unchanged',
  );
  await dom.destroy();
  await dom.create();
  const info = await dom.getInfo();
  t.same([info.memoryKiB, info.nrVirtCpu], [2097152, 2], 'a restart runs the configuration again');

  await dom.setAutostart(true);
  t.equal(await dom.getAutostart(), true);
  t.same(await names(conn, L.AUTOSTART), ['test']);
  await dom.setAutostart(false);
  t.same(await names(conn, L.AUTOSTART), []);
});

t.test('a closed driver refuses calls', async (t) => {
  const conn = await connect('test:///default');
  const dom = await conn.lookupDomainByName('test');
  await conn.close();
  t.equal(conn.isAlive(), false);
  await t.rejects(dom.getInfo(), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
});
