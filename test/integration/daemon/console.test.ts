/**
 * Consoles through xvirtd: real virsh 9.0 (`virsh console`, on a pty) and
 * xvirt's remote client against an in-process xvirtd serving a Xen driver
 * over the fake hypervisor, whose guest g1's console is a real pty owned by
 * a fake xenconsoled. Bytes flow both ways; Ctrl+] ends virsh's session; the
 * one-session rule, --force and a client vanishing mid-stream behave as on libvirt.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { connect, type Connection } from '../../../lib';
import { DomainConsoleFlags } from '../../../lib/constants';
import { ErrorNumber, type XvirtError } from '../../../lib/errors';
import { BIN } from '../../support/cli';
import { ESCAPE, fakeXenconsoled, runInPty, serveFakeXen, virshConsole } from '../../support/console';
import { startLibvirtd } from '../../support/libvirtd';
import { RemoteProcedure } from '../../../lib/rpc/procedures';
import { RawClient, startDaemonInProcess } from '../../support/xvirtd';
import { domainXml } from '../../support/xen';

async function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const guest = await fakeXenconsoled(t);
  await serveFakeXen(t, dir, guest.tty);
  const d = await startDaemonInProcess(t);
  const uri = `xen+unix:///system?socket=${d.rwSocket}`;
  return { guest, uri, daemon: d.daemon };
}

async function open(t: Test, uri: string): Promise<Connection> {
  const conn = await connect(uri);
  t.teardown(() => conn.close());
  return conn;
}

/** Reads `stream` until `text` has come (fails after 60 s with what came). */
function readUntil(stream: NodeJS.ReadableStream, text: string): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`console: no ${JSON.stringify(text)} in ${JSON.stringify(seen)}`)),
      60_000,
    );
    const onData = (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
  });
}

t.test('virsh console through xvirtd: both directions, Ctrl+] ends it and frees the console', async (t) => {
  const { guest, uri } = await setup(t);
  const virsh = virshConsole(uri, 'g1');
  await virsh.waitFor('Escape character is ^] (Ctrl + ])');
  guest.write('GUEST-BANNER login: ');
  await virsh.waitFor('GUEST-BANNER login: ');
  virsh.write('typed-by-user\r');
  await guest.waitFor('typed-by-user\r');
  virsh.write(ESCAPE);
  const r = await virsh.done;
  t.equal(r.code, 0, `virsh exits 0 after Ctrl+] (${r.stderr})`);
  t.match(virsh.output(), /Connected to domain 'g1'/);
  t.notMatch(guest.output(), /\x1d/, 'the escape byte never reaches the guest');
  // The console is free again: a plain open (no force) succeeds.
  const conn = await open(t, uri);
  const dom = await conn.lookupDomainByName('g1');
  const again = await dom.openConsole();
  guest.write('second-session');
  await readUntil(again, 'second-session');
  again.destroy();
});

t.test('one session per console: a second open fails like libvirt, --force takes it over', async (t) => {
  const { guest, uri } = await setup(t);
  const conn = await open(t, uri);
  const first = await (await conn.lookupDomainByName('g1')).openConsole();
  const firstEnded = new Promise<void>((r) => first.once('close', () => r()));
  first.on('error', () => undefined);
  first.resume();
  const refused = virshConsole(uri, 'g1');
  const r = await refused.done;
  t.equal(r.code, 1, 'virsh console without --force fails');
  t.match(refused.output(), /error: operation failed: Active console session exists for this domain/);
  await t.rejects(
    (await conn.lookupDomainByName('g1')).openConsole(null, 0),
    {
      number: ErrorNumber.OPERATION_FAILED,
      message: 'operation failed: Active console session exists for this domain',
    },
    "and so does xvirt's remote client",
  );
  const forced = virshConsole(uri, 'g1', '--force');
  await forced.waitFor('Escape character');
  await firstEnded;
  t.pass('--force ended the first session');
  guest.write('after-force');
  await forced.waitFor('after-force');
  forced.write(ESCAPE);
  t.equal((await forced.done).code, 0);
});

t.test('a client that vanishes mid-stream frees the console', async (t) => {
  const { guest, uri } = await setup(t);
  const virsh = virshConsole(uri, 'g1');
  await virsh.waitFor('Escape character');
  guest.write('mid-stream');
  await virsh.waitFor('mid-stream');
  // SIGKILL virsh itself (the pty runner's child): no finish, no abort, just a closed socket.
  const py = virsh.child.pid!;
  const children = readFileSync(`/proc/${py}/task/${py}/children`, 'utf8').trim().split(/\s+/).map(Number);
  t.equal(children.length, 1, 'virsh runs under the pty runner');
  process.kill(children[0]!, 'SIGKILL');
  await virsh.done;
  const conn = await open(t, uri);
  const dom = await conn.lookupDomainByName('g1');
  // The daemon notices the hangup on its own schedule: retry a plain open until it has.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const s = await dom.openConsole(null, 0);
      s.destroy();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  t.pass('a plain open succeeds once the daemon saw the client go');
});

t.test("xvirt's remote client streams a console: write, read, finish", async (t) => {
  const { guest, uri, daemon } = await setup(t);
  const conn = await open(t, uri);
  const dom = await conn.lookupDomainByName('g1');
  const stream = await dom.openConsole(null, DomainConsoleFlags.SAFE);
  const big = 'x'.repeat(300_000); // more than one 262120-byte stream message
  stream.write(`echo ${big}\r`);
  await guest.waitFor(`echo ${big}\r`);
  guest.write('answer\r\n');
  await readUntil(stream, 'answer\r\n');
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  t.pass("end() is libvirt's finish, answered OK");
  t.equal(daemon.stats().streams, 0, 'the daemon holds no stream');
  await t.rejects(dom.openConsole('serial7', 0), { message: /cannot find character device serial7/ });
  const stopped = await conn.defineXML(domainXml('g9', '11111111-2222-3333-4444-555555555509'));
  await t.rejects(
    stopped.openConsole(),
    { number: ErrorNumber.OPERATION_INVALID, message: /domain is not running/ },
    'a stopped domain has no console',
  );
  t.equal(daemon.stats().streams, 0, 'failed opens leave no stream behind');
});

t.test('xvirt console (the CLI, on a terminal) through xvirtd: both directions, Ctrl+] leaves', async (t) => {
  const { guest, uri } = await setup(t);
  const cli = runInPty([process.execPath, BIN, '-c', uri, 'console', 'g1']);
  await cli.waitFor('Escape character is ^] (Ctrl + ])');
  guest.write('banner-for-xvirt');
  await cli.waitFor('banner-for-xvirt');
  cli.write('typed-in-xvirt\r');
  await guest.waitFor('typed-in-xvirt\r');
  cli.write(ESCAPE);
  const r = await cli.done;
  t.equal(r.code, 0, `xvirt console exits 0 after Ctrl+] (${r.stderr})`);
  t.notMatch(guest.output(), /\x1d/, 'the escape byte never reaches the guest');
});

t.test('test:///default has no console: xvirtd answers as libvirtd 9.0 does', async (t) => {
  const lvd = await startLibvirtd(t);
  const d = await startDaemonInProcess(t);
  const xvirtdUri = `test+unix:///default?socket=${d.rwSocket}`;
  const [theirs, ours] = await Promise.all([
    virshConsole(lvd.unixUri(), 'test').done,
    virshConsole(xvirtdUri, 'test').done,
  ]);
  const errorLine = (out: string) => out.split(/\r?\n/).find((l) => l.startsWith('error:'));
  t.equal(
    errorLine(theirs.stdout),
    'error: this function is not supported by the connection driver: virDomainOpenConsole',
    'libvirtd: NO_SUPPORT',
  );
  t.equal(errorLine(ours.stdout), errorLine(theirs.stdout), 'xvirtd: the same words');
  t.equal(ours.code, theirs.code);
  // xvirt's remote client gets the same error from either daemon.
  const fromEach = await Promise.all(
    [lvd.unixUri(), xvirtdUri].map(async (uri) => {
      const conn = await open(t, uri);
      const err = await (await conn.lookupDomainByName('test')).openConsole().then(
        () => null,
        (e: XvirtError) => e,
      );
      return err && { number: err.number, message: err.message };
    }),
  );
  t.same(fromEach[0], {
    number: ErrorNumber.NO_SUPPORT,
    message: 'this function is not supported by the connection driver: virDomainOpenConsole',
  });
  t.same(fromEach[1], fromEach[0]);
  // A read-only client is refused before any driver runs, by both daemons alike.
  const roAnswers = await Promise.all(
    [lvd.socketRo, d.roSocket].map(async (socket) => {
      const raw = await RawClient.opened(socket, 'test:///default');
      t.teardown(() => raw.close());
      const { dom } = await raw.call(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, { name: 'test' });
      const err = await raw.callError(RemoteProcedure.DOMAIN_OPEN_CONSOLE, { dom, dev_name: null, flags: 0 });
      return { code: err.code, message: err.message };
    }),
  );
  t.same(
    roAnswers[0],
    {
      code: ErrorNumber.OPERATION_DENIED,
      message: 'operation forbidden: read only access prevents virDomainOpenConsole',
    },
    'libvirtd, read-only socket',
  );
  t.same(roAnswers[1], roAnswers[0], 'xvirtd, read-only socket');
});
