// The direct Xen driver's logic over a stand-in hypervisor, in-memory
// xenstore and an xl recorder: identities, the getInfo hot path, control
// calls and their routes, definitions, listing filters, host facts.
import t from 'tap';
import {
  DomainPausedReason,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
  ListDomainsFlags,
} from '../../../../lib/constants';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { XenHypervisor } from '../../../../lib/native';
import { DefinitionStore } from '../../../../lib/drivers/definition-store';
import { XenDriver } from '../../../../lib/drivers/xen/driver';
import { ReasonBook } from '../../../../lib/drivers/xen/reasons';
import { XenState } from '../../../../lib/drivers/xen-common/state';
import type { DomainRef } from '../../../../lib/types';
import { fakeDomain, rig, domainXml, testCodec, UUIDS } from '../../../support/xen';

t.test('lists live domains with names from xenstore and UUIDs from the hypervisor', async (t) => {
  const { driver, xs } = await rig(t);
  const refs = await driver.listAllDomains(0);
  t.same(refs, [
    { name: 'Domain-0', uuid: UUIDS[0], id: 0 },
    { name: 'g1', uuid: UUIDS[1], id: 1 },
    { name: 'g2', uuid: UUIDS[2], id: 2 },
    { name: 'g3', uuid: UUIDS[3], id: 3 },
  ]);
  xs.values.set('/local/domain/2/name', 'renamed');
  t.equal((await driver.lookupById(2)).name, 'renamed', 'a rename is seen by the next lookup');
  t.same(await driver.lookupByName('g3'), { name: 'g3', uuid: UUIDS[3], id: 3 });
  t.same(await driver.lookupByUuid(UUIDS[1]!), { name: 'g1', uuid: UUIDS[1], id: 1 });
  await t.rejects(driver.lookupById(7), { number: ErrorNumber.NO_DOMAIN, message: /id 7/ });
  await t.rejects(driver.lookupByName('nope'), { number: ErrorNumber.NO_DOMAIN, message: /'nope'/ });
  await t.rejects(driver.lookupByUuid('99999999-2222-3333-4444-555555555501'), {
    name: 'XvirtError',
    number: ErrorNumber.NO_DOMAIN,
  });
});

t.test('without xenstore, domains are still listed under xl-style default names', async (t) => {
  const { driver } = await rig(t, { xenstore: false });
  t.same(
    (await driver.listAllDomains(0)).map((r) => r.name),
    ['Domain-0', 'Domain-1', 'Domain-2', 'Domain-3'],
  );
});

t.test('getInfo is one UUID-checked hypercall; vanished domains are NO_DOMAIN', async (t) => {
  const { driver, hv } = await rig(t);
  const g2 = await driver.lookupByName('g2');
  hv.calls = [];
  const info = await driver.domainGetInfo(g2);
  t.same(info, { state: DomainState.BLOCKED, maxMemKiB: 17408, memoryKiB: 16384, nrVirtCpu: 1, cpuTimeNs: 3_000_000n });
  t.same(hv.calls, ['getInfo 2'], 'the hot path makes exactly one native call');
  hv.calls = [];
  t.same(await driver.domainGetState(g2), { state: DomainState.BLOCKED, reason: 0 });
  t.same(hv.calls, ['getInfo 2'], 'getState takes the same one-call path');
  const dom0 = await driver.domainGetInfo(await driver.lookupById(0));
  t.equal(dom0.cpuTimeNs, 2n ** 60n, 'CPU time keeps 64 bits');

  hv.domains = hv.domains.filter((d) => d.id !== 2);
  await t.rejects(driver.domainGetInfo(g2), { number: ErrorNumber.NO_DOMAIN, message: /g2/ });
  await t.rejects(driver.domainGetState(g2), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });

  hv.domains.push(fakeDomain(9, UUIDS[2]!, { memKiB: 999 }));
  const moved = await driver.domainGetInfo(g2);
  t.equal(moved.memoryKiB, 999, 'a domain that came back under a new id (reboot) is found by UUID');
  t.same(
    await driver.domainGetState(g2),
    { state: DomainState.BLOCKED, reason: 0 },
    'getState finds a moved domain by UUID too',
  );

  const g3 = await driver.lookupByName('g3');
  hv.getInfo = () => {
    throw Object.assign(new Error('getdomaininfo of domain 3 failed: Permission denied'), { code: 'XC_EHYPERCALL' });
  };
  const failing = driver.domainGetInfo(g3);
  t.type(failing, Promise, 'a hypervisor refusal is a rejection, not a synchronous throw');
  await t.rejects(failing, { name: 'XvirtError', number: ErrorNumber.XEN_CALL, message: /Permission denied/ });
  Reflect.deleteProperty(hv, 'getInfo'); // FakeHypervisor's own getInfo again

  hv.domains.push(fakeDomain(2, '22222222-2222-3333-4444-555555555509'));
  hv.domains = hv.domains.filter((d) => d.id !== 9);
  await t.rejects(
    driver.domainGetInfo(g2),
    { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN },
    'an id reused by another domain is not ours',
  );
});

t.test('suspend, resume, shutdown, reboot and destroy take the right route', async (t) => {
  const { driver, hv, xs, xl } = await rig(t);
  const g1 = await driver.lookupByName('g1');
  hv.calls = [];
  await driver.domainSuspend(g1);
  t.same(await driver.domainGetState(g1), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
  await t.rejects(
    driver.domainSuspend(g1),
    { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID, message: /already paused/ },
    'a second pause would need two unpauses (Xen counts them)',
  );
  t.equal(hv.calls.filter((c) => c === 'pause 1').length, 1);
  await driver.domainResume(g1);
  await t.rejects(driver.domainResume(g1), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: /not paused/,
  });
  t.equal((await driver.domainGetInfo(g1)).state, DomainState.BLOCKED);
  t.ok(hv.calls.includes('pause 1') && hv.calls.includes('unpause 1'));

  await driver.domainShutdown(g1);
  t.ok(hv.calls.includes('shutdown 1 false'), 'a guest without PV shutdown support is shut down by the hypervisor');
  t.same(await driver.domainGetState(g1), { state: DomainState.SHUTOFF, reason: 1 });

  const g2 = await driver.lookupByName('g2');
  xs.values.set('/local/domain/2/control/feature-reboot', '1');
  await driver.domainReboot(g2, 0);
  t.same(xs.writes, ['/local/domain/2/control/shutdown=reboot'], 'a guest that listens is asked politely');
  t.notOk(hv.calls.includes('shutdown 2 true'));
  await t.rejects(driver.domainReboot(g2, 4), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });

  const g3 = await driver.lookupByName('g3');
  xs.values.set('/libxl/3', '');
  await driver.domainDestroy(g3);
  t.same(xl.runs, [['destroy', '3']], 'a domain libxl built is destroyed by xl');

  xs.values.set('/local/domain/2/vm', '/vm/abc');
  xs.values.set('/vm/abc/name', 'g2');
  await driver.domainDestroy(g2);
  t.ok(hv.calls.includes('destroy 2'), 'others get the hypercall');
  t.equal(await xs.read('/local/domain/2/name'), null, 'and their xenstore entries are removed');
  t.equal(await xs.read('/vm/abc/name'), null);
  await t.rejects(driver.domainSuspend(g2), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });
});

t.test('definitions: define, list filters, inactive info, start through xl, undefine', async (t) => {
  const { driver, hv, xl, xs } = await rig(t);
  const uuid = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const ref = await driver.defineXML(domainXml('web', uuid));
  t.same(ref, { name: 'web', uuid, id: -1 });
  await t.rejects(driver.defineXML(domainXml('web', 'aaaaaaaa-bbbb-cccc-dddd-000000000000')), {
    name: 'XvirtError',
    number: ErrorNumber.DOM_EXIST,
  });
  await t.rejects(driver.defineXML('<domain/>'), { name: 'XvirtError', number: ErrorNumber.XML_ERROR });

  t.same(
    (await driver.listAllDomains(ListDomainsFlags.INACTIVE)).map((r) => r.name),
    ['web'],
  );
  t.same(
    (await driver.listAllDomains(ListDomainsFlags.PERSISTENT)).map((r) => r.name),
    ['web'],
  );
  t.equal((await driver.listAllDomains(ListDomainsFlags.ACTIVE | ListDomainsFlags.TRANSIENT)).length, 4);
  t.equal((await driver.listAllDomains(ListDomainsFlags.RUNNING)).length, 4, 'idle guests count as running');
  t.same(
    (await driver.listAllDomains(ListDomainsFlags.SHUTOFF)).map((r) => r.name),
    ['web'],
  );
  t.equal((await driver.listAllDomains(ListDomainsFlags.HAS_SNAPSHOT)).length, 0);
  t.same(await driver.domainGetInfo(ref), {
    state: DomainState.SHUTOFF,
    maxMemKiB: 65536,
    memoryKiB: 32768,
    nrVirtCpu: 2,
    cpuTimeNs: 0n,
  });
  t.equal(await driver.domainIsActive(ref), false);
  t.equal(await driver.domainIsPersistent(ref), true);
  await t.rejects(driver.domainSuspend(ref), { number: ErrorNumber.OPERATION_INVALID, message: /not running/ });

  xl.onCreate = () => {
    hv.domains.push(fakeDomain(5, uuid));
    void xs.write('/local/domain/5/name', 'web');
  };
  const started = await driver.domainCreate(ref, 0);
  t.equal(started.id, 5);
  t.match(
    xl.configs[0],
    /^name = "web"\nuuid = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"\ntype = "pv"\nmemory = 32\nmaxmem = 64\nvcpus = 2\nkernel = "\/guest\/vmlinuz"\n/,
  );
  await t.rejects(driver.domainCreate(ref, 0), { number: ErrorNumber.OPERATION_INVALID, message: /already running/ });
  await t.rejects(driver.createXML(domainXml('web', uuid), 0), { name: 'XvirtError', number: ErrorNumber.DOM_EXIST });
  await t.rejects(driver.createXML(domainXml('x', 'aaaaaaaa-bbbb-cccc-dddd-111111111111'), 2), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
  });

  await driver.domainSetAutostart(ref, true);
  t.equal(await driver.domainGetAutostart(ref), true);
  t.same(
    (await driver.listAllDomains(ListDomainsFlags.AUTOSTART)).map((r) => r.name),
    ['web'],
  );
  t.match(await driver.domainGetXMLDesc(ref, 0), /<name>web<\/name>/);

  await driver.domainUndefine(ref, 0);
  t.equal(await driver.domainIsPersistent(started), false, 'still running, now transient');
  t.match(await driver.domainGetXMLDesc(started, 0), /<domain type='xen' id='5'>/);
  await t.rejects(driver.domainUndefine(started, 0), { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID });
  await t.rejects(driver.domainSetAutostart(started, true), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
  });
});

t.test('createXML starts a transient domain, paused on request', async (t) => {
  const { driver, hv, xl } = await rig(t);
  const uuid = 'aaaaaaaa-bbbb-cccc-dddd-222222222222';
  let pausedSeen = false;
  xl.onCreate = (_c, paused) => {
    pausedSeen = paused;
    hv.domains.push(fakeDomain(6, uuid));
  };
  const ref = await driver.createXML(domainXml('tmp', uuid), 1);
  t.equal(ref.id, 6);
  t.equal(pausedSeen, true);
  t.equal(await driver.domainIsPersistent(ref), false);
  xl.onCreate = null;
  await t.rejects(driver.createXML(domainXml('gone', 'aaaaaaaa-bbbb-cccc-dddd-333333333333'), 0), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_FAILED,
  });
  xl.available = false;
  await t.rejects(driver.domainSetMemory(ref, 1024), { number: ErrorNumber.NO_SUPPORT, message: /xl/ });
});

t.test('state reasons: from the shutdown code, and for the changes this process made while they last', async (t) => {
  const reasons = new ReasonBook();
  const { driver, hv, xl, xs } = await rig(t, { reasons });
  const state = (ref: DomainRef) => driver.domainGetState(ref);
  const g1 = await driver.lookupByName('g1');
  t.same(await state(g1), { state: DomainState.BLOCKED, reason: 0 }, 'booted by someone else: unknown');
  await driver.domainSuspend(g1);
  t.same(await state(g1), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
  await driver.domainResume(g1);
  t.same(await state(g1), { state: DomainState.BLOCKED, reason: DomainRunningReason.UNPAUSED }, 'fast path');
  t.same(
    await state({ ...g1, id: 77 }),
    { state: DomainState.BLOCKED, reason: DomainRunningReason.UNPAUSED },
    'found by UUID',
  );
  // Another connection of the same process (xvirtd's clients) sees the same reasons.
  const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-xen-reasons-'));
  const otherStore = await DefinitionStore.open(otherDir, (xml) => testCodec.parse(xml));
  const other = new XenDriver({
    hv: await XenHypervisor.over(Promise.resolve(hv)),
    xenstore: xs,
    store: otherStore,
    xl,
    codec: testCodec,
    pollMs: 0,
    reasons,
  });
  t.teardown(async () => {
    await other.close();
    fs.rmSync(otherDir, { recursive: true, force: true });
  });
  t.same(await other.domainGetState(g1), { state: DomainState.BLOCKED, reason: DomainRunningReason.UNPAUSED });

  Object.assign(hv.domains[1]!, { state: DomainState.PAUSED, xenState: XenState.PAUSED }); // xl pause
  t.same(await state(g1), { state: DomainState.PAUSED, reason: 0 }, 'paused by another tool: unknown');
  Object.assign(hv.domains[1]!, { state: DomainState.BLOCKED, xenState: XenState.BLOCKED }); // xl unpause
  t.same(await state(g1), { state: DomainState.BLOCKED, reason: 0 }, 'and the old reason does not come back');

  await driver.domainShutdown(g1);
  t.same(
    await state(g1),
    { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SHUTDOWN },
    'from the shutdown code',
  );

  const uuid = 'aaaaaaaa-bbbb-cccc-dddd-444444444444';
  const web = await driver.defineXML(domainXml('web', uuid));
  t.same(await state(web), { state: DomainState.SHUTOFF, reason: 0 }, 'never run: unknown');
  xl.onCreate = (_c, paused) => {
    hv.domains.push(fakeDomain(8, uuid, paused ? { state: DomainState.PAUSED, xenState: XenState.PAUSED } : {}));
    void xs.write('/local/domain/8/name', 'web');
  };
  const started = await driver.domainCreate(web, 0);
  t.same(await state(started), { state: DomainState.BLOCKED, reason: DomainRunningReason.BOOTED });
  const web8 = hv.domains.find((d) => d.id === 8)!;
  Object.assign(web8, { state: DomainState.NOSTATE, xenState: XenState.NOSTATE }); // runnable, waiting for a CPU
  t.same(await state(started), { state: DomainState.NOSTATE, reason: DomainRunningReason.BOOTED }, 'waiting for a CPU');
  Object.assign(web8, { state: DomainState.BLOCKED, xenState: XenState.BLOCKED });
  t.same(await state(started), { state: DomainState.BLOCKED, reason: DomainRunningReason.BOOTED }, 'and idle again');
  await driver.domainDestroy(started);
  t.same(await state(web), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.DESTROYED });
  const paused = await driver.domainCreate(web, 1);
  t.same(await state(paused), { state: DomainState.PAUSED, reason: DomainPausedReason.USER }, 'started paused');
  hv.domains = hv.domains.filter((d) => d.id !== 8);
  hv.domains.push(fakeDomain(9, uuid)); // restarted under a new id by someone else
  t.same(await state(paused), { state: DomainState.BLOCKED, reason: 0 });
});

t.test('host facts: version, node info, capabilities', async (t) => {
  const { driver } = await rig(t);
  t.equal(await driver.getType(), 'Xen');
  t.equal(await driver.getVersion(), 4_017_007);
  t.equal(await driver.getUri(), 'xen:///system');
  const node = await driver.getNodeInfo();
  t.match(node, { memoryKiB: 2096632, cpus: 2, mhz: 2596, nodes: 1, sockets: 1, cores: 2, threads: 1 });
  const caps = await driver.getCapabilities();
  t.match(caps, /<os_type>xen<\/os_type>\n {4}<arch name='x86_64'>/);
  t.match(caps, /<os_type>hvm<\/os_type>\n {4}<arch name='i686'>[\s\S]*<pae\/>[\s\S]*<nonpae\/>/);
  t.equal(await driver.getMaxVcpus(null), 2);
  await t.rejects(driver.getMaxVcpus('kvm'), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  t.equal(await driver.domainGetOSType(await driver.lookupById(1)), 'xen');
});

t.test('opening xen:///system: URI checks, no privcmd, unprivileged callers', async (t) => {
  const { openXenDriver } = await import('../../../../lib/drivers/xen');
  const { openDriver } = await import('../../../../lib/drivers/registry');
  const { parseUri } = await import('../../../../lib/uri');
  await t.rejects(openXenDriver(parseUri('xen:///session'), {}), {
    number: ErrorNumber.NO_CONNECT,
    message: /only xen:\/\/\/system/,
  });
  await t.rejects(openXenDriver(parseUri('xen:///system?statedir=/tmp'), {}), {
    number: ErrorNumber.INVALID_ARG,
    message: /statedir/,
  });
  const onXen = (await import('node:fs')).existsSync('/dev/xen/privcmd');
  if (!onXen && process.getuid?.() === 0) {
    await t.rejects(openXenDriver(parseUri('xen:///system'), {}), {
      number: ErrorNumber.NO_CONNECT,
      message: /\/dev\/xen\/privcmd is missing/,
    });
  }
  const realGetuid = process.getuid;
  process.getuid = () => 1000;
  t.teardown(() => {
    process.getuid = realGetuid;
  });
  process.env.XVIRT_PROXY_HELPER = '/nonexistent/xvirt-proxy';
  t.teardown(() => {
    delete process.env.XVIRT_PROXY_HELPER;
  });
  await t.rejects(
    openDriver(parseUri('xen:///system'), {}),
    { name: 'XvirtError', message: /proxy helper \/nonexistent\/xvirt-proxy is not installed/ },
    'unprivileged callers are handed to the proxy driver, which says what is missing',
  );
  await t.rejects(
    openDriver(parseUri('xen:///session'), {}),
    { number: ErrorNumber.NO_CONNECT, message: /only xen:\/\/\/system/ },
    'the proxy driver checks the URI as the direct one does',
  );
  await t.rejects(openDriver(parseUri('xen:///system?statedir=/tmp'), {}), {
    number: ErrorNumber.INVALID_ARG,
    message: /statedir/,
  });
});
