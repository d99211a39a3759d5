// A real Linux PV guest (dom0's kernel + the lab's busybox initramfs,
// scripts/lab/linuxpv) with a file-backed disk and a NIC on xenbr0, driven
// through xvirt only (in-process API on xen:///system); xl list is checked
// at each step, and every step's lifecycle event must arrive.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { connect, type Connection, type Domain, type LifecycleEvent } from '../../../lib/connection';
import {
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventType as E,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
} from '../../../lib/constants';
import { ErrorNumber, XvirtError } from '../../../lib/errors';
import { labBudget, labTest } from '../../support/lab';
import { defaultConfig } from '../../../lib/daemon/config';
import { Daemon } from '../../../lib/daemon/daemon';
import { Logger, LogLevel } from '../../../lib/daemon/log';

const labTmp = process.env.XVIRT_LAB_TMP ?? '/tmp/xvirt-lab';
const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'xvirt.js');
process.env.XVIRT_XEN_STATE_DIR = fs.mkdtempSync(path.join(labTmp, 'guest-state-'));
// Storage pools of this file live under the lab's scratch directory.
process.env.XVIRT_STORAGE_ROOTS = labTmp;
const NAME = 'lg1';
const UUID = '7a7a7a7a-0000-4000-8000-000000000001';
const IP = '10.77.0.2';
const consoleLog = (name: string) => `/var/log/xen/guest-${name}.log`;
/** Progress on stderr, live (node --test shows a file's results only when it ends; a crash would hide them). */
const step = (what: string) => process.stderr.write(`# guest.test: ${what}\n`);

function guestXml(o: { disk: string; bridge?: string; name?: string; uuid?: string; sources?: string }): string {
  const name = o.name ?? NAME;
  const sources =
    o.sources ??
    `<disk type='file' device='disk'><driver name='phy' type='raw'/><source file='${o.disk}'/>` +
      "<target dev='xvda' bus='xen'/></disk>" +
      `<interface type='bridge'><mac address='00:16:3e:77:00:02'/><source bridge='${o.bridge ?? 'xenbr0'}'/></interface>`;
  return (
    `<domain type='xen'><name>${name}</name><uuid>${o.uuid ?? UUID}</uuid>` +
    "<memory unit='MiB'>128</memory><vcpu>1</vcpu>" +
    '<os><type>xen</type><kernel>/guest/vmlinux</kernel><initrd>/guest/linux-initrd.cpio</initrd>' +
    `<cmdline>console=hvc0 quiet mitigations=off xvirt_name=${name} xvirt_ip=${IP}</cmdline></os>` +
    `<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>preserve</on_crash><devices>${sources}` +
    '</devices></domain>'
  );
}

/** Running, idle, or runnable and waiting for a CPU (neither flag: NOSTATE, xl's `------`). */
const alive = (s: DomainState) => [DomainState.RUNNING, DomainState.BLOCKED, DomainState.NOSTATE].includes(s);

/** xl list as name -> { id, state }. */
function xlList(): Map<string, { id: number; state: string }> {
  const rows = execFileSync('xl', ['list'], { encoding: 'utf8' }).trim().split('\n').slice(1);
  return new Map(rows.map((l) => l.trim().split(/\s+/)).map((r) => [r[0]!, { id: Number(r[1]), state: r[4]! }]));
}

async function waitFor<T>(
  what: () => string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = labBudget(60),
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Lines the guest has printed on its console so far (xenconsoled appends across restarts). */
function consoleLines(name = NAME): string[] {
  try {
    return fs.readFileSync(consoleLog(name), 'latin1').split(/\r?\n/);
  } catch {
    return [];
  }
}

/** Where the console log ends now (its last, maybe partial, line): lines from here on are new. */
function consoleMark(): number {
  return Math.max(0, consoleLines().length - 1);
}

/** Waits for a console line from `from` on that contains `re` (shell prompts may precede it); returns the match. */
function lineAfter(from: number, re: RegExp): Promise<string> {
  return waitFor(
    () => `a console line matching ${re} (console tail: ${consoleLines().slice(-8).join(' | ')})`,
    () =>
      consoleLines()
        .slice(from)
        .map((l) => re.exec(l)?.[0])
        .find((m) => m !== undefined),
  );
}

/** How many console lines from `from` on contain `re`. */
const countAfter = (from: number, re: RegExp) =>
  consoleLines()
    .slice(from)
    .filter((l) => re.test(l)).length;

/**
 * One TCP exchange with the guest's echo service on port 7. A guest just
 * started or resumed reconnects its NIC to a new vif on its own time, so a
 * failed connection is tried again until the budget is spent.
 */
async function echo(message: string): Promise<string> {
  const end = Date.now() + labBudget(60);
  for (;;) {
    try {
      return await echoOnce(message);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const retry = code === 'EHOSTUNREACH' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
      if (!retry || Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function echoOnce(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: IP, port: 7 });
    let got = '';
    s.setTimeout(labBudget(20), () => {
      s.destroy();
      reject(new Error(`no echo from ${IP} within the budget`));
    });
    s.on('connect', () => s.write(message));
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= message.length) s.end();
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

/** The first `bytes` of `file`, read without loading the rest (a save image is as large as the guest). */
function headOf(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, fs.readSync(fd, buf, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
}

interface Ctx {
  conn: Connection;
  events: LifecycleEvent[];
}

/** Collects a stream's output; `until` waits for a pattern in it. */
function collector(stream: NodeJS.ReadableStream) {
  let text = '';
  stream.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  return {
    get text() {
      return text;
    },
    until: (re: RegExp) =>
      waitFor(
        () => `${re} in the console output (so far: ${JSON.stringify(text.slice(-300))})`,
        () => (re.test(text) ? true : undefined),
      ),
  };
}

/** The console through the API: a typed command answers, one session at a time, FORCE takes over, a closed one frees it. */
async function consoleChecks(dom: Domain): Promise<void> {
  const first = await dom.openConsole();
  const out = collector(first);
  first.write('echo typed-$((6*7))\n');
  await out.until(/typed-42/);
  await assert.rejects(
    dom.openConsole(),
    (e: unknown) =>
      e instanceof XvirtError &&
      e.number === ErrorNumber.OPERATION_FAILED &&
      /Active console session exists for this domain/.test(e.message),
  );
  const forced = await dom.openConsole(null, 1 /* FORCE */);
  await waitFor(
    () => 'the first session to close',
    () => (first.destroyed ? true : undefined),
  );
  forced.destroy();
  await new Promise((r) => setTimeout(r, 100));
  const again = await dom.openConsole('console0');
  again.destroy();
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * The console over the wire, on the real guest: an in-process xvirtd on a unix
 * socket, xvirt's remote client (libvirt's stream protocol, DOMAIN_OPEN_CONSOLE):
 * a typed command answers; the wire session and the local API share the
 * one-session rule; the client's abort frees the console.
 */
async function consoleOverWire(local: Domain): Promise<void> {
  const dir = fs.mkdtempSync(path.join(labTmp, 'xvirtd-'));
  const config = {
    ...defaultConfig(),
    unixSockRwPath: path.join(dir, 'sock'),
    unixSockRoPath: path.join(dir, 'sock-ro'),
  };
  const daemon = new Daemon(config, new Logger(LogLevel.WARNING, (line) => step(`xvirtd: ${line.trimEnd()}`)));
  await daemon.start();
  try {
    const conn = await connect(`xen+unix:///system?socket=${config.unixSockRwPath}`);
    try {
      const stream = await (await conn.lookupDomainByName(NAME)).openConsole();
      const out = collector(stream);
      stream.write('echo wire-$((6*7))\n');
      await out.until(/wire-42/);
      await assert.rejects(
        local.openConsole(),
        (e: unknown) => e instanceof XvirtError && e.number === ErrorNumber.OPERATION_FAILED,
        'a local open is refused while the wire session is open',
      );
      stream.destroy();
      const again = await waitFor(
        () => 'the console to be free after the wire client aborted',
        () => local.openConsole().catch(() => undefined),
      );
      again.destroy();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await conn.close();
    }
  } finally {
    await daemon.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `xvirt console` (the CLI) on the real guest, its stdin a pipe (dom0 has no
 * tool to give it a terminal; the pty case is tested on the host): virsh's
 * two lines, a typed command answers, Ctrl+] leaves with status 0.
 */
async function consoleCli(): Promise<void> {
  const child = spawn(process.execPath, [BIN, '-c', 'xen:///system', 'console', NAME], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = collector(child.stdout);
  const err = collector(child.stderr);
  let status: number | null | undefined;
  child.once('exit', (code, signal) => (status = code ?? (signal ? -1 : null)));
  try {
    await out.until(/^Connected to domain 'lg1'\nEscape character is \^\] \(Ctrl \+ \]\)\n/);
    child.stdin.write('echo cli-$((6*7))\n');
    await out.until(/cli-42/);
    child.stdin.write(Buffer.from([0x1d]));
    await waitFor(
      () => `xvirt console to exit after Ctrl+] (stderr: ${JSON.stringify(err.text)})`,
      () => (status === undefined ? undefined : status),
    );
    assert.equal(status, 0, `xvirt console's exit status (stderr: ${JSON.stringify(err.text)})`);
    assert.equal(err.text, '');
  } finally {
    if (status === undefined) child.kill('SIGKILL');
  }
}

function seen(ctx: Ctx, event: E, detail?: number, since = 0): Promise<LifecycleEvent> {
  return waitFor(
    () =>
      `${E[event]}${detail === undefined ? '' : `/${detail}`} of ${NAME} (events: ${ctx.events
        .map((e) => `${e.domain.name}:${E[e.event]}/${e.detail}`)
        .join(' ')})`,
    () =>
      ctx.events
        .slice(since)
        .find((e) => e.domain.name === NAME && e.event === event && (detail === undefined || e.detail === detail)),
  );
}

async function setup(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Ctx & { disk: string }> {
  const dir = fs.mkdtempSync(path.join(labTmp, 'guest-'));
  const disk = path.join(dir, 'xvda.img');
  fs.writeFileSync(disk, Buffer.alloc(0));
  fs.truncateSync(disk, 8 << 20);
  const conn = await connect('xen:///system');
  const events: LifecycleEvent[] = [];
  const off = await conn.onLifecycle((e) => events.push(e));
  t.after(async () => {
    await off();
    spawnSync('xl', ['destroy', NAME]);
    await conn
      .lookupDomainByName(NAME)
      .then((d) => d.undefine())
      .catch(() => undefined);
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { conn, events, disk };
}

labTest(
  'a Linux guest boots from XML with its disk and NIC, shuts down, starts again, reboots, is destroyed',
  180,
  async (t) => {
    const ctx = await setup(t);
    step('define');
    const dom: Domain = await ctx.conn.defineXML(guestXml({ disk: ctx.disk }));
    await seen(ctx, E.DEFINED);
    assert.equal(xlList().has(NAME), false, 'defined, not running');

    step('start');
    let con = consoleMark();
    await dom.create();
    await seen(ctx, E.STARTED);
    assert.match(xlList().get(NAME)?.state ?? 'missing', /^[rb-]{6}$/, 'xl lists it running or blocked');
    await lineAfter(con, /GUEST-BANNER lg1 kernel=\S+/);
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=1');
    assert.equal(await lineAfter(con, /GUEST-NET \S+/), `GUEST-NET ${IP}`);
    await lineAfter(con, /GUEST-READY/);
    assert.equal(headOf(ctx.disk, 18).toString(), 'XVIRT-DISK boots=1', 'the write reached the file');
    step('console');
    await consoleChecks(dom);
    step('console through xvirtd');
    await consoleOverWire(dom);
    step('xvirt console');
    await consoleCli();
    step('ping');
    const ping = spawnSync('ping', ['-c', '1', '-W', '5', IP], { encoding: 'utf8', timeout: labBudget(30) });
    assert.equal(ping.status, 0, `dom0 cannot ping the guest: ${ping.stdout}${ping.stderr}`);
    step('tcp echo');
    assert.equal(await echo('hello over xenbr0\n'), 'hello over xenbr0\n');

    // Graceful: the guest's own poweroff (busybox init runs rc.shutdown), then xl's monitor destroys it.
    step('shutdown');
    let mark = ctx.events.length;
    con = consoleMark();
    await dom.shutdown();
    await lineAfter(con, /GUEST-SHUTDOWN/);
    await seen(ctx, E.STOPPED, 0 /* SHUTDOWN */, mark);
    await waitFor(
      () => `${NAME} gone from xl list`,
      () => (xlList().has(NAME) ? undefined : true),
    );
    assert.equal((await dom.getState()).state, DomainState.SHUTOFF);

    step('start again');
    // The disk write survives: the second boot reads the first one's counter.
    con = consoleMark();
    await dom.create();
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=2');
    await lineAfter(con, /GUEST-READY/);
    const firstId = xlList().get(NAME)!.id;

    step('reboot');
    mark = ctx.events.length;
    con = consoleMark();
    await dom.reboot();
    await lineAfter(con, /GUEST-SHUTDOWN/);
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=3', 'it came back and booted again');
    const again = await waitFor(
      () => `${NAME} under a new id`,
      () => {
        const row = xlList().get(NAME);
        return row && row.id !== firstId ? row : undefined;
      },
    );
    await waitFor(
      () => `STARTED of ${NAME} as domain ${again.id}`,
      () =>
        ctx.events.slice(mark).find((e) => e.domain.name === NAME && e.event === E.STARTED && e.domain.id === again.id),
    );
    assert.ok(alive((await dom.getState()).state), 'running again');

    step('destroy');
    mark = ctx.events.length;
    await dom.destroy();
    await seen(ctx, E.STOPPED, 1 /* DESTROYED */, mark);
    assert.equal(xlList().has(NAME), false);
    await assert.rejects(
      dom.openConsole(),
      (e: unknown) => e instanceof XvirtError && e.number === ErrorNumber.OPERATION_INVALID,
      'no console on a stopped domain',
    );
    step('undefine');
    await dom.undefine();
    await seen(ctx, E.UNDEFINED);
    await assert.rejects(
      ctx.conn.lookupDomainByName(NAME),
      (e: unknown) => e instanceof XvirtError && e.number === ErrorNumber.NO_DOMAIN,
    );
  },
);

labTest(
  'a guest whose disk is a pool volume and whose NIC is on a virtual network boots and answers',
  150,
  async (t) => {
    const ctx = await setup(t);
    step('pool and network');
    const poolDir = path.join(path.dirname(ctx.disk), 'pool');
    const pool = await ctx.conn.defineStoragePoolXML(
      `<pool type='dir'><name>labpool</name><target><path>${poolDir}</path></target></pool>`,
    );
    await pool.build();
    await pool.create();
    const vol = await pool.createVolumeXML(
      "<volume><name>lg1.img</name><capacity unit='MiB'>8</capacity>" +
        "<target><format type='raw'/></target></volume>",
    );
    const lan = await ctx.conn.defineNetworkXML(
      "<network><name>lan</name><forward mode='bridge'/><bridge name='xenbr0'/></network>",
    );
    await lan.create();
    t.after(async () => {
      await lan.destroy().catch(() => undefined);
      await lan.undefine().catch(() => undefined);
      await vol.delete().catch(() => undefined);
      await pool.destroy().catch(() => undefined);
      await pool.undefine().catch(() => undefined);
    });
    const dom = await ctx.conn.defineXML(
      guestXml({
        disk: '',
        sources:
          "<disk type='volume' device='disk'><driver name='phy' type='raw'/><source pool='labpool' volume='lg1.img'/>" +
          "<target dev='xvda' bus='xen'/></disk>" +
          "<interface type='network'><mac address='00:16:3e:77:00:02'/><source network='lan'/></interface>",
      }),
    );
    step('start from the volume, on the network');
    const con = consoleMark();
    await dom.create();
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=1');
    await lineAfter(con, /GUEST-READY/);
    assert.equal(headOf(await vol.getPath(), 18).toString(), 'XVIRT-DISK boots=1', 'the write reached the volume');
    assert.equal(await echo('hello over the lan network\n'), 'hello over the lan network\n');
    const id = xlList().get(NAME)!.id;
    assert.ok(
      fs.existsSync(`/sys/class/net/xenbr0/brif/vif${id}.0`),
      `vif${id}.0 is a port of the network's bridge xenbr0`,
    );
    step('destroy');
    await dom.destroy();
    await dom.undefine();
  },
);

labTest('bad input: a disk file that does not exist, a bridge that does not exist, a qcow2 disk', 120, async (t) => {
  const ctx = await setup(t);
  const missing = path.join(path.dirname(ctx.disk), 'no-such.img');
  for (const [what, xml, detail] of [
    [
      'a missing disk',
      guestXml({ disk: missing }),
      /^Cannot access storage file '.*no-such\.img': No such file or directory$/,
    ],
    [
      'a missing bridge',
      guestXml({ disk: ctx.disk, bridge: 'nobr0' }),
      /^Cannot attach interface 00:16:3e:77:00:02 to bridge 'nobr0': No such device$/,
    ],
    [
      'a qcow2 disk (no qdisk backend in the lab)',
      guestXml({ disk: ctx.disk }).replace("name='phy' type='raw'", "type='qcow2'"),
      /^unsupported configuration: disk xvda: qcow2 images need QEMU's qdisk backend/,
    ],
  ] as const) {
    const dom = await ctx.conn.defineXML(xml);
    await assert.rejects(dom.create(), (e: unknown) => {
      assert.ok(e instanceof XvirtError, `${what}: ${String(e)}`);
      assert.equal(
        e.number,
        what.startsWith('a qcow2') ? ErrorNumber.CONFIG_UNSUPPORTED : ErrorNumber.SYSTEM_ERROR,
        `${what}: ${e.message}`,
      );
      assert.match(e.message, detail, what);
      return true;
    });
    assert.equal(xlList().has(NAME), false, `${what}: nothing left running`);
    assert.equal((await dom.getState()).state, DomainState.SHUTOFF, `${what}: the definition is still there`);
    assert.match(await dom.getXMLDesc(), /<name>lg1<\/name>/);
  }
});

labTest(
  'save, restore and managed save through xvirt; bad save targets and images refused, the guest unharmed',
  240,
  async (t) => {
    const ctx = await setup(t);
    const dir = path.dirname(ctx.disk);
    const dom = await ctx.conn.defineXML(guestXml({ disk: ctx.disk }));
    step('start for save/restore');
    const con = consoleMark();
    await dom.create();
    await lineAfter(con, /GUEST-READY/);
    const running = () => assert.match(xlList().get(NAME)?.state ?? 'missing', /^[rb-]{6}$/, 'the guest still runs');

    step('bad save targets');
    await assert.rejects(
      dom.save(path.join(dir, 'no-such-dir', 'lg1.save')),
      (e: unknown) =>
        e instanceof XvirtError &&
        e.number === ErrorNumber.SYSTEM_ERROR &&
        /no-such-dir.*No such file or directory/.test(e.message),
    );
    await assert.rejects(
      dom.save('relative.save'),
      (e: unknown) => e instanceof XvirtError && e.number === ErrorNumber.INVALID_ARG,
    );
    running();

    step('save');
    const image = path.join(dir, 'lg1.save');
    let mark = ctx.events.length;
    await dom.save(image);
    assert.equal(xlList().has(NAME), false, 'saved: gone from xl list');
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.SAVED, mark);
    assert.deepEqual(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED });

    step('corrupt and truncated images');
    const corrupt = path.join(dir, 'corrupt.save');
    fs.writeFileSync(corrupt, Buffer.alloc(4096, 0x5a));
    const truncated = path.join(dir, 'truncated.save');
    fs.writeFileSync(truncated, headOf(image, 256 * 1024));
    for (const bad of [corrupt, truncated, path.join(dir, 'missing.save')]) {
      await assert.rejects(ctx.conn.restore(bad), (e: unknown) => {
        assert.ok(e instanceof XvirtError, String(e));
        assert.ok([ErrorNumber.OPERATION_FAILED, ErrorNumber.SYSTEM_ERROR].includes(e.number), `${bad}: ${e.message}`);
        assert.ok(e.message.includes(bad), `the error names the file: ${e.message}`);
        return true;
      });
      assert.equal(xlList().has(NAME), false, `nothing left running after restoring ${bad}`);
    }

    step('restore');
    mark = ctx.events.length;
    const restored = await ctx.conn.restore(image);
    assert.equal(restored.uuid, UUID);
    assert.equal(xlList().get(NAME)?.id, restored.id, 'xl lists the restored domain');
    await seen(ctx, E.STARTED, DomainEventStartedDetail.RESTORED, mark);
    const st = await restored.getState();
    assert.ok(alive(st.state), `state ${st.state}`);
    assert.equal(st.reason, DomainRunningReason.RESTORED);
    assert.equal(await echo('after restore\n'), 'after restore\n', 'the restored guest answers on its NIC');
    assert.equal(countAfter(con, /GUEST-DISK /), 1, 'resumed, not booted again');
    fs.rmSync(image); // dom0's memory holds the scratch tmpfs: one guest-sized image at a time

    step('managed save');
    const managed = await ctx.conn.lookupDomainByName(NAME);
    mark = ctx.events.length;
    await managed.managedSave();
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.SAVED, mark);
    assert.equal(await managed.hasManagedSaveImage(), true);
    assert.equal(xlList().has(NAME), false);
    await assert.rejects(
      managed.undefine(),
      (e: unknown) => e instanceof XvirtError && e.number === ErrorNumber.OPERATION_INVALID,
      'undefine refuses while a managed save image exists',
    );
    step('start from managed save');
    mark = ctx.events.length;
    await managed.create();
    await seen(ctx, E.STARTED, DomainEventStartedDetail.RESTORED, mark);
    assert.equal(await managed.hasManagedSaveImage(), false, 'the image served its one start');
    assert.equal(await echo('after managed save\n'), 'after managed save\n');
    assert.equal(countAfter(con, /GUEST-DISK /), 1, 'resumed, not booted again');

    step('xvirt save, restore');
    const cliImage = path.join(dir, 'cli.save');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, '-c', 'xen:///system', ...args], { encoding: 'utf8', timeout: labBudget(60) });
    const saved = cli('save', NAME, cliImage);
    assert.deepEqual(
      [saved.status, saved.stdout, saved.stderr],
      [0, `\nDomain '${NAME}' saved to ${cliImage}\n\n`, ''],
    );
    assert.equal(xlList().has(NAME), false);
    const back = cli('restore', cliImage);
    assert.deepEqual([back.status, back.stdout, back.stderr], [0, `Domain restored from ${cliImage}\n\n`, '']);
    assert.match(xlList().get(NAME)?.state ?? 'missing', /^[rb-]{6}$/);
    fs.rmSync(cliImage);
    const bad = cli('restore', corrupt);
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /^error: Failed to restore domain from .*corrupt\.save: operation failed: .*corrupt\.save' is not a usable domain save image/,
    );

    step('destroy and undefine');
    await managed.destroy();
    await managed.undefine();
  },
);
