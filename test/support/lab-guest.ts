/**
 * The lab's Linux PV guest (dom0's kernel + the lab's busybox initramfs,
 * scripts/lab/linuxpv; docs/xen-lab.md) for the tests in test/lab/linux-guest/:
 * its domain XML, its console log and TCP echo, xl list, the lifecycle events
 * a test collects, and an in-process xvirtd serving xen:///system.
 * Importing it points the Xen driver's state and the storage pools at the
 * lab's scratch directory.
 */
import { execFileSync, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { connect, type Connection, type LifecycleEvent } from '../../lib/connection';
import { DomainEventType as E, DomainState } from '../../lib/constants';
import { defaultConfig } from '../../lib/daemon/config';
import { Daemon } from '../../lib/daemon/daemon';
import { Logger, LogLevel } from '../../lib/daemon/log';
import { labBudget } from './lab';

export const labTmp = process.env.XVIRT_LAB_TMP ?? '/tmp/xvirt-lab';
export const BIN = path.resolve(__dirname, '..', '..', 'bin', 'xvirt.js');
process.env.XVIRT_XEN_STATE_DIR = fs.mkdtempSync(path.join(labTmp, 'guest-state-'));
// Storage pools of this file live under the lab's scratch directory.
process.env.XVIRT_STORAGE_ROOTS = labTmp;
export const NAME = 'lg1';
export const UUID = '7a7a7a7a-0000-4000-8000-000000000001';
export const IP = '10.77.0.2';
const consoleLog = (name: string) => `/var/log/xen/guest-${name}.log`;
/** Progress on stderr, live (node --test shows a file's results only when it ends; a crash would hide them). */
export const step = (what: string) =>
  process.stderr.write(`# ${path.basename(process.argv[1] ?? 'linux-guest')}: ${what}\n`);

export function guestXml(o: { disk: string; bridge?: string; name?: string; uuid?: string; sources?: string }): string {
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
export const alive = (s: DomainState) => [DomainState.RUNNING, DomainState.BLOCKED, DomainState.NOSTATE].includes(s);

/** xl list as name -> { id, state }. */
export function xlList(): Map<string, { id: number; state: string }> {
  const rows = execFileSync('xl', ['list'], { encoding: 'utf8' }).trim().split('\n').slice(1);
  return new Map(rows.map((l) => l.trim().split(/\s+/)).map((r) => [r[0]!, { id: Number(r[1]), state: r[4]! }]));
}

export async function waitFor<T>(
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
export function consoleLines(name = NAME): string[] {
  try {
    return fs.readFileSync(consoleLog(name), 'latin1').split(/\r?\n/);
  } catch {
    return [];
  }
}

/** Where the console log ends now (its last, maybe partial, line): lines from here on are new. */
export function consoleMark(): number {
  return Math.max(0, consoleLines().length - 1);
}

/** Waits for a console line from `from` on that contains `re` (shell prompts may precede it); returns the match. */
export function lineAfter(from: number, re: RegExp): Promise<string> {
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
export const countAfter = (from: number, re: RegExp) =>
  consoleLines()
    .slice(from)
    .filter((l) => re.test(l)).length;

/**
 * One TCP exchange with the guest's echo service on port 7. A guest just
 * started or resumed reconnects its NIC to a new vif on its own time, so a
 * failed connection is tried again until the budget is spent.
 */
export async function echo(message: string): Promise<string> {
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

export function echoOnce(message: string): Promise<string> {
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
export function headOf(file: string, bytes: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, fs.readSync(fd, buf, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
}

export interface Ctx {
  conn: Connection;
  events: LifecycleEvent[];
}

/** Collects a stream's output; `until` waits for a pattern in it. */
export function collector(stream: NodeJS.ReadableStream) {
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

export function seen(ctx: Ctx, event: E, detail?: number, since = 0): Promise<LifecycleEvent> {
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

export async function setup(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Ctx & { disk: string }> {
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

/** An xvirtd in this process serving xen:///system on a unix socket in the scratch dir; `uri` reaches it. */
export async function startXvirtd(): Promise<{ uri: string; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(labTmp, 'xvirtd-'));
  const config = {
    ...defaultConfig(),
    unixSockRwPath: path.join(dir, 'sock'),
    unixSockRoPath: path.join(dir, 'sock-ro'),
  };
  const daemon = new Daemon(config, new Logger(LogLevel.WARNING, (line) => step(`xvirtd: ${line.trimEnd()}`)));
  await daemon.start();
  return {
    uri: `xen+unix:///system?socket=${config.unixSockRwPath}`,
    stop: async () => {
      await daemon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An interactive console client run as a child (`xvirt console`, `virsh
 * console` on a pty): once `ready` is in its output, types a command whose
 * answer is `<tag>-42`, then Ctrl+] (the escape), and fails unless it then
 * exits with status 0. Killed if it is still there. Returns its stderr.
 */
export async function consoleClientSession(
  what: string,
  child: ChildProcessWithoutNullStreams,
  ready: RegExp,
  tag: string,
): Promise<string> {
  const out = collector(child.stdout);
  const err = collector(child.stderr);
  let status: number | null | undefined;
  child.once('exit', (code, signal) => (status = code ?? (signal ? -1 : null)));
  const seen = () => `(output: ${JSON.stringify(out.text.slice(-300))}, stderr: ${JSON.stringify(err.text)})`;
  try {
    await out.until(ready);
    child.stdin.write(`echo ${tag}-$((6*7))\n`);
    await out.until(new RegExp(`${tag}-42`));
    child.stdin.write(Buffer.from([0x1d]));
    await waitFor(
      () => `${what} to exit after Ctrl+] ${seen()}`,
      () => status,
    );
    assert.equal(status, 0, `${what}'s exit status ${seen()}`);
    return err.text;
  } finally {
    if (status === undefined) child.kill('SIGKILL');
  }
}
