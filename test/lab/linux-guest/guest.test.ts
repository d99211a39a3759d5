// A real Linux PV guest (test/support/lab-guest.ts) with a file-backed disk
// and a NIC on xenbr0, driven through xvirt only (in-process API on
// xen:///system, xvirtd, the CLI); xl list is checked at each step, and every
// step's lifecycle event must arrive.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, type Domain } from '../../../lib/connection';
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
import {
  alive,
  BIN,
  collector,
  consoleClientSession,
  consoleMark,
  countAfter,
  echo,
  guestXml,
  headOf,
  IP,
  lineAfter,
  NAME,
  seen,
  setup,
  startXvirtd,
  step,
  UUID,
  waitFor,
  xlList,
} from '../../support/lab-guest';

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
  const xvirtd = await startXvirtd();
  try {
    const conn = await connect(xvirtd.uri);
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
    await xvirtd.stop();
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
  const ready = /^Connected to domain 'lg1'\nEscape character is \^\] \(Ctrl \+ \]\)\n/;
  assert.equal(await consoleClientSession('xvirt console', child, ready, 'cli'), '', 'nothing on stderr');
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
    await ctx.conn.restore(image);
    const restored = await ctx.conn.lookupDomainByName(NAME);
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
