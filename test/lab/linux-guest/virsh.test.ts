// The lab's Linux guest driven by the real virsh (libvirt's client, copied
// into dom0 by scripts/lab/base.sh) through an xvirtd serving xen:///system:
// define, start, console (on a pty: run-in-pty), shutdown, start, save,
// restore, destroy, undefine. xl list and the lifecycle events on a listener
// are checked at each step, as in guest.test.ts.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DomainEventDefinedDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventType as E,
  DomainEventUndefinedDetail,
} from '../../../lib/constants';
import { labBudget, labTest } from '../../support/lab';
import {
  consoleClientSession,
  consoleMark,
  countAfter,
  echo,
  guestXml,
  lineAfter,
  NAME,
  seen,
  setup,
  startXvirtd,
  step,
  waitFor,
  xlList,
} from '../../support/lab-guest';

/** Where a program is on PATH; a missing one fails the test loudly (the lab's base image must carry it). */
function need(program: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  assert.ok(
    r.status === 0 && r.stdout.trim() !== '',
    `${program} is missing in dom0 (scripts/lab/base.sh copies it in)`,
  );
  return r.stdout.trim();
}

const virshEnv = () => ({ ...process.env, LC_ALL: 'C', LIBVIRT_DEFAULT_URI: undefined });

/** `virsh -c URI console lg1` on a pty: virsh's lines, a typed command answers, Ctrl+] ends it with 0. */
async function virshConsole(uri: string): Promise<void> {
  const child = spawn(need('run-in-pty'), [need('virsh'), '-c', uri, 'console', NAME], {
    env: virshEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await consoleClientSession('virsh console', child, /Escape character is \^\]/, 'virsh');
}

labTest(
  'virsh through xvirtd: define, start, console, shutdown, start, save, restore, managedsave, destroy',
  300,
  async (t) => {
    const ctx = await setup(t);
    const dir = path.dirname(ctx.disk);
    const xvirtd = await startXvirtd();
    t.after(() => xvirtd.stop());
    // Asynchronous: xvirtd answers virsh from this very process's event loop.
    const virshStatus = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(
          need('virsh'),
          ['-c', xvirtd.uri, ...args],
          { encoding: 'utf8', env: virshEnv(), timeout: labBudget(90) },
          (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: stdout + stderr }),
        );
      });
    const virsh = async (...args: string[]): Promise<string> => {
      const r = await virshStatus(...args);
      assert.equal(r.code, 0, `virsh ${args.join(' ')}: ${r.out}`);
      return r.out;
    };
    const xml = path.join(dir, 'lg1.xml');
    fs.writeFileSync(xml, guestXml({ disk: ctx.disk }));

    step('virsh define, start');
    let mark = ctx.events.length;
    assert.match(await virsh('define', xml), /Domain '?lg1'? defined from /);
    // The listener is another connection than virsh's, in this process: xvirt's Xen drivers share one host
    // state per process, so DEFINED (raised by no scan) reaches it too.
    await seen(ctx, E.DEFINED, DomainEventDefinedDetail.ADDED, mark);
    assert.equal((await virsh('domstate', NAME)).trim(), 'shut off', 'defined, not running');
    let con = consoleMark();
    mark = ctx.events.length;
    assert.match(await virsh('start', NAME), /Domain '?lg1'? started/);
    await seen(ctx, E.STARTED, DomainEventStartedDetail.BOOTED, mark);
    assert.ok(xlList().has(NAME), 'xl lists the started guest');
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=1');
    await lineAfter(con, /GUEST-READY/);

    step('virsh console');
    await virshConsole(xvirtd.uri);

    step('virsh shutdown');
    mark = ctx.events.length;
    con = consoleMark();
    assert.match(await virsh('shutdown', NAME), /Domain '?lg1'? is being shutdown/);
    await lineAfter(con, /GUEST-SHUTDOWN/);
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.SHUTDOWN, mark);
    await waitFor(
      () => `${NAME} gone from xl list`,
      () => (xlList().has(NAME) ? undefined : true),
    );
    assert.equal((await virsh('domstate', NAME)).trim(), 'shut off');

    step('virsh start again: the disk write survived');
    con = consoleMark();
    await virsh('start', NAME);
    assert.equal(await lineAfter(con, /GUEST-DISK \S+/), 'GUEST-DISK boots=2');
    await lineAfter(con, /GUEST-READY/);

    step('virsh save');
    const image = path.join(dir, 'virsh.save');
    mark = ctx.events.length;
    assert.match(await virsh('save', NAME, image), /Domain '?lg1'? saved to /);
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.SAVED, mark);
    assert.equal(xlList().has(NAME), false, 'saved: gone from xl list');
    assert.equal((await virsh('domstate', NAME)).trim(), 'shut off');

    step('virsh restore');
    mark = ctx.events.length;
    assert.match(await virsh('restore', image), /Domain restored from /);
    // The RESTORED detail, which only the restoring connection knows, reaches the listener too.
    await seen(ctx, E.STARTED, DomainEventStartedDetail.RESTORED, mark);
    assert.ok(xlList().has(NAME), 'xl lists the restored guest');
    fs.rmSync(image); // one guest-sized image at a time in dom0's memory
    assert.equal(await echo('after virsh restore\n'), 'after virsh restore\n');
    assert.equal(countAfter(con, /GUEST-DISK /), 1, 'resumed, not booted again');

    step('virsh managedsave, start from it');
    mark = ctx.events.length;
    assert.match(await virsh('managedsave', NAME), /Domain '?lg1'? state saved by libvirt/);
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.SAVED, mark);
    assert.equal(xlList().has(NAME), false, 'managed-saved: gone from xl list');
    mark = ctx.events.length;
    await virsh('start', NAME);
    await seen(ctx, E.STARTED, DomainEventStartedDetail.RESTORED, mark);
    assert.equal(await echo('after virsh managedsave\n'), 'after virsh managedsave\n');
    assert.equal(countAfter(con, /GUEST-DISK /), 1, 'resumed from the managed save, not booted again');

    step('virsh destroy, undefine');
    mark = ctx.events.length;
    assert.match(await virsh('destroy', NAME), /Domain '?lg1'? destroyed/);
    await seen(ctx, E.STOPPED, DomainEventStoppedDetail.DESTROYED, mark);
    assert.equal(xlList().has(NAME), false);
    mark = ctx.events.length;
    assert.match(await virsh('undefine', NAME), /Domain '?lg1'? has been undefined/);
    await seen(ctx, E.UNDEFINED, DomainEventUndefinedDetail.REMOVED, mark);
    const gone = await virshStatus('domstate', NAME);
    assert.notEqual(gone.code, 0, 'undefined: virsh finds no domain');
    assert.match(gone.out, /failed to get domain 'lg1'/);
  },
);
