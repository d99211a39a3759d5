// xvirt-proxy against the real Xen, inside the lab's dom0: the production
// helper installed by scripts/install-proxy at its fixed path, clients run as
// the lab's unprivileged user. Their answers must equal what the same script
// gets as root through the direct driver; writes are refused; the helper
// exits when idle (30 s) and the next call starts it again; a listener sees
// root pause and resume a guest. The statistics calls (vCPU affinity too, with a
// guest's vCPU pinned by xl vcpu-pin) agree with direct ones.
import { labBudget, labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const env = (name: string): string => {
  const v = process.env[name];
  assert.ok(v, `${name} is not set: is this running inside scripts/xen-lab?`);
  return v;
};
const LOCK = '/run/xvirt/proxy.lock';

/** A client script running `body`; `xvirt` is the compiled library, out(v) prints v as one JSON line. */
function clientScript(body: string): string {
  const file = path.join(env('XVIRT_LAB_TMP'), `proxy-client-${process.pid}-${Date.now()}.js`);
  fs.writeFileSync(
    file,
    `
const xvirt = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
const out = (v) => process.stdout.write(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() + 'n' : x) + '\\n');
const errOf = (e) => ({ error: e.code || String(e), message: e.message });
(async () => { ${body} })().catch((e) => { out({ fatal: errOf(e) }); process.exitCode = 1; });
`,
    { mode: 0o644 },
  );
  return file;
}

const asOptions = (root: boolean) => ({
  uid: root ? 0 : Number(env('XVIRT_LAB_UID')),
  gid: root ? 0 : Number(env('XVIRT_LAB_GID')),
  env: { PATH: process.env.PATH, HOME: '/tmp/xvirt-user' },
});

const parseLine = (line: string) =>
  JSON.parse(line, (_k, x) => (typeof x === 'string' && /^\d+n$/.test(x) ? BigInt(x.slice(0, -1)) : x));

/** Runs `body` as the lab user (or root); returns what it passes to out() last. */
function asUser(body: string, timeoutMs = labBudget(120), root = false): Record<string, any> {
  const file = clientScript(body);
  const r = spawnSync(process.execPath, [file], { ...asOptions(root), encoding: 'utf8', timeout: timeoutMs });
  fs.rmSync(file, { force: true });
  try {
    return parseLine(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new Error(`client as ${env('XVIRT_LAB_USER')} printed no JSON (status ${r.status}): ${r.stdout}${r.stderr}`);
  }
}

const READ_ALL = `
const c = await xvirt.connect('xen:///system');
const per = [];
for (const d of await c.listAllDomains()) {
  per.push({ name: d.name, uuid: d.uuid, id: d.id, info: await d.getInfo(), state: await d.getState(), os: await d.getOSType(),
    maxMem: await d.getMaxMemory(), active: await d.isActive(), xml: await d.getXMLDesc(),
    byId: (await c.lookupDomainById(d.id)).name, byUuid: (await c.lookupDomainByUUID(d.uuid)).name,
    byName: (await c.lookupDomainByName(d.name)).id });
}
out({ driver: c.driverName, type: await c.getType(), version: await c.getVersion(), node: await c.getNodeInfo(),
  caps: await c.getCapabilities(), uri: await c.getUri(), maxVcpus: await c.getMaxVcpus(), hostname: await c.getHostname(),
  active: (await c.listAllDomains(1)).map((d) => d.name), per,
  missing: await c.lookupDomainById(32000).then(() => null, errOf) });
await c.close();
`;

labTest('install the helper with scripts/install-proxy', 60, () => {
  const built = path.join(ROOT, 'native/proxy/build/xvirt-proxy');
  assert.ok(fs.existsSync(built), `${built} is missing: build it on the host first (make -C native/proxy)`);
  execFileSync(path.join(ROOT, 'scripts/install-proxy'), ['--no-build'], { encoding: 'utf8' });
  const st = fs.statSync('/usr/local/libexec/xvirt/xvirt-proxy');
  assert.equal(st.uid, 0);
  assert.equal(st.mode & 0o7777, 0o4755);
});

labTest('the unprivileged user gets exactly what root reads directly', 60, async () => {
  const before = asUser(READ_ALL, 120_000, true);
  assert.equal(before.driver, 'xen', 'root uses the direct driver');
  const proxied = asUser(READ_ALL);
  const after = asUser(READ_ALL, 120_000, true);
  assert.equal(proxied.fatal, undefined, JSON.stringify(proxied.fatal));
  assert.equal(proxied.driver, 'xen-proxy', 'the user goes through the proxy');
  assert.equal(proxied.missing?.error, 'NO_DOMAIN');
  // CPU time moves between the three snapshots; everything else must be identical.
  const strip = (v: Record<string, any>) => ({
    ...v,
    driver: null,
    per: v.per.map((d: any) => ({ ...d, info: { ...d.info, cpuTimeNs: null } })),
  });
  assert.deepEqual(strip(proxied), strip(before));
  for (const [i, d] of proxied.per.entries()) {
    const lo = before.per[i].info.cpuTimeNs as bigint,
      hi = after.per[i].info.cpuTimeNs as bigint;
    assert.ok(
      d.info.cpuTimeNs >= lo && d.info.cpuTimeNs <= hi,
      `${d.name}: cpu time ${d.info.cpuTimeNs} within [${lo}, ${hi}]`,
    );
  }
  const guests = env('XVIRT_LAB_GUESTS').split(' ');
  for (const g of guests)
    assert.ok(
      proxied.per.some((d: any) => d.name === g),
      `guest ${g} listed by name`,
    );
  assert.ok(proxied.per.some((d: any) => d.name === 'Domain-0' && d.id === 0));
});

const READ_STATS = `
const c = await xvirt.connect('xen:///system');
const per = [];
for (const d of await c.listAllDomains(1)) {
  per.push({ name: d.name, vcpus: await d.getVcpus(), pin: await d.getVcpuPinInfo(0), count: await d.getVcpusFlags(0), max: await d.getVcpusFlags(5),
    mem: await d.memoryStats(), cpu: (await d.getCPUStats(-1, 1))[0], cpus: (await d.getCPUStats(0, 64)).length,
    disk: await d.blockStats('xvda').then(() => null, errOf), nic: await d.interfaceStats('vif0.0').then(() => null, errOf) });
}
out({ per, map: await c.getCPUMap(), nodeCpu: await c.getNodeCPUStats(-1), nodeMem: await c.getNodeMemoryStats(-1),
  free: await c.getFreeMemory(), cells: await c.getCellsFreeMemory(0, 1),
  all: (await c.getAllDomainStats(0, 1)).map((r) => ({ name: r.domain.name, params: r.params })) });
await c.close();
`;

/** Figures that move between two reads (run times, idle time, where and whether a vCPU runs, free memory). */
const VOLATILE_PARAM = /^(cpu\.time|vcpu\.\d+\.(state|time))$/;
const settled = (v: Record<string, any>) => ({
  ...v,
  per: v.per.map((d: any) => ({
    ...d,
    vcpus: d.vcpus.map((x: any) => [x.number, x.cpumap]),
    cpu: d.cpu.map((p: any) => p.name),
  })),
  nodeCpu: v.nodeCpu.map((s: any) => s.field),
  nodeMem: v.nodeMem.map((s: any) => (s.field === 'free' ? s.field : s)),
  free: null,
  cells: null,
  all: v.all.map((r: any) => ({
    ...r,
    params: r.params.map((p: any) => (VOLATILE_PARAM.test(p.name) ? [p.name, p.type] : p)),
  })),
});
const within = (what: string, x: bigint, a: bigint, b: bigint) =>
  assert.ok(x >= (a < b ? a : b) && x <= (a < b ? b : a), `${what}: ${x} within [${a}, ${b}]`);

labTest('statistics through the proxy equal the direct ones', 90, async () => {
  const g = env('XVIRT_LAB_GUESTS').split(' ')[0]!;
  // A map that differs from the default: the guest's vCPU 0 on CPU 0 only (xl vcpu-pin, as root).
  execFileSync('xl', ['vcpu-pin', g, '0', '0']);
  let before, proxied, after;
  try {
    before = asUser(READ_STATS, 120_000, true);
    proxied = asUser(READ_STATS);
    after = asUser(READ_STATS, 120_000, true);
  } finally {
    execFileSync('xl', ['vcpu-pin', g, '0', 'all']);
  }
  assert.equal(proxied.fatal, undefined, JSON.stringify(proxied.fatal));
  assert.equal(before.fatal, undefined, JSON.stringify(before.fatal));
  assert.deepEqual(settled(proxied), settled(before), 'every stable figure and every error identical');
  assert.ok(proxied.per.length >= 1 + env('XVIRT_LAB_GUESTS').split(' ').length, 'dom0 and the guests');
  for (const [i, d] of proxied.per.entries()) {
    const [lo, hi] = [before.per[i], after.per[i]];
    within(`${d.name} cpu_time`, d.cpu[0].value, lo.cpu[0].value, hi.cpu[0].value);
    for (const [k, v] of d.vcpus.entries()) {
      within(`${d.name} vCPU ${k} time`, v.cpuTimeNs, lo.vcpus[k].cpuTimeNs, hi.vcpus[k].cpuTimeNs);
      assert.ok(v.cpu >= -1 && v.cpu < proxied.map.cpumap.length, `${d.name} vCPU ${k} on CPU ${v.cpu}`);
      assert.equal(v.cpumap.length, proxied.map.cpumap.length, `${d.name} vCPU ${k}: affinity over every CPU id`);
    }
    assert.deepEqual(
      d.pin,
      d.vcpus.map((v: any) => v.cpumap),
      `${d.name}: getVcpuPinInfo is getVcpus' maps`,
    );
  }
  const pinned = proxied.per.find((d: any) => d.name === g);
  assert.deepEqual(
    pinned.vcpus[0].cpumap.flatMap((on: boolean, cpu: number) => (on ? [cpu] : [])),
    [0],
    `${g} vCPU 0 pinned to CPU 0, read through VCPU_AFFINITY`,
  );
  for (const [i, s] of proxied.nodeCpu.entries()) {
    within(`node ${s.field}`, s.value, before.nodeCpu[i].value, after.nodeCpu[i].value);
  }
  within('free memory', proxied.free, before.free, after.free);
  within('cell 0 free memory', proxied.cells[0], before.cells[0], after.cells[0]);
});

labTest('state changes are refused and leave the guests alone', 60, async () => {
  const g = env('XVIRT_LAB_GUESTS').split(' ')[0];
  const r = asUser(`
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainByName(${JSON.stringify(g)});
const res = {};
for (const [k, f] of Object.entries({ suspend: () => d.suspend(), destroy: () => d.destroy(), shutdown: () => d.shutdown(),
  reboot: () => d.reboot(), resume: () => d.resume(), setMemory: () => d.setMemory(8192), createXML: () => c.createXML('<domain/>'),
  pinVcpu: () => d.pinVcpu(0, [true, false]), pinVcpuFlags: () => d.pinVcpuFlags(0, [false, true], 1) }))
  res[k] = await f().then(() => 'done', errOf);
out(res);
await c.close();`);
  for (const [k, v] of Object.entries(r)) {
    assert.equal(v.error, 'OPERATION_DENIED', `${k}: ${JSON.stringify(v)}`);
    assert.match(v.message, /root.*xvirtd/);
  }
  const list = execFileSync('xl', ['list', g!], { encoding: 'utf8' });
  assert.match(list, /(r-----|-b----)/, `${g} still runs:\n${list}`);
});

labTest('the helper exits after 30 s idle and the next call starts a new one', 120, () => {
  const r = asUser(
    `
const fs = require('node:fs');
const pid = () => Number(fs.readFileSync(${JSON.stringify(LOCK)}, 'utf8'));
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(0);
await d.getInfo();
const first = pid();
const start = Date.now();
// Running, not a zombie (reaped only when this process's event loop turns, or by init).
const up = (pid) => { try { return !/^\\d+ \\(.*\\) Z/.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return false; } };
while (up(first) && Date.now() - start < 60000) await new Promise((r) => setTimeout(r, 500));
const idleS = (Date.now() - start) / 1000;
const info = await d.getInfo();
out({ first, gone: !up(first), idleS, second: pid(), mem: info.memoryKiB });
await c.close();`,
    150_000,
  );
  assert.equal(r.fatal, undefined, JSON.stringify(r.fatal));
  assert.ok(r.gone, `the helper ${r.first} still runs after ${r.idleS} s`);
  assert.ok(r.idleS >= 25, `it left after ${r.idleS} s, before its 30 s idle time`);
  assert.notEqual(r.second, r.first, 'a new helper answered the next call');
  assert.ok(r.mem > 0);
});

labTest('an unprivileged listener sees a guest paused and resumed by root', 60, async () => {
  const g = env('XVIRT_LAB_GUESTS').split(' ')[1]!;
  const file = clientScript(`
const c = await xvirt.connect('xen:///system');
const mine = [];
await c.onLifecycle((e) => {
  if (e.domain.name !== ${JSON.stringify(g)}) return;
  mine.push({ event: e.event, detail: e.detail, id: e.domain.id });
  out({ seen: mine.length });
});
out({ armed: c.driverName });
for (const end = Date.now() + 90000; mine.length < 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
out({ events: mine });
await c.close();`);
  const child = spawn(process.execPath, [file], asOptions(false));
  const lines: Array<Record<string, any>> = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      lines.push(parseLine(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitLine = async (what: string, ok: (l: Record<string, any>) => boolean) => {
    for (const end = Date.now() + labBudget(90); !lines.some(ok); await new Promise((r) => setTimeout(r, 100))) {
      assert.ok(
        Date.now() < end && child.exitCode === null,
        `no ${what} from the client: ${JSON.stringify(lines)} ${stderr}`,
      );
    }
  };
  try {
    await waitLine('armed listener', (l) => 'armed' in l);
    assert.equal(lines.find((l) => 'armed' in l)!.armed, 'xen-proxy');
    execFileSync('xl', ['pause', g]);
    await waitLine('pause event', (l) => l.seen === 1);
    execFileSync('xl', ['unpause', g]);
    assert.equal(await exited, 0, stderr);
  } finally {
    child.kill();
    fs.rmSync(file, { force: true });
    spawnSync('xl', ['unpause', g]);
  }
  const id = Number(execFileSync('xl', ['domid', g], { encoding: 'utf8' }).trim());
  assert.deepEqual(lines.find((l) => 'events' in l)?.events, [
    { event: 3 /* SUSPENDED */, detail: 0 /* PAUSED */, id },
    { event: 4 /* RESUMED */, detail: 0 /* UNPAUSED */, id },
  ]);
});
