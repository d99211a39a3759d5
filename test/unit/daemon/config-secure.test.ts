/**
 * xvirtd's security settings as the config file states them: libvirtd's key
 * names and semantics, and clear refusals for what would be unsafe or broken.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, parseConfig } from '../../../lib/daemon/config';

const dir = mkdtempSync(join(tmpdir(), 'xvirt-seccfg-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => {
  const p = join(dir, name);
  writeFileSync(p, 'x', { mode: 0o600 });
  return p;
};
const [key, cert, ca, users] = [file('key.pem'), file('cert.pem'), file('ca.pem'), file('users')];
const parse = (text: string): ReturnType<typeof parseConfig> => parseConfig(text, 'test.conf');

t.test('TLS and SASL keys', async (t) => {
  const cfg = parse(
    [
      'listen_tls = 1',
      'tls_port = 0',
      `key_file = "${key}"`,
      `cert_file = "${cert}"`,
      `ca_file = "${ca}"`,
      'tls_allowed_dn_list = ["C=GB,O=Example,CN=*", "CN=admin"]',
      'auth_tls = "sasl"',
      `sasl_user_db = "${users}"`,
      'sasl_allowed_username_list = ["ops-*"]',
      'auth_unix_rw = "sasl"',
    ].join('\n'),
  );
  t.match(cfg.security, {
    listenTls: true,
    tlsPort: 0,
    keyFile: key,
    certFile: cert,
    caFile: ca,
    authTls: 'sasl',
    tlsAllowedDnList: ['C=GB,O=Example,CN=*', 'CN=admin'],
    saslAllowedUsernameList: ['ops-*'],
    saslUserDb: users,
  });
  t.equal(cfg.authUnixRw, 'sasl');
  t.equal(defaultConfig().security.tlsAllowedDnList, undefined, 'absent by default: any verified certificate');
  t.same(parse('tls_allowed_dn_list = []').security.tlsAllowedDnList, [], '[] is kept as "nobody"');
  t.equal(defaultConfig().security.listenTls, false, 'no TLS listener unless asked');
  t.not(parse('listen_tls = 0').security, defaultConfig().security, 'parsing never shares the defaults object');
});

t.test('refusals name the file, line and key', async (t) => {
  t.throws(() => parse('auth_tcp = "sasl"'), /auth_tcp = "sasl" is refused: SCRAM-SHA-256 has no security layer/);
  t.throws(() => parse(`auth_tls = "sasl"\nsasl_user_db = "${join(dir, 'none')}"`), /user database .* does not exist/);
  t.throws(() => parse(`listen_tls = 1\nkey_file = "${join(dir, 'nokey')}"`), /key_file .*nokey" does not exist/);
  t.throws(() => parse('auth_tls = "polkit"'), /test.conf:1: auth_tls: unsupported auth scheme "polkit"/);
  t.throws(() => parse('listen_tls = 2'), /listen_tls: expected 0 or 1/);
  t.throws(() => parse('tls_allowed_dn_list = "CN=x"'), /tls_allowed_dn_list: expected a \[ "list"/);
  t.throws(() => parse('tls_allowed_dn_list = [""]'), /empty entries/);
  t.throws(() => parse('key_file = "relative.pem"'), /expected an absolute path/);
  t.throws(() => parse('tls_port = 70000'), /expected a port number/);
  t.throws(() => parse('max_anonymous_clients = 0'), /max_anonymous_clients: expected an integer from 1/);
  t.equal(parse('max_anonymous_clients = 5').security.maxAnonymousClients, 5);
  t.equal(defaultConfig().security.maxAnonymousClients, 20, "libvirtd's default");
  t.equal(defaultConfig().security.authTimeout, 30);
  t.equal(parse('auth_timeout = 0').security.authTimeout, 0, '0 = no limit');
  t.throws(() => parse('auth_timeout = -1'), /auth_timeout: expected seconds/);
});
