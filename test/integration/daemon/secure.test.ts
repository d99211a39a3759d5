/**
 * xvirtd's secure listeners, end to end with real processes: real virsh and
 * xvirt's client over TLS (client certificates, tls_allowed_dn_list), SASL
 * SCRAM-SHA-256 against xvirtd's user database (xvirt's client, and virsh
 * through Cyrus SASL's SCRAM plugin), and every refusal happening before
 * any driver call while the daemon keeps serving others.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { connect } from '../../../lib/connection';
import { ErrorNumber } from '../../../lib/errors';
import { RpcClient } from '../../../lib/rpc/client';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { connectTls } from '../../../lib/transports/tls';
import { parseUri } from '../../../lib/uri';
import { TestPki, type ClientCert } from '../../support/pki';
import { freePort } from '../../support/ports';
import { REPO, startXvirtd, type XvirtdInstance } from '../../support/xvirtd';
import { virsh } from '../../support/virsh';

let pki: TestPki;
let alice: ClientCert;
let bob: ClientCert;
t.before(async () => {
  pki = await TestPki.create();
  alice = await pki.client('alice', '/C=GB/O=xvirt test/CN=alice');
  bob = await pki.client('bob', '/C=GB/O=xvirt test/CN=bob');
});
t.teardown(() => pki?.cleanup());

interface TlsDaemon {
  daemon: XvirtdInstance;
  port: number;
  uri: (client: ClientCert, extra?: string) => string;
}

async function tlsDaemon(t: Test, extra: string[] = []): Promise<TlsDaemon> {
  const port = await freePort();
  const daemon = await startXvirtd(t, {
    extraConfig: [
      'listen_tls = 1',
      `tls_port = ${port}`,
      `key_file = "${pki.server.key}"`,
      `cert_file = "${pki.server.cert}"`,
      `ca_file = "${pki.ca.cert}"`,
      'tls_allowed_dn_list = ["C=GB,O=xvirt test,CN=alice"]',
      ...extra,
    ],
  });
  return {
    daemon,
    port,
    uri: (client, more = '') =>
      `test+tls://localhost:${port}/default?pkipath=${encodeURIComponent(client.pkipath)}${more}`,
  };
}

/** Creates a user database with xvirt-sasl-passwd, as an administrator would. */
function userDb(dir: string, users: Record<string, string>): string {
  const file = join(dir, 'sasl-users');
  for (const [user, password] of Object.entries(users)) {
    execFileSync(process.execPath, [join(REPO, 'bin', 'xvirt-sasl-passwd.js'), '-f', file, '-i', '4096', 'set', user], {
      input: password,
    });
  }
  return file;
}

function authFile(dir: string, name: string, user: string, password: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `[credentials-x]\nauthname=${user}\npassword=${password}\n[auth-libvirt-localhost]\ncredentials=x\n`,
  );
  return file;
}

t.test('TLS: virsh and xvirt drive xvirtd with an allowed certificate; others are refused and logged', async (t) => {
  const { daemon, uri } = await tlsDaemon(t);
  const ok = await virsh(uri(alice), 'list --all; dominfo test');
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /test\s+running/);

  const refused = await virsh(uri(bob), 'list --all');
  t.not(refused.code, 0);
  t.match(refused.stderr, /Unable to read TLS confirmation|server verification/);

  const conn = await connect(uri(alice));
  t.teardown(() => conn.close());
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
  );
  t.equal(await conn.isSecure(), true);
  const cli = execFileSync(process.execPath, [join(REPO, 'bin', 'xvirt.js'), '-c', uri(alice), 'list', '--all'], {
    encoding: 'utf8',
  });
  t.match(cli, /test\s+running/, 'the xvirt CLI over TLS, same URI as virsh');
  await t.rejects(connect(uri(bob)), { number: ErrorNumber.RPC, message: /server verification/ });
  t.match(daemon.stderr(), /Distinguished Name 'C=GB,O=xvirt test,CN=bob' is not on tls_allowed_dn_list/);
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    'the accepted client is still served',
  );
});

t.test('SASL over TLS: SCRAM-SHA-256 with xvirt and with virsh (Cyrus SASL)', async (t) => {
  const dir = pki.dir;
  const db = userDb(dir, { alice: 'wonderland' });
  const d = await tlsDaemon(t, ['auth_tls = "sasl"', `sasl_user_db = "${db}"`]);
  const good = authFile(dir, 'good.conf', 'alice', 'wonderland');
  const bad = authFile(dir, 'bad.conf', 'alice', 'rabbit');

  const conn = await connect(d.uri(alice, `&authfile=${encodeURIComponent(good)}`));
  t.teardown(() => conn.close());
  t.same(
    (await conn.listAllDomains()).map((x) => x.name),
    ['test'],
    'xvirt authenticated',
  );
  await t.rejects(connect(d.uri(alice, `&authfile=${encodeURIComponent(bad)}`)), {
    number: ErrorNumber.AUTH_FAILED,
    message: /authentication failed/,
  });

  const v = await virsh(d.uri(alice, `&authfile=${encodeURIComponent(good)}`), 'list --all');
  t.equal(v.code, 0, `virsh with Cyrus SCRAM-SHA-256: ${v.stderr}`);
  t.match(v.stdout, /test\s+running/);
  const vbad = await virsh(d.uri(alice, `&authfile=${encodeURIComponent(bad)}`), 'list --all');
  t.not(vbad.code, 0);
  t.match(vbad.stderr, /authentication failed/);

  t.match(d.daemon.stderr(), /wrong password for user 'alice'/, 'the reason is in the daemon log, not on the wire');
  t.match(d.daemon.stderr(), /authenticated as 'alice'/);
});

t.test('before authentication only AUTH_* and the keepalive probe are served', async (t) => {
  const db = userDb(pki.dir, { alice: 'wonderland' });
  const d = await tlsDaemon(t, ['auth_tls = "sasl"', `sasl_user_db = "${db}"`]);
  const stream = await connectTls(parseUri(d.uri(alice)));
  const client = new RpcClient(stream, { endpoint: 'test' });
  t.teardown(() => client.close());
  t.same(await client.call(P.AUTH_LIST, undefined), { types: [1] }, 'AUTH_LIST answers SASL');
  for (const [proc, args] of [
    [P.CONNECT_OPEN, { name: 'test:///default', flags: 0 }],
    [P.CONNECT_LIST_ALL_DOMAINS, { need_results: 1, flags: 0 }],
    [P.DOMAIN_LOOKUP_BY_NAME, { name: 'test' }],
  ] as const) {
    await t.rejects(
      client.call(proc, args as never),
      { number: ErrorNumber.RPC, message: /authentication required/ },
      `${P[proc]} refused before auth`,
    );
  }
  t.same(await client.call(P.AUTH_SASL_INIT, undefined), { mechlist: 'SCRAM-SHA-256' });
  t.match(
    d.daemon.stderr(),
    /client \d+ \(tls .*'C=GB,O=xvirt test,CN=alice'\): CONNECT_OPEN refused: not authenticated/,
    'refusals are logged',
  );
});

t.test('xvirtd refuses wrong-CA, expired and missing certificates, and keeps serving', async (t) => {
  const { daemon, uri } = await tlsDaemon(t);
  const mallory = await pki.client('mallory', '/C=GB/O=xvirt test/CN=alice', { otherCa: true });
  const old = await pki.client('old', '/C=GB/O=xvirt test/CN=alice', { expired: true });
  for (const [who, client] of [
    ['wrong CA', mallory],
    ['expired', old],
  ] as const) {
    await t.rejects(connect(uri(client, '&no_sanity=1')), { message: /server verification|unable to connect/ }, who);
  }
  const bare = await virsh(`test+tls://localhost:${(await tlsDaemon(t)).port}/default?pkipath=/nonexistent`, 'list');
  t.not(bare.code, 0, 'virsh without credentials cannot even start the handshake');
  const noCert = await new Promise<string>((resolve) => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port: Number(/localhost:(\d+)/.exec(uri(alice))![1]),
      rejectUnauthorized: false,
    });
    s.on('data', () => resolve('data'));
    s.on('error', (e: Error) => resolve(e.message));
    s.on('close', () => resolve('closed'));
  });
  t.notMatch(noCert, /^data$/, `no certificate: never confirmed (${noCert})`);
  t.match(
    daemon.stderr(),
    /refused: certificate 'C=GB,O=xvirt test,CN=alice' not valid \(CERT_HAS_EXPIRED\)/,
    'expired: logged',
  );
  t.match(
    daemon.stderr(),
    /refused: certificate 'C=GB,O=xvirt test,CN=alice' not valid \(UNABLE_TO/,
    'wrong CA: logged',
  );
  t.match(daemon.stderr(), /refused: no client certificate/, 'no certificate: logged');
  const conn = await connect(uri(alice));
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    'still serving',
  );
  await conn.close();
});

t.test('xvirtd refuses to start with TLS files that do not fit, naming them', async (t) => {
  const port = await freePort();
  const base = [
    'listen_tls = 1',
    `tls_port = ${port}`,
    `cert_file = "${pki.server.cert}"`,
    `ca_file = "${pki.ca.cert}"`,
  ];
  await t.rejects(
    startXvirtd(t, { extraConfig: [...base, `key_file = "${alice.key}"`] }),
    /cannot start the TLS listener: .*(key values mismatch|KEY_VALUES_MISMATCH)/i,
    "a key that is not the certificate's",
  );
  const garbage = join(pki.dir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
  await t.rejects(
    startXvirtd(t, { extraConfig: [...base, `key_file = "${pki.server.key}"`, `cert_file = "${garbage}"`] }),
    /cannot start the TLS listener: cannot parse .*garbage.pem/,
    'a file that is not a certificate',
  );
  await t.rejects(
    startXvirtd(t, { extraConfig: [...base, `key_file = "${pki.server.key}"`, `ca_file = "${pki.otherCa.cert}"`] }),
    /The server certificate .* is not signed by the CA/,
    'a CA that did not sign the server certificate',
  );
});

t.test('max_anonymous_clients bounds connections that have not authenticated', async (t) => {
  const db = userDb(pki.dir, { alice: 'wonderland' });
  const d = await tlsDaemon(t, ['auth_tls = "sasl"', `sasl_user_db = "${db}"`, 'max_anonymous_clients = 2']);
  const idle = async (): Promise<RpcClient> => {
    const c = new RpcClient(await connectTls(parseUri(d.uri(alice))), { endpoint: 'idle' });
    t.teardown(() => c.close());
    return c;
  };
  const [first, second] = [await idle(), await idle()];
  t.same(await first.call(P.AUTH_LIST, undefined), { types: [1] });
  t.same(await second.call(P.AUTH_LIST, undefined), { types: [1] });
  // The third is closed at TCP accept, before its TLS handshake.
  const third = idle().then((c) => c.call(P.AUTH_LIST, undefined));
  await t.rejects(
    third,
    { message: /server verification|closed|end of file|reset|ECONNRESET|disconnected/ },
    'the third is turned away',
  );
  for (const end = Date.now() + 3000; Date.now() < end && !/max_anonymous_clients/.test(d.daemon.stderr());) {
    await new Promise((r) => setTimeout(r, 50));
  }
  t.match(d.daemon.stderr(), /refusing tls client: max_anonymous_clients \(2\) not yet authenticated/, 'logged');
  await first.close();
  await new Promise((r) => setTimeout(r, 200));
  const good = authFile(pki.dir, 'anon.conf', 'alice', 'wonderland');
  const conn = await connect(d.uri(alice, `&authfile=${encodeURIComponent(good)}`));
  t.same(
    (await conn.listAllDomains()).map((x) => x.name),
    ['test'],
    'a slot freed up; authenticated clients do not count',
  );
  const more = await idle();
  t.same(
    await more.call(P.AUTH_LIST, undefined),
    { types: [1] },
    'one authenticated + one pending leaves room for another',
  );
  await conn.close();
});

t.test('auth_timeout disconnects a client that does not authenticate in time', async (t) => {
  const db = userDb(pki.dir, { alice: 'wonderland' });
  const d = await tlsDaemon(t, ['auth_tls = "sasl"', `sasl_user_db = "${db}"`, 'auth_timeout = 1']);
  const lingering = new RpcClient(await connectTls(parseUri(d.uri(alice))), { endpoint: 'lingering' });
  t.teardown(() => lingering.close());
  t.same(await lingering.call(P.AUTH_LIST, undefined), { types: [1] });
  const good = authFile(pki.dir, 'timeout.conf', 'alice', 'wonderland');
  const conn = await connect(d.uri(alice, `&authfile=${encodeURIComponent(good)}`));
  t.teardown(() => conn.close());
  await new Promise((r) => setTimeout(r, 1600));
  await t.rejects(lingering.call(P.AUTH_LIST, undefined), { message: /closed|end of file|reset/ }, 'dropped after 1 s');
  t.match(d.daemon.stderr(), /not authenticated within auth_timeout \(1 s\), disconnecting/);
  t.same(
    (await conn.listAllDomains()).map((x) => x.name),
    ['test'],
    'the authenticated client stays',
  );
});
