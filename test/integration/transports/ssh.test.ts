/**
 * The ssh transport end to end: a private sshd on loopback, xvirtd behind
 * it, xvirt-ssh-helper on the far side (found on the session PATH, as
 * `xvirt-ssh-helper` and as `virt-ssh-helper`), driven by xvirt's client and
 * by the real virsh (auto mode and netcat mode), plus argv construction.
 */
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from '../../../lib/connection';
import { ErrorNumber } from '../../../lib/errors';
import { parseUri } from '../../../lib/uri';
import { helperUri, remoteCommand, sshArgs } from '../../../lib/transports/ssh';
import { defaultSocket, parseHelperArgs, runHelper } from '../../../lib/ssh-helper/helper';
import { findNetcat, runNetcat } from '../../../lib/ssh-helper/netcat';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { startSshd, type Sshd } from '../../support/sshd';
import { REPO, startXvirtd, type XvirtdInstance } from '../../support/xvirtd';
import { virsh } from '../../support/virsh';

const HELPER = join(REPO, 'bin', 'xvirt-ssh-helper.js');

t.test('ssh argv and far-side command follow libvirt', async (t) => {
  const uri = parseUri('test+ssh://alice@example.org:2222/default?keyfile=/k&no_tty=1&no_verify=1&known_hosts=/kh');
  const args = sshArgs(uri, false);
  t.same(args.slice(0, -1), [
    '-p',
    '2222',
    '-l',
    'alice',
    '-i',
    '/k',
    '-T',
    '-e',
    'none',
    '-x',
    '-a',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/kh',
    '--',
    'example.org',
  ]);
  t.match(
    args.at(-1),
    /^sh -c 'if which xvirt-ssh-helper .*xvirt-ssh-helper '\\''test:\/\/\/default'\\''.*elif which virt-ssh-helper.*else .*-U '\\''\/var\/run\/libvirt\/libvirt-sock'\\''; fi'$/,
  );
  t.same(sshArgs(parseUri('test+ssh://h/default'), true).slice(0, 6), ['-T', '-e', 'none', '-x', '-a', '--']);
  t.match(
    remoteCommand(parseUri('test+ssh://h/default'), true),
    /xvirt-ssh-helper -r /,
    'read-only asks the helper for the ro socket',
  );
  t.match(
    remoteCommand(parseUri('test+ssh://h/default?netcat=/opt/nc'), false),
    /^sh -c 'if '\\''\/opt\/nc'\\'' -q/,
    'netcat= forces netcat mode',
  );
  t.match(remoteCommand(parseUri('test+ssh://h/default?proxy=native'), false), /^sh -c 'virt-ssh-helper /);
  t.throws(() => remoteCommand(parseUri('test+ssh://h/default?proxy=native&netcat=nc'), false), /netcat is not valid/);
  t.throws(() => remoteCommand(parseUri('test+ssh://h/default?proxy=bogus'), false), /proxy must be one of/);
  t.throws(() => sshArgs(parseUri('test+ssh:///default'), false), /needs a host/);
  t.equal(helperUri(parseUri('test+ssh://h/default?socket=/s%20x&keyfile=/k')), 'test:///default?socket=%2Fs%20x');
  t.same(parseHelperArgs(['-r', 'test:///default'], { XVIRTD_SOCK_RO: '/ro' }), { socket: '/ro', readonly: true });
  t.same(parseHelperArgs(['test:///default?socket=/x'], { XVIRTD_SOCK: '/rw' }), { socket: '/x', readonly: false });
  t.same(parseHelperArgs(['-q0', '-U', '/s'], {}), { socket: '/s', readonly: false }, 'nc -U compatible');
  t.throws(() => parseHelperArgs([], {}), /missing URI/);
  const userDir = `${process.env.XDG_RUNTIME_DIR || tmpdir()}/xvirt`;
  t.equal(
    defaultSocket('/default', 'xvirtd-sock-ro', () => true),
    '/run/xvirt/xvirtd-sock-ro',
    'the system daemon when it runs',
  );
  t.equal(
    defaultSocket('/session', 'xvirtd-sock', () => true),
    process.getuid?.() === 0 ? '/run/xvirt/xvirtd-sock' : `${userDir}/xvirtd-sock`,
    "/session: the user's own (root has no other)",
  );
  t.throws(() => parseHelperArgs(['-x', 'u'], {}), /unknown option/);
});

interface World {
  sshd: Sshd;
  daemon: XvirtdInstance;
  base: string;
}

/** `copy: 'node'` makes xvirt-ssh-helper copy bytes itself instead of handing them to nc -U. */
async function world(t: Test, copy: 'nc' | 'node' = 'nc'): Promise<World> {
  if (!existsSync(join(REPO, 'dist', 'ssh-helper', 'helper.js'))) {
    throw new Error("dist/ssh-helper/helper.js is missing: run 'npm run build' first (npm test does)");
  }
  const daemon = await startXvirtd(t);
  // The far side's PATH: xvirt's helper under its own name and as virt-ssh-helper, then node and the system.
  const bin = mkdtempSync(join(tmpdir(), 'xvirt-sshbin-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  symlinkSync(HELPER, join(bin, 'xvirt-ssh-helper'));
  symlinkSync(HELPER, join(bin, 'virt-ssh-helper'));
  const sshd = await startSshd(t, {
    sessionEnv: {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      XVIRTD_SOCK: daemon.rwSocket,
      XVIRTD_SOCK_RO: daemon.roSocket,
      XVIRT_SSH_HELPER_COPY: copy,
    },
  });
  return { sshd, daemon, base: `test+ssh://root@127.0.0.1:${sshd.port}/default` };
}

t.test("xvirt's client over ssh to xvirtd (helper copying in Node)", async (t) => {
  const { sshd, daemon, base } = await world(t, 'node');
  const params = `keyfile=${encodeURIComponent(sshd.userKey)}&known_hosts=${encodeURIComponent(sshd.knownHosts)}&no_tty=1`;
  const conn = await connect(`${base}?${params}`);
  t.teardown(() => conn.close());
  const doms = await conn.listAllDomains();
  t.same(
    doms.map((d) => d.name),
    ['test'],
  );
  t.equal((await doms[0]!.getInfo()).nrVirtCpu, 2);
  t.equal(await conn.isSecure(), true);

  const viaConfig = await connect(`${base}?command=${encodeURIComponent(sshd.sshWrapper)}`);
  t.same(
    (await viaConfig.listAllDomains()).map((d) => d.name),
    ['test'],
    "command= runs ssh with the user's ssh config",
  );
  await viaConfig.close();

  const netcat = await connect(
    `${base}?command=${encodeURIComponent(sshd.sshWrapper)}&netcat=xvirt-ssh-helper&socket=${encodeURIComponent(daemon.roSocket)}`,
  );
  t.same(
    (await netcat.listAllDomains()).map((d) => d.name),
    ['test'],
    'netcat mode (nc -U compatible helper)',
  );
  await netcat.close();

  const untrusted = join(sshd.dir, 'empty_known_hosts');
  writeFileSync(untrusted, '');
  await t.rejects(
    connect(
      `${base}?keyfile=${encodeURIComponent(sshd.userKey)}&known_hosts=${encodeURIComponent(untrusted)}&no_tty=1`,
    ),
    { number: ErrorNumber.SYSTEM_ERROR, message: /Host key verification failed/ },
    "an unknown host key is ssh's refusal, reported",
  );
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    'the first connection still works',
  );
});

t.test('the helper bridges stdio to the socket in-process, and reports a missing daemon', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-helper-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sock');
  const server = createServer((s) => s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d]))));
  await new Promise<void>((r) => server.listen(path, r));
  t.teardown(() => server.close());
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const status = runHelper({ socket: path, readonly: false }, stdin, stdout, stderr);
  const reply = new Promise<string>((r) => stdout.once('data', (d: Buffer) => r(d.toString())));
  stdin.write('ping');
  t.equal(await reply, 'echo:ping');
  stdin.end();
  t.equal(await status, 0, 'ends cleanly when the client side ends');
  const err = new PassThrough();
  t.equal(
    await runHelper({ socket: join(dir, 'none'), readonly: false }, new PassThrough(), new PassThrough(), err),
    1,
  );
  t.match(err.read()?.toString(), /cannot connect to .*none: no such socket \(is xvirtd running\?\)/);
  const nc = findNetcat({});
  t.ok(nc, 'the test machine has an nc with -U (netcat-openbsd, scripts/install-test-deps)');
  t.equal(findNetcat({ XVIRT_SSH_HELPER_COPY: 'node' }), null);
  t.equal(await runNetcat(nc!, join(dir, 'none'), err), 1, 'the nc path checks the socket first');
  t.match(err.read()?.toString(), /no such socket/);
});

t.test('real virsh over ssh reaches xvirtd through xvirt-ssh-helper (nc copying)', async (t) => {
  const { sshd, daemon, base } = await world(t);
  const command = `command=${encodeURIComponent(sshd.sshWrapper)}`;
  // Default 'auto' mode: virsh runs `virt-ssh-helper URI` on the far side, which is xvirt's helper there.
  const auto = await virsh(`${base}?${command}`, 'list --all; dominfo test');
  t.equal(auto.code, 0, auto.stderr);
  t.match(auto.stdout, /^\s*1\s+test\s+running/m);
  t.match(auto.stdout, /CPU\(s\):\s+2/);
  // netcat mode: virsh probes `NETCAT -q` then runs `NETCAT $ARG -U SOCKET`.
  const nc = await virsh(
    `${base}?${command}&netcat=xvirt-ssh-helper&socket=${encodeURIComponent(daemon.rwSocket)}`,
    'list --all',
  );
  t.equal(nc.code, 0, nc.stderr);
  t.match(nc.stdout, /test\s+running/);
  t.match(daemon.stderr(), /\(unix-rw\) opened test:\/\/\/default\n/, 'the daemon saw local read-write clients');
  // virsh -r asks the far side for `virt-ssh-helper -r`: xvirt's helper then uses the read-only socket.
  const ro = await virsh(`${base}?${command}`, 'destroy test', { readonly: true });
  t.not(ro.code, 0);
  t.match(ro.stderr, /read only/);
  t.match(daemon.stderr(), /\(unix-ro\) opened test:\/\/\/default read-only/, 'it arrived on the read-only socket');
  t.match((await virsh(`${base}?${command}`, 'domstate test')).stdout, /running/, 'and nothing changed');
});
