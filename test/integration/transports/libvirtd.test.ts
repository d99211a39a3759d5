/**
 * xvirt's client against a real libvirtd (Debian's 9.0) over TLS with
 * certificates from test/support/pki.ts and tls_allowed_dn_list, and with
 * SASL SCRAM-SHA-256 against libvirtd's Cyrus SASL (a private sasldb made by
 * saslpasswd2, selected through SASL_CONF_PATH).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../../lib/connection';
import { ErrorNumber } from '../../../lib/errors';
import { startLibvirtd } from '../../support/libvirtd';
import { TestPki } from '../../support/pki';
import { freePort } from '../../support/ports';
import { startSshd } from '../../support/sshd';

let pki: TestPki;
t.before(async () => {
  pki = await TestPki.create();
});
t.teardown(() => pki?.cleanup());

function tlsConfig(port: number, authTls: 'none' | 'sasl', extra: string[] = []): string[] {
  return [
    'listen_tls = 1',
    `tls_port = "${port}"`,
    'listen_addr = "127.0.0.1"',
    `auth_tls = "${authTls}"`,
    `key_file = "${pki.server.key}"`,
    `cert_file = "${pki.server.cert}"`,
    `ca_file = "${pki.ca.cert}"`,
    ...extra,
  ];
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
    if (check()) return true;
  return check();
}

t.test('TLS: an allowed client certificate drives libvirtd; others are refused', async (t) => {
  const port = await freePort();
  const lvd = await startLibvirtd(t, {
    extraConfig: tlsConfig(port, 'none', ['tls_allowed_dn_list = ["C=GB,O=xvirt test,CN=alice"]']),
  });
  const alice = await pki.client('alice', '/C=GB/O=xvirt test/CN=alice');
  const bob = await pki.client('bob', '/C=GB/O=xvirt test/CN=bob');

  const conn = await connect(`test+tls://localhost:${port}/default?pkipath=${encodeURIComponent(alice.pkipath)}`);
  t.teardown(() => conn.close());
  const names = (await conn.listAllDomains()).map((d) => d.name);
  t.same(names, ['test'], "libvirt's test driver, through TLS");
  const info = await (await conn.lookupDomainByName('test')).getInfo();
  t.equal(info.nrVirtCpu, 2);
  t.equal(await conn.isSecure(), true);

  await t.rejects(connect(`test+tls://localhost:${port}/default?pkipath=${encodeURIComponent(bob.pkipath)}`), {
    number: ErrorNumber.RPC,
    message: /server verification \(of our certificate or IP address\) failed/,
  });
  t.ok(
    await eventually(() => /not on the list of allowed clients/.test(lvd.log())),
    "libvirtd's own reason, in its log",
  );
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    'the first client is unaffected',
  );
});

t.test('SASL SCRAM-SHA-256 against Cyrus SASL in libvirtd (over TLS)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-cyrus-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sasldb = join(dir, 'passwd.db');
  try {
    execFileSync('saslpasswd2', ['-p', '-c', '-a', 'libvirt', '-f', sasldb, 'alice'], { input: 'wonderland' });
  } catch (err) {
    throw new Error(`saslpasswd2 failed (run scripts/install-test-deps as root): ${(err as Error).message}`);
  }
  writeFileSync(join(dir, 'libvirt.conf'), `mech_list: scram-sha-256\nsasldb_path: ${sasldb}\n`);
  const port = await freePort();
  await startLibvirtd(t, { extraConfig: tlsConfig(port, 'sasl'), env: { SASL_CONF_PATH: dir } });
  const alice = await pki.client('alice', '/C=GB/O=xvirt test/CN=alice');
  const authfile = join(dir, 'auth.conf');
  const uri = (file: string): string =>
    `test+tls://localhost:${port}/default?pkipath=${encodeURIComponent(alice.pkipath)}&authfile=${encodeURIComponent(file)}`;

  writeFileSync(
    authfile,
    '[credentials-a]\nauthname=alice\npassword=wonderland\n[auth-libvirt-localhost]\ncredentials=a\n',
  );
  const conn = await connect(uri(authfile));
  t.teardown(() => conn.close());
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    'authenticated by Cyrus, then served',
  );

  const wrong = join(dir, 'wrong.conf');
  writeFileSync(wrong, '[credentials-a]\nauthname=alice\npassword=rabbit\n[auth-libvirt-localhost]\ncredentials=a\n');
  await t.rejects(connect(uri(wrong)), { number: ErrorNumber.AUTH_FAILED, message: /authentication failed/ });
});

t.test("ssh: xvirt's client reaches libvirtd through sshd and libvirt's netcat mode", async (t) => {
  const lvd = await startLibvirtd(t);
  const sshd = await startSshd(t);
  const conn = await connect(
    `test+ssh://root@127.0.0.1:${sshd.port}/default?command=${encodeURIComponent(sshd.sshWrapper)}` +
      `&netcat=nc&socket=${encodeURIComponent(lvd.socket)}`,
  );
  t.teardown(() => conn.close());
  t.same(
    (await conn.listAllDomains()).map((d) => d.name),
    ['test'],
    "libvirtd's test driver, over ssh",
  );
  t.equal((await (await conn.lookupDomainByName('test')).getInfo()).nrVirtCpu, 2);
});
