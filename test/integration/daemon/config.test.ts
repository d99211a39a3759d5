/**
 * xvirtd's config file and command line, and the process lifecycle: socket
 * files with their modes, stale sockets replaced, live ones never stolen,
 * clean shutdown on SIGTERM and SIGINT.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, defaultConfig, parseConfig } from '../../../lib/daemon/config';
import { parseArgs } from '../../../lib/daemon/main';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { RawClient, startXvirtd, XVIRTD_BIN } from '../../support/xvirtd';

t.test('parseConfig reads every key and keeps defaults for the rest', async (t) => {
  const cfg = parseConfig(
    [
      '# comment',
      'unix_sock_rw_path = "/tmp/x/sock"   # trailing comment',
      'unix_sock_ro_path = ""',
      'unix_sock_rw_perms = "0770"',
      'listen_tcp = 1',
      'tcp_listen_addr = "::1"',
      'tcp_port = 16600',
      'auth_tcp = "none"',
      'max_clients = 20',
      'max_client_requests = 8',
      'max_client_output = 1048576',
      'max_client_output_messages = 100',
      'keepalive_interval = -1',
      'keepalive_count = 0',
      'log_level = 1',
      'default_uri = "xen:///system"',
      '',
    ].join('\n'),
    'x.conf',
  );
  t.match(cfg, {
    unixSockRwPath: '/tmp/x/sock',
    unixSockRoPath: '',
    unixSockRwPerms: 0o770,
    unixSockRoPerms: 0o777,
    listenTcp: true,
    tcpListenAddr: '::1',
    tcpPort: 16600,
    maxClients: 20,
    maxClientRequests: 8,
    maxClientOutput: 1048576,
    maxClientOutputMessages: 100,
    keepaliveInterval: -1,
    keepaliveCount: 0,
    logLevel: 1,
    defaultUri: 'xen:///system',
  });
  t.same(parseConfig('', 'empty.conf'), defaultConfig(), 'an empty file is the defaults');
  t.match(
    defaultConfig(),
    { listenTcp: false, unixSockRwPerms: 0o700, unixSockRoPerms: 0o777, defaultUri: 'test:///default' },
    'defaults: no TCP, root-only read-write socket',
  );
});

t.test('bad config lines are refused with file, line and key', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['max_clients = 0', /^f\.conf:1: max_clients: 0 is out of range 1-1000000$/],
    ['tcp_port = "16509"', /^f\.conf:1: tcp_port: expected an integer/],
    ['listen_tcp = 2', /^f\.conf:1: listen_tcp: 2 is out of range 0-1$/],
    ['\n\nunix_sock_rw_perms = "0999"', /^f\.conf:3: unix_sock_rw_perms: expected an octal mode/],
    ['unix_sock_rw_path = "relative/sock"', /^f\.conf:1: unix_sock_rw_path: expected an absolute path/],
    ['auth_tcp = "polkit"', /^f\.conf:1: auth_tcp: unsupported auth scheme "polkit"/],
    ['auth_tcp = "sasl"', /^f\.conf: auth_tcp = "sasl" is refused/],
    ['log_level = 9', /^f\.conf:1: log_level: 9 is out of range 1-4$/],
    ['no_such_key = 1', /^f\.conf:1: unknown key 'no_such_key'/],
    ['max_clients 5', /^f\.conf:1: expected 'key = value'/],
    ['max_clients = 5 6', /^f\.conf:1: max_clients: unexpected text after the value/],
    ['default_uri = "nonsense"', /^f\.conf:1: default_uri: expected a URI/],
    ['tcp_listen_addr = [ "a", ', /^f\.conf:1: tcp_listen_addr: expected a list of "quoted strings"/],
    ['tcp_listen_addr = [ "a" ]', /^f\.conf:1: tcp_listen_addr: expected a "quoted string"$/],
    ['max_clients = 99999999999999999999', /^f\.conf:1: max_clients: integer 99999999999999999999 is too large$/],
    ['unix_sock_rw_path = ""\nunix_sock_ro_path = ""', /^f\.conf: no listener left/],
    ['unix_sock_rw_path = "/a"\nunix_sock_ro_path = "/a"', /are the same file/],
  ];
  for (const [text, message] of cases) {
    t.throws(() => parseConfig(text, 'f.conf'), { name: 'ConfigError', message }, JSON.stringify(text));
  }
});

t.test('command line', async (t) => {
  t.same(parseArgs(['--config', 'a.conf']), { config: 'a.conf', help: false, version: false });
  t.same(parseArgs(['-f', 'b.conf', '-V']), { config: 'b.conf', help: false, version: true });
  t.same(parseArgs(['--config=c.conf']), { config: 'c.conf', help: false, version: false });
  t.throws(() => parseArgs(['--config']), ConfigError);
  t.throws(() => parseArgs(['--listen']), { message: /unknown argument '--listen'/ });
  const run = (...args: string[]) => spawnSync(process.execPath, [XVIRTD_BIN, ...args], { encoding: 'utf8' });
  const help = run('--help');
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: xvirtd \[--config FILE\]/);
  const version = run('--version');
  t.equal(version.status, 0);
  t.match(version.stdout, /^xvirtd \(xvirt\) \d+\.\d+\.\d+\n$/);
  t.equal(run('--bogus').status, 2, 'usage errors exit 2');
  const dir = mkdtempSync(join(tmpdir(), 'xvirtd-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.conf'), 'log_level = 2\nmax_clients = -3\n');
  const bad = run('--config', join(dir, 'bad.conf'));
  t.equal(bad.status, 1, 'a bad config file: exit 1');
  t.match(bad.stderr, `xvirtd: ${join(dir, 'bad.conf')}:2: max_clients: -3 is out of range`);
  const missing = run('--config', join(dir, 'nope.conf'));
  t.equal(missing.status, 1);
  t.match(missing.stderr, /cannot read config file/);
});

t.test('sockets: modes, stale files replaced, live sockets never stolen, unlinked on shutdown', async (t) => {
  const d = await startXvirtd(t, { tcp: true });
  t.equal(statSync(d.rwSocket).mode & 0o777, 0o700, 'read-write socket 0700');
  t.equal(statSync(d.roSocket).mode & 0o777, 0o777, 'read-only socket 0777');
  t.ok(d.tcpPort! > 0, 'TCP on an ephemeral port');
  const overTcp = await RawClient.connect(d.tcpPort!);
  t.same(await overTcp.call(P.AUTH_LIST), { types: [0] }, 'TCP listener answers');
  overTcp.close();

  // A second daemon on the same paths must refuse, and must not unlink the first one's sockets.
  const clash = spawnSync(process.execPath, [XVIRTD_BIN, '--config', d.configFile], { encoding: 'utf8' });
  t.equal(clash.status, 1);
  t.match(clash.stderr, /is in use by another daemon/);
  t.ok(existsSync(d.rwSocket), 'the live socket is still there');
  d.proc.kill('SIGHUP');
  const still = await RawClient.connect(d.rwSocket);
  t.same(await still.call(P.AUTH_LIST), { types: [0] }, 'and still served (SIGHUP is ignored too)');
  const closed = still.waitClosed();
  t.equal(await d.stop(), 0, 'SIGTERM: exit 0 with a client connected');
  await closed;
  t.notOk(existsSync(d.rwSocket) || existsSync(d.roSocket), 'socket files removed');

  // A stale socket file (no listener: its daemon died) is replaced; a regular file in the way is not.
  const dir2 = mkdtempSync(join(tmpdir(), 'xvirtd-stale-'));
  t.teardown(() => rmSync(dir2, { recursive: true, force: true }));
  const sockPath = join(dir2, 'sock');
  // python binds and exits without unlinking: exactly what a crashed daemon leaves behind.
  spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sockPath]);
  t.ok(existsSync(sockPath), 'a stale socket file exists');
  const d2 = await startXvirtd(t, { extraConfig: [`unix_sock_rw_path = "${sockPath}"`] });
  const c = await RawClient.connect(sockPath);
  t.same(await c.call(P.AUTH_LIST), { types: [0] }, 'the stale socket was replaced');
  c.close();
  t.equal(await d2.kill('SIGINT'), 0, 'SIGINT: clean exit too');
  t.notOk(existsSync(sockPath), 'and unlinked');
  writeFileSync(sockPath, 'not a socket');
  const blocked = spawnSync(process.execPath, [XVIRTD_BIN, '--config', d2.configFile], { encoding: 'utf8' });
  t.equal(blocked.status, 1);
  t.match(blocked.stderr, /exists and is not a socket/);
});
