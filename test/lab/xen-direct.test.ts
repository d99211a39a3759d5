// xen:///system against the real Xen 4.17 in the lab (dom0, as root): what the
// direct driver reports must agree with `xl list`, its control calls must be
// seen by xl and produce the right lifecycle events.
import { labBudget, labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, Domain, type LifecycleEvent } from '../../lib/connection';
import { DomainEventType as E, DomainPausedReason, DomainRunningReason, DomainState } from '../../lib/constants';
import { ErrorNumber, XvirtError } from '../../lib/errors';
import { RECORD_STRIDE, XenHypervisor, loadAddon } from '../../lib/native';

const labTmp = process.env.XVIRT_LAB_TMP ?? '/tmp/xvirt-lab';
process.env.XVIRT_XEN_STATE_DIR = fs.mkdtempSync(path.join(labTmp, 'xen-state-'));

interface XlRow {
  name: string;
  id: number;
  memMiB: number;
  vcpus: number;
  state: string;
  seconds: number;
}

function xlList(): Map<string, XlRow> {
  const out = execFileSync('xl', ['list'], { encoding: 'utf8' });
  const rows = new Map<string, XlRow>();
  for (const line of out.trim().split('\n').slice(1)) {
    const [name, id, mem, vcpus, state, secs] = line.trim().split(/\s+/);
    rows.set(name!, {
      name: name!,
      id: Number(id),
      memMiB: Number(mem),
      vcpus: Number(vcpus),
      state: state!,
      seconds: Number(secs),
    });
  }
  return rows;
}

/** The letter xl shows for a state (its r b p s c d columns). */
function xlLetter(state: DomainState): string {
  return (
    {
      [DomainState.RUNNING]: 'r',
      [DomainState.BLOCKED]: 'b',
      [DomainState.PAUSED]: 'p',
      [DomainState.SHUTOFF]: 's',
      [DomainState.CRASHED]: 'c',
    }[state as number] ?? '?'
  );
}

async function waitFor<T>(
  what: string | (() => string),
  fn: () => T | undefined | Promise<T | undefined>,
  ms = labBudget(30),
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function guestXml(name: string, uuid: string): string {
  return (
    `<domain type='xen'><name>${name}</name><uuid>${uuid}</uuid><memory unit='MiB'>16</memory><vcpu>1</vcpu>` +
    `<os><type>xen</type><kernel>/guest/tinypv.elf</kernel><cmdline>xvirt_lab_guest=${name}</cmdline></os>` +
    '<on_poweroff>preserve</on_poweroff><on_crash>preserve</on_crash></domain>'
  );
}

labTest('the core detects the interface versions Xen 4.17 speaks', 40, async () => {
  const hv = await XenHypervisor.open();
  try {
    assert.equal(hv.version.major, 4);
    assert.equal(hv.version.minor, 17);
    assert.equal(hv.version.sysctlInterface, 0x15, 'XEN_SYSCTL_INTERFACE_VERSION of 4.17');
    assert.equal(hv.version.domctlInterface, 0x15, 'XEN_DOMCTL_INTERFACE_VERSION of 4.17');
    assert.match(hv.version.transport, /^\/dev\/xen\/privcmd, buffers from \/dev\/xen\/hypercall$/);
    assert.match(hv.version.capabilities, /xen-3\.0-x86_64/);
  } finally {
    hv.close();
  }
});

labTest('the addon itself refuses bad arguments before any hypercall', 40, async () => {
  const native = await loadAddon().openHypervisor();
  try {
    const out = new Float64Array(RECORD_STRIDE);
    const bad: Array<[string, () => unknown]> = [
      ['negative domid', () => native.getInfo(-1, null, out)],
      ['fractional domid', () => native.getInfo(1.5, null, out)],
      ['reserved domid', () => native.getInfo(0x7ff0, null, out)],
      ['short UUID', () => native.getInfo(0, new Uint8Array(15), out)],
      ['wrong record array', () => native.getInfo(0, null, new Float32Array(RECORD_STRIDE) as unknown as Float64Array)],
      ['short record array', () => native.getInfo(0, null, new Float64Array(RECORD_STRIDE - 1))],
      ['list without arrays', () => (native.list as (...a: unknown[]) => number)()],
      ['shutdown without a boolean', () => (native.shutdown as (...a: unknown[]) => unknown)(1, 'yes')],
      ['pause of a string', () => (native.pause as (...a: unknown[]) => unknown)('1')],
    ];
    for (const [what, call] of bad) assert.throws(call, TypeError, what);
    assert.equal(native.getInfo(0, null, out), 0, 'and still answers good calls');
    assert.equal(out[0], 0);
  } finally {
    native.close();
  }
});

labTest('domains, ids, names, memory, vCPUs and states agree with xl list', 40, async (t) => {
  const conn = await connect('xen:///system');
  t.after(() => conn.close());
  const before = xlList();
  const doms = await conn.listAllDomains();
  assert.deepEqual(doms.map((d) => d.name).sort(), [...before.keys()].sort());
  for (const d of doms) {
    const row = before.get(d.name)!;
    assert.equal(d.id, row.id, `${d.name} id`);
    const info = await d.getInfo();
    assert.equal(Math.floor(info.memoryKiB / 1024), row.memMiB, `${d.name} memory`);
    assert.equal(info.nrVirtCpu, row.vcpus, `${d.name} vCPUs`);
    assert.ok(
      Number(info.cpuTimeNs) / 1e9 >= row.seconds - 0.1,
      `${d.name} CPU time ${info.cpuTimeNs} ns >= xl's ${row.seconds} s`,
    );
    if (d.id !== 0) {
      assert.equal(row.state, '-b----', `${d.name} is idle for xl`);
      assert.equal(xlLetter(info.state), 'b', `${d.name} is idle for xvirt`);
      assert.equal(info.memoryKiB, 16384, 'tinypv guests have 4096 pages');
    } else {
      assert.equal(info.state, DomainState.RUNNING, 'dom0 runs while it asks');
    }
    assert.equal((await conn.lookupDomainByName(d.name)).uuid, d.uuid);
    assert.equal((await conn.lookupDomainById(d.id)).name, d.name);
    assert.equal((await conn.lookupDomainByUUID(d.uuid)).id, d.id);
  }
  const node = await conn.getNodeInfo();
  assert.equal(node.cpus, 2);
  assert.equal(await conn.getVersion(), 4_017_007);
});

labTest('control calls are seen by xl and raise the right lifecycle events', 60, async (t) => {
  const conn = await connect('xen:///system');
  const events: LifecycleEvent[] = [];
  const off = await conn.onLifecycle((e) => events.push(e));
  const created: Domain[] = [];
  t.after(async () => {
    await off();
    for (const d of created) spawnSync('xl', ['destroy', d.name]);
    await conn.close();
  });
  const seen = (name: string, event: E, detail?: number) =>
    waitFor(
      () =>
        `${E[event]} of ${name} (events so far: ${events
          .map((e) => `${e.domain.name}:${E[e.event]}/${e.detail}`)
          .join(' ')})`,
      () =>
        events.find(
          (e) => e.domain.name === name && e.event === event && (detail === undefined || e.detail === detail),
        ),
    );

  const a = await conn.createXML(guestXml('xt-a', '6a6a6a6a-0000-4000-8000-00000000000a'));
  created.push(a);
  assert.ok(a.id > 0);
  assert.equal(xlList().get('xt-a')?.id, a.id, 'xl sees the domain xvirt created');
  await seen('xt-a', E.STARTED);

  assert.equal((await a.getState()).reason, DomainRunningReason.BOOTED, 'xvirt started it');
  await a.suspend();
  assert.equal(xlList().get('xt-a')?.state[2], 'p', 'xl shows it paused');
  assert.deepEqual(await a.getState(), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
  await seen('xt-a', E.SUSPENDED, 0);
  await a.resume();
  assert.notEqual(xlList().get('xt-a')?.state[2], 'p');
  assert.equal((await a.getState()).reason, DomainRunningReason.UNPAUSED);
  await seen('xt-a', E.RESUMED, 0);
  execFileSync('xl', ['pause', 'xt-a']);
  assert.deepEqual(
    await a.getState(),
    { state: DomainState.PAUSED, reason: 0 },
    'paused by xl: xvirt does not know why',
  );
  execFileSync('xl', ['unpause', 'xt-a']);

  const oldRef = a.ref;
  await a.destroy();
  await waitFor('xt-a gone from xl list', () => (xlList().has('xt-a') ? undefined : true));
  await seen('xt-a', E.STOPPED, 1 /* DESTROYED */);
  await assert.rejects(
    conn.lookupDomainByName('xt-a').then((d) => d.getInfo()),
    (err: unknown) => err instanceof XvirtError && err.number === ErrorNumber.NO_DOMAIN,
  );
  const ghost = new Domain(conn, oldRef); // still carrying the id the domain had
  await assert.rejects(
    ghost.getInfo(),
    (err: unknown) => err instanceof XvirtError && err.number === ErrorNumber.NO_DOMAIN,
    'getInfo on a vanished domain is NO_DOMAIN',
  );

  const b = await conn.createXML(guestXml('xt-b', '6a6a6a6a-0000-4000-8000-00000000000b'));
  created.push(b);
  await seen('xt-b', E.STARTED);
  await b.shutdown();
  await waitFor('xl to show xt-b shut down', () => (xlList().get('xt-b')?.state[3] === 's' ? true : undefined));
  assert.deepEqual(await b.getState(), { state: DomainState.SHUTOFF, reason: 1 });
  await seen('xt-b', E.SHUTDOWN, 0);
  await seen('xt-b', E.STOPPED, 0 /* SHUTDOWN */);

  // Reboot: the hypervisor declares it (tinypv has no PV control driver) and xl's monitor restarts the guest.
  const c = await conn.createXML(
    guestXml('xt-c', '6a6a6a6a-0000-4000-8000-00000000000c').replace(
      '<on_poweroff>',
      '<on_reboot>restart</on_reboot><on_poweroff>',
    ),
  );
  created.push(c);
  await seen('xt-c', E.STARTED);
  const firstId = c.id;
  events.length = 0;
  await c.reboot();
  const again = await waitFor('xl to restart xt-c under a new id', () => {
    const row = xlList().get('xt-c');
    return row && row.id !== firstId && row.state[3] !== 's' ? row : undefined;
  });
  const info = await c.getInfo(); // the reference still carries the old id: found again by UUID
  assert.notEqual(info.state, DomainState.SHUTOFF);
  assert.equal((await conn.lookupDomainByName('xt-c')).id, again.id);
  assert.equal((await conn.lookupDomainByName('xt-c')).uuid, c.uuid, 'restarted with the same UUID');
  await seen('xt-c', E.STOPPED);
  await waitFor('STARTED of xt-c under its new id', () =>
    events.find((e) => e.domain.name === 'xt-c' && e.event === E.STARTED && e.domain.id === again.id),
  );
});

labTest('an unprivileged caller gets the proxy, or an error that says how to get it', 40, async () => {
  const uid = Number(process.env.XVIRT_LAB_UID),
    gid = Number(process.env.XVIRT_LAB_GID);
  assert.ok(uid > 0, 'XVIRT_LAB_UID is not set: is this running inside scripts/xen-lab?');
  const script = `require(${JSON.stringify(path.resolve(__dirname, '../../lib/connection.js'))}).connect('xen:///system')
    .then(async (c) => { const d = await c.listAllDomains(); console.log(JSON.stringify({ ok: d.length })); await c.close(); })
    .catch((e) => console.log(JSON.stringify({ number: e.number, message: e.message })));`;
  const r = spawnSync(process.execPath, ['-e', script], {
    uid,
    gid,
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok?: number; number?: number; message?: string };
  if (out.ok === undefined) {
    assert.doesNotMatch(out.message!, /EACCES|privcmd/, 'not a raw permission error from the device');
    assert.match(out.message!, /proxy/, `the error points at the proxy: ${out.message}`);
  } else {
    assert.equal(out.ok, xlList().size, 'through the proxy the user sees every domain');
  }
});
