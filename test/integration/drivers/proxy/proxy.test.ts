// xvirt-proxy end to end on the host: a test build of the helper (fake
// hypervisor, paths in a temp dir, 2 s idle timeout) installed setuid root,
// driven by clients running as a real unprivileged user.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainEventStartedDetail, DomainEventType } from '../../../../lib/constants';
import { checkHelper } from '../../../../lib/drivers/proxy/helper';
import {
  ROOT,
  XENSTORE_NAMES,
  IDLE_SECONDS,
  alive,
  ensureDist,
  ensureTestUser,
  helperPid,
  runAsUser,
  setupTestProxy,
  sleep,
  waitFor,
  type TestProxy,
} from '../../../support/proxy-harness';

interface FakeDomain {
  domid: number;
  flags: number;
  xenState: number;
  state: number;
  reason: number;
  onlineVcpus: number;
  totPages: number;
  maxPages: number;
  cpuTimeNs: string;
  uuid: string;
}
interface FakeDirect {
  version: { major: number; minor: number; extraversion: string };
  capabilities: string;
  physinfo: {
    threadsPerCore: number;
    coresPerSocket: number;
    cpus: number;
    nodes: number;
    cpuKhz: number;
    totalPages: number;
  };
  domains: FakeDomain[];
}

const uuidText = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const nameOf = (d: FakeDomain) => XENSTORE_NAMES[`/local/domain/${d.domid}/name`] ?? `Domain-${d.domid}`;

let proxy: TestProxy;
let direct: FakeDirect;

t.before(async () => {
  ensureTestUser();
  ensureDist();
  proxy = await setupTestProxy();
  const dump = spawnSync(path.join(proxy.bin, 'fake_direct'), [], { encoding: 'utf8' });
  direct = JSON.parse(dump.stdout) as FakeDirect;
});
t.teardown(() => proxy?.close());

const READ_ALL = `
const c = await xvirt.connect('xen:///system');
const doms = await c.listAllDomains();
const per = [];
for (const d of doms) {
  per.push({ ref: d.ref ?? { name: d.name, uuid: d.uuid, id: d.id }, info: await d.getInfo(), state: await d.getState(),
    os: await d.getOSType(), maxMem: await d.getMaxMemory(), active: await d.isActive(),
    byId: (await c.lookupDomainById(d.id)).name, byUuid: (await c.lookupDomainByUUID(d.uuid)).name,
    byName: (await c.lookupDomainByName(d.name)).id });
}
out({ driver: c.driverName, type: await c.getType(), version: await c.getVersion(), node: await c.getNodeInfo(),
  caps: await c.getCapabilities(), uri: await c.getUri(), maxVcpus: await c.getMaxVcpus(), per,
  missingId: await c.lookupDomainById(77).then(() => null, errOf),
  missingUuid: await c.lookupDomainByUUID('12345678-1234-1234-1234-123456789abc').then(() => null, errOf),
  missingName: await c.lookupDomainByName('nope').then(() => null, errOf) });
await c.close();
`;

t.test('an unprivileged user reads through the proxy what the direct path sees', async (t) => {
  const r = (await runAsUser(proxy, READ_ALL)) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  t.equal(r.driver, 'xen-proxy', 'xen:///system as non-root goes through the proxy');
  t.equal(r.type, 'Xen');
  t.equal(r.uri, 'xen:///system');
  const v = direct.version;
  t.equal(r.version, v.major * 1_000_000 + v.minor * 1000 + Number(v.extraversion.slice(1)), 'hypervisor version');
  const p = direct.physinfo;
  t.equal(r.node.memoryKiB, p.totalPages * 4, 'node memory');
  t.equal(r.node.cpus, p.cpus);
  t.equal(r.node.mhz, Math.floor(p.cpuKhz / 1000));
  t.equal(r.node.cores, p.coresPerSocket);
  t.equal(r.node.threads, p.threadsPerCore);
  t.equal(r.maxVcpus, p.cpus);
  t.match(r.caps, /<os_type>xen<\/os_type>/, 'capabilities XML from XENVER_capabilities');
  t.match(r.caps, /<os_type>hvm<\/os_type>/);
  t.equal(r.per.length, direct.domains.length, 'every domain listed');
  for (const [i, d] of direct.domains.entries()) {
    const got = r.per[i];
    const name = nameOf(d);
    t.same(got.ref, { name, uuid: uuidText(d.uuid), id: d.domid }, `domain ${d.domid}: reference`);
    t.same(
      got.info,
      {
        state: d.state,
        maxMemKiB: d.maxPages * 4,
        memoryKiB: d.totPages * 4,
        nrVirtCpu: d.onlineVcpus,
        cpuTimeNs: BigInt(d.cpuTimeNs),
      },
      `domain ${d.domid}: getInfo (cpu time beyond 2^53 kept exact)`,
    );
    t.same(got.state, { state: d.state, reason: d.reason }, `domain ${d.domid}: getState`);
    t.equal(got.os, d.flags & 2 ? 'hvm' : 'xen');
    t.equal(got.maxMem, d.maxPages * 4);
    t.equal(got.active, true);
    t.equal(got.byId, name, 'lookup by id');
    t.equal(got.byUuid, name, 'lookup by uuid');
    t.equal(got.byName, d.domid, 'lookup by name');
  }
  t.equal(r.missingId.error, 'NO_DOMAIN');
  t.equal(r.missingUuid.error, 'NO_DOMAIN');
  t.equal(r.missingName.error, 'NO_DOMAIN');
});

t.test('every state-changing call is refused with a way to do it', async (t) => {
  const r = (await runAsUser(
    proxy,
    `
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
const tries = { destroy: () => d.destroy(), suspend: () => d.suspend(), resume: () => d.resume(), shutdown: () => d.shutdown(),
  reboot: () => d.reboot(), create: () => d.create(), undefine: () => d.undefine(), setAutostart: () => d.setAutostart(true),
  setMemory: () => d.setMemory(1024), setVcpus: () => d.setVcpus(1), pinVcpu: () => d.pinVcpu(0, [true]),
  pinVcpuFlags: () => d.pinVcpuFlags(0, [true], 2), setMemoryFlags: () => d.setMemoryFlags(1024, 1),
  setVcpusFlags: () => d.setVcpusFlags(1, 1), setMaxMemory: () => d.setMaxMemory(1024),
  setMemoryStatsPeriod: () => d.setMemoryStatsPeriod(5, 1), save: () => d.save('/tmp/xvirt-proxy-denied.save'),
  restore: () => c.restore('/tmp/xvirt-proxy-denied.save'), managedSave: () => d.managedSave(),
  managedSaveRemove: () => d.managedSaveRemove(), openConsole: () => d.openConsole(),
  defineXML: () => c.defineXML('<domain/>'), createXML: () => c.createXML('<domain/>') };
const res = {};
for (const [k, f] of Object.entries(tries)) res[k] = await f().then(() => 'done', errOf);
res.stillThere = (await d.getInfo()).state;
out(res);
await c.close();`,
  )) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  const { stillThere, ...writes } = r;
  t.ok(Object.keys(writes).length >= 23, 'all write calls tried');
  for (const [k, v] of Object.entries(writes)) {
    t.equal(v.error, 'OPERATION_DENIED', `${k} refused`);
    t.match(v.message, /root.*xvirtd/, `${k}: the message names root or xvirtd`);
  }
  t.equal(stillThere, direct.domains[1]!.state, 'the domain is untouched');
});

t.test('two unprivileged clients at once share one helper', async (t) => {
  const body = `
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(2);
const infos = await Promise.all(Array.from({ length: 2000 }, () => d.getInfo()));
out({ n: infos.length, same: infos.every((i) => i.memoryKiB === infos[0].memoryKiB), name: d.name });
await c.close();`;
  const [a, b] = (await Promise.all([runAsUser(proxy, body), runAsUser(proxy, body)])) as Array<Record<string, any>>;
  for (const r of [a!, b!]) {
    t.notOk(r.fatal, 'no failure', r.fatal);
    t.equal(r.n, 2000);
    t.ok(r.same);
    t.equal(r.name, 'guest-two');
  }
  const pid = helperPid(proxy.lockFile);
  t.ok(pid > 0 && alive(pid), 'one helper serving');
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim();
  t.match(
    status,
    new RegExp(`^Uid:\\s+${nobody}\\s+${nobody}\\s+${nobody}\\s+${nobody}$`, 'm'),
    'it serves as nobody (real, effective, saved uid)',
  );
  t.match(status, /^Groups:\s*$/m, 'with no supplementary groups');
  t.match(status, /^NoNewPrivs:\s+1$/m, 'and no-new-privs set');
  t.match(status, /^CapEff:\s+0+$/m, 'and no capabilities');
  t.match(status, /^Seccomp:\s+2$/m, 'and a system call filter');
  const fds = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
  t.equal(fds.filter((f) => f === '/dev/null').length, 3, 'stdio on /dev/null');
  t.notOk(
    fds.some((f) => /pipe:/.test(f)),
    'no inherited pipes',
  );
});

t.test('the helper exits when idle and the next call starts it again', async (t) => {
  const r = (await runAsUser(
    proxy,
    `
const fs = require('node:fs');
const pidOf = () => Number(fs.readFileSync(process.env.XVIRT_PROXY_SOCKET.replace(/proxy.sock$/, 'proxy.lock'), 'utf8'));
// Running, not a zombie: a helper orphaned by an earlier client waits for init to reap it.
const up = (pid) => { try { return !/^\\d+ \\(.*\\) Z/.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return false; } };
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
await d.getInfo();
const first = pidOf();
const before = up(first);
await new Promise((r) => setTimeout(r, ${(IDLE_SECONDS + 2) * 1000}));
const afterIdle = up(first);
const info = await d.getInfo();
out({ first, before, afterIdle, second: pidOf(), secondUp: up(pidOf()), state: info.state });
await c.close();`,
  )) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  t.ok(r.before, 'the helper was serving');
  t.notOk(r.afterIdle, `it exited after ${IDLE_SECONDS} s without requests`);
  t.not(r.second, r.first, 'a new helper answered the next call');
  t.ok(r.secondUp);
  t.equal(r.state, direct.domains[1]!.state, 'with the right answer');
});

t.test('a helper that is not safely installed is refused', async (t) => {
  const bad = path.join(proxy.dir, 'bad');
  fs.mkdirSync(bad, { mode: 0o755 });
  const variants: Array<[string, number, number, RegExp]> = [
    ['world-writable', 0o4757, 0, /writable by group or others/],
    ['group-writable', 0o4775, 0, /writable by group or others/],
    ['not-setuid', 0o755, 0, /not setuid/],
    ['user-owned', 0o4755, 1, /owned by uid \d+, not root/],
  ];
  const { uid } = ensureTestUser();
  for (const [name, mode, owner, why] of variants) {
    const file = path.join(bad, name);
    fs.copyFileSync(proxy.helper, file);
    fs.chownSync(file, owner ? uid : 0, 0);
    fs.chmodSync(file, mode);
    const r = (await runAsUser(
      proxy,
      `
const started = require('node:fs').existsSync(process.env.XVIRT_PROXY_SOCKET);
out(await xvirt.connect('xen:///system').then(() => 'connected', errOf));`,
      { XVIRT_PROXY_HELPER: file, XVIRT_PROXY_SOCKET: path.join(bad, `${name}.sock`) },
    )) as Record<string, any>;
    t.equal(r.error, 'ACCESS_DENIED', `${name} helper refused`);
    t.match(r.message, why, `${name}: says why`);
    t.match(r.message, /install-proxy/, `${name}: says how to fix it`);
  }
  const missing = (await runAsUser(proxy, `out(await xvirt.connect('xen:///system').then(() => 'connected', errOf));`, {
    XVIRT_PROXY_HELPER: path.join(bad, 'absent'),
    XVIRT_PROXY_SOCKET: path.join(bad, 'absent.sock'),
  })) as Record<string, any>;
  t.equal(missing.error, 'NO_SUPPORT', 'a missing helper is reported');
  t.match(missing.message, /not installed.*install-proxy/);
});

t.test('scripts/install-proxy installs a helper the client accepts', async (t) => {
  const dest = path.join(proxy.dir, 'libexec', 'xvirt', 'xvirt-proxy');
  const r = spawnSync(path.join(ROOT, 'scripts/install-proxy'), ['--dest', dest], { encoding: 'utf8' });
  t.equal(r.status, 0, 'installs', { stderr: r.stderr });
  const st = fs.statSync(dest);
  t.equal(st.uid, 0, 'owned by root');
  t.equal(st.mode & 0o7777, 0o4755, 'mode 4755');
  t.doesNotThrow(() => checkHelper(dest), 'passes the client check');
  const worldDir = path.join(proxy.dir, 'open');
  fs.mkdirSync(worldDir, { mode: 0o777 });
  fs.chmodSync(worldDir, 0o777);
  const bad = spawnSync(
    path.join(ROOT, 'scripts/install-proxy'),
    ['--no-build', '--dest', path.join(worldDir, 'x', 'xvirt-proxy')],
    { encoding: 'utf8' },
  );
  t.not(bad.status, 0, 'refuses a directory others can write');
  t.match(bad.stderr, /must be owned by root and writable only by root/);
  const gone = spawnSync(path.join(ROOT, 'scripts/install-proxy'), ['--uninstall', '--dest', dest], {
    encoding: 'utf8',
  });
  t.equal(gone.status, 0);
  t.notOk(fs.existsSync(dest), 'uninstall removes it');
});

t.test('a second helper finding one serving says so and exits', async (t) => {
  await runAsUser(proxy, `const c = await xvirt.connect('xen:///system'); out(await c.getVersion()); await c.close();`);
  const pid = helperPid(proxy.lockFile);
  t.ok(alive(pid), 'one is serving');
  const second = spawnSync(
    'setpriv',
    ['--reuid', 'xvirt-test', '--regid', 'xvirt-test', '--clear-groups', proxy.helper],
    { encoding: 'utf8', timeout: 10_000 },
  );
  t.equal(second.status, 0, 'exits 0');
  t.equal(second.stdout, 'ready (already served)\n');
  t.equal(helperPid(proxy.lockFile), pid, 'the first one keeps serving');
  const args = spawnSync(proxy.helper, ['--socket=/tmp/x'], { encoding: 'utf8' });
  t.equal(args.status, 1, 'arguments are refused');
  t.match(args.stderr, /takes no arguments/);
});

t.test('a xenstored that loses sync fails the call; the next call gets a fresh helper', async (t) => {
  const body = `const c = await xvirt.connect('xen:///system');
out(await c.listAllDomains().then((l) => l.map((d) => d.name), errOf));
await c.close();`;
  await runAsUser(proxy, body);
  const pid = helperPid(proxy.lockFile);
  proxy.xenstored.misbehave = true;
  const bad = (await runAsUser(proxy, body)) as Record<string, any>;
  proxy.xenstored.misbehave = false;
  t.equal(bad.error, 'NO_XENSTORE', 'a clear error');
  t.match(bad.message, /xenstore did not answer/);
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  t.notOk(alive(pid), 'the helper that lost xenstore exited');
  const good = await runAsUser(proxy, body);
  t.same(good, ['Domain-0', 'guest-one', 'guest-two', 'Domain-3'], 'a new helper answers');
  t.not(helperPid(proxy.lockFile), pid);
});

// Lifecycle events: the driver polls LIST and diffs it with the direct driver's logic. The test
// helper's hypervisor is fixed, so the change seen here is xenstore's: domain 3 has no name (a domain
// the toolstack is still building, not reported) until the test names it; then it is reported started.
t.test('a domain that appears is reported to an unprivileged listener; nothing else is', async (t) => {
  const key = '/local/domain/3/name';
  t.teardown(() => {
    delete XENSTORE_NAMES[key];
  });
  const client = runAsUser(
    proxy,
    `
const fs = require('node:fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const c = await xvirt.connect('xen:///system');
const events = [];
const off = await c.onLifecycle((e) => events.push({ name: e.domain.name, id: e.domain.id, event: e.event, detail: e.detail }));
fs.writeFileSync(process.env.MARKS + '/armed', '');
while (!fs.existsSync(process.env.MARKS + '/named')) await sleep(20);
const quiet = events.length;
for (const end = Date.now() + 15000; !events.some((e) => e.id === 3) && Date.now() < end;) await sleep(50);
await off();
out({ quiet, events, listed: (await c.listAllDomains()).map((d) => d.name) });
await c.close();`,
    { MARKS: proxy.marks },
  );
  await waitFor('the client to arm its listener', () => fs.existsSync(path.join(proxy.marks, 'armed')));
  await sleep(2500); // more than two polls with nothing changed
  XENSTORE_NAMES[key] = 'guest-three';
  fs.writeFileSync(path.join(proxy.marks, 'named'), '');
  const r = (await client) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  t.equal(r.quiet, 0, 'no event while nothing changed');
  t.ok(r.events.length >= 1, 'the new domain was reported');
  t.same(
    r.events[0],
    { name: 'guest-three', id: 3, event: DomainEventType.STARTED, detail: DomainEventStartedDetail.BOOTED },
    'as started, under its new name',
  );
  t.ok(
    r.events.every((e: { id: number }) => e.id === 3),
    'and only it',
  );
  const paused = direct.domains.find((d) => d.domid === 3)!.xenState === 3; /* XenState.PAUSED */
  t.equal(r.events.length, paused ? 2 : 1, paused ? 'then suspended, as it is paused' : 'nothing more');
  t.same(r.listed, ['Domain-0', 'guest-one', 'guest-two', 'guest-three']);
});

t.test('getInfo follows a domain that moved to another id, and fails for one that is gone', async (t) => {
  const r = (await runAsUser(
    proxy,
    `
const { ProxyDriver } = require(${JSON.stringify(path.join(ROOT, 'dist/drivers/proxy/index.js'))});
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(2);
const driver = new ProxyDriver({ helper: process.env.XVIRT_PROXY_HELPER, socket: process.env.XVIRT_PROXY_SOCKET });
const moved = await driver.domainGetInfo({ ...d.ref, id: 1 });
const gone = await driver.domainGetInfo({ ...d.ref, id: 1, uuid: '12345678-1234-1234-1234-123456789abc' }).then(() => null, errOf);
const state = await driver.domainGetState({ ...d.ref, id: 3 });
out({ moved, direct: await d.getInfo(), gone, state, stateDirect: await d.getState() });
await driver.close();
await c.close();`,
  )) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  t.same(r.moved, r.direct, 'a reference with a stale id is found by its UUID');
  t.same(r.state, r.stateDirect, 'for getState too');
  t.equal(r.gone?.error, 'NO_DOMAIN', 'a UUID no domain has is NO_DOMAIN');
  t.match(r.gone?.message, /no longer exists/);
});
