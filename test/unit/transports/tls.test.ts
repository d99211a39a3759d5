/**
 * TLS transport, both ends, with certificates from the real openssl:
 * credential lookup, the post-handshake confirmation byte, and every way a
 * client is refused (no certificate, wrong CA, expired, DN not allowed, empty
 * allowlist, wrong server name), with the listener still serving afterwards.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { TestPki } from '../../support/pki';
import { connectTls, locateClientPki } from '../../../lib/transports/tls';
import { createTlsServer, type TlsPeerIdentity, type TlsServerConfig } from '../../../lib/auth/tls-server';
import { compileDnAllowlist, subjectToDn } from '../../../lib/auth/dn-allowlist';
import { parseUri } from '../../../lib/uri';
import { ErrorNumber, XvirtError } from '../../../lib/errors';

let pki: TestPki;
t.before(async () => {
  pki = await TestPki.create();
});
t.teardown(() => pki?.cleanup());

const ALICE = '/C=GB/O=xvirt test/CN=alice';

interface Harness {
  port: number;
  host: string;
  logs: string[];
  accepted: TlsPeerIdentity[];
}

/** A TLS listener whose accepted clients get every RPC byte echoed back. */
async function listen(t: Test, extra: Partial<TlsServerConfig> = {}, host = '127.0.0.1'): Promise<Harness> {
  const logs: string[] = [];
  const accepted: TlsPeerIdentity[] = [];
  const server = createTlsServer(
    {
      caFile: pki.ca.cert,
      certFile: pki.server.cert,
      keyFile: pki.server.key,
      ...extra,
    },
    (socket, peer) => {
      accepted.push(peer);
      socket.pipe(socket);
    },
    { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`) },
  );
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, host, logs, accepted };
}

function uriFor(h: Harness, pkipath: string, params = '', hostName = h.host): ReturnType<typeof parseUri> {
  return parseUri(`test+tls://${hostName}:${h.port}/default?pkipath=${encodeURIComponent(pkipath)}${params}`);
}

async function roundTrip(socket: tls.TLSSocket, text: string): Promise<string> {
  const got = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.resume();
  socket.write(text);
  const reply = await got;
  socket.destroy();
  return reply;
}

async function refused(t: Test, promise: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  await promise.then(
    () => t.fail(`${what}: expected a refusal`),
    (err: unknown) => {
      t.ok(err instanceof XvirtError, `${what}: XvirtError`);
      t.match((err as Error).message, pattern, what);
    },
  );
}

t.test('an allowed client gets the confirmation byte, then a clean RPC channel', async (t) => {
  const h = await listen(t, { allowedDnList: ['C=GB,O=xvirt test,CN=al*'] });
  const alice = await pki.client('alice', ALICE);
  const socket = await connectTls(uriFor(h, alice.pkipath));
  t.equal(await roundTrip(socket, 'first RPC bytes'), 'first RPC bytes', 'the 0x01 byte was consumed, nothing else');
  t.same(
    h.accepted.map((p) => p.dn),
    ['C=GB,O=xvirt test,CN=alice'],
  );
  t.match(h.logs.join('\n'), /accepted: 'C=GB,O=xvirt test,CN=alice'/);
});

t.test('refusals: each is logged and the listener keeps serving', async (t) => {
  const h = await listen(t, { allowedDnList: ['C=GB,O=xvirt test,CN=alice'] });
  const bob = await pki.client('bob', '/C=GB/O=xvirt test/CN=bob');
  await refused(t, connectTls(uriFor(h, bob.pkipath)), /server verification .* failed/, 'DN not on the list');

  const mallory = await pki.client('mallory', '/C=GB/O=xvirt test/CN=alice', { otherCa: true });
  await refused(
    t,
    connectTls(uriFor(h, mallory.pkipath)),
    /not signed by the CA/,
    'wrong CA (client-side sanity check)',
  );
  await refused(
    t,
    connectTls(uriFor(h, mallory.pkipath, '&no_sanity=1')),
    /server verification .* failed|unable to connect/,
    'wrong CA (server refuses)',
  );

  const old = await pki.client('old', '/C=GB/O=xvirt test/CN=alice', { expired: true });
  await refused(t, connectTls(uriFor(h, old.pkipath)), /has expired/, 'expired (client-side sanity check)');
  await refused(
    t,
    connectTls(uriFor(h, old.pkipath, '&no_sanity=1')),
    /server verification .* failed|unable to connect/,
    'expired (server refuses)',
  );

  // A client with no certificate at all (not even xvirt's client would do this).
  const bare = tls.connect({ host: h.host, port: h.port, ca: readFileSync(pki.ca.cert) });
  const outcome = await new Promise<string>((resolve) => {
    bare.on('data', (d: Buffer) => resolve(`data ${d.toString('hex')}`));
    bare.on('error', (e) => resolve(`error ${e.message}`));
    bare.on('close', () => resolve('closed'));
  });
  bare.destroy();
  t.notMatch(outcome, /^data/, `no certificate: never confirmed (${outcome})`);

  const alice = await pki.client('alice', ALICE);
  t.equal(
    await roundTrip(await connectTls(uriFor(h, alice.pkipath)), 'still here'),
    'still here',
    'others still served',
  );
  const log = h.logs.join('\n');
  t.match(log, /refused: Distinguished Name 'C=GB,O=xvirt test,CN=bob' is not on tls_allowed_dn_list/);
  t.match(
    log,
    /refused: certificate 'C=GB,O=xvirt test,CN=alice' not valid \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    'wrong CA logged',
  );
  t.match(log, /refused: certificate 'C=GB,O=xvirt test,CN=alice' not valid \(CERT_HAS_EXPIRED\)/, 'expired logged');
  t.match(log, /refused: no client certificate/, 'missing certificate logged');
  t.equal(h.accepted.length, 1, 'only alice reached the RPC layer');
});

t.test('tls_allowed_dn_list: absent lets any verified client in, [] lets nobody in', async (t) => {
  const bob = await pki.client('bob', '/C=GB/O=xvirt test/CN=bob');
  const open = await listen(t);
  t.equal(await roundTrip(await connectTls(uriFor(open, bob.pkipath)), 'x'), 'x');
  const closed = await listen(t, { allowedDnList: [] });
  await refused(t, connectTls(uriFor(closed, bob.pkipath)), /server verification/, 'empty list');
});

t.test('crl_file: a revoked client certificate is refused', async (t) => {
  const carol = await pki.client('carol', '/C=GB/O=xvirt test/CN=carol');
  const dave = await pki.client('dave', '/C=GB/O=xvirt test/CN=dave');
  const crlFile = await pki.revoke(carol);
  const h = await listen(t, { crlFile });
  await refused(t, connectTls(uriFor(h, carol.pkipath)), /server verification|unable to connect/, 'revoked');
  t.match(
    h.logs.join('\n'),
    /refused: certificate 'C=GB,O=xvirt test,CN=carol' not valid \(CERT_REVOKED\)/,
    'logged as revoked',
  );
  t.equal(await roundTrip(await connectTls(uriFor(h, dave.pkipath)), 'ok'), 'ok', 'others still served');
});

t.test('server name is verified unless no_verify=1', async (t) => {
  // 127.0.0.2 is loopback but not in the server certificate's SAN.
  const h = await listen(t, {}, '127.0.0.2');
  const alice = await pki.client('alice', ALICE);
  await refused(
    t,
    connectTls(uriFor(h, alice.pkipath)),
    /unable to connect .*(IP|altnames|does not match)/i,
    'name mismatch',
  );
  t.equal(await roundTrip(await connectTls(uriFor(h, alice.pkipath, '&no_verify=1')), 'ok'), 'ok', 'no_verify=1');
  await refused(
    t,
    connectTls(uriFor(h, alice.pkipath, '&no_verify=yes')),
    /no_verify must be 0 or 1/,
    'bad flag value',
  );
});

t.test('credential locations follow libvirt', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'xvirt-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const system = { uid: 1000, home, systemDir: '/etc/pki' };
  const plain = parseUri('test+tls://h/default');
  t.same(
    locateClientPki(plain, { ...system, uid: 0 }),
    {
      ca: '/etc/pki/CA/cacert.pem',
      crl: null,
      cert: '/etc/pki/libvirt/clientcert.pem',
      key: '/etc/pki/libvirt/private/clientkey.pem',
    },
    'root: system paths',
  );
  t.equal(locateClientPki(plain, system).ca, '/etc/pki/CA/cacert.pem', 'user without ~/.pki: system paths');
  const user = join(home, '.pki', 'libvirt');
  await mkdir(user, { recursive: true });
  await copyFile(pki.ca.cert, join(user, 'cacert.pem'));
  t.same(
    locateClientPki(plain, system),
    {
      ca: join(user, 'cacert.pem'),
      crl: null,
      cert: '/etc/pki/libvirt/clientcert.pem',
      key: '/etc/pki/libvirt/private/clientkey.pem',
    },
    'user CA only: CA from ~/.pki, cert and key from the system',
  );
  await copyFile(pki.ca.cert, join(user, 'clientcert.pem'));
  await copyFile(pki.ca.key, join(user, 'clientkey.pem'));
  t.equal(locateClientPki(plain, system).key, join(user, 'clientkey.pem'), 'user cert+key');
  t.equal(
    locateClientPki(plain, { ...system, uid: 0 }).key,
    '/etc/pki/libvirt/private/clientkey.pem',
    'root ignores ~/.pki',
  );
  t.same(
    locateClientPki(parseUri('test+tls://h/default?pkipath=/p'), system),
    {
      ca: '/p/cacert.pem',
      crl: null,
      cert: '/p/clientcert.pem',
      key: '/p/clientkey.pem',
    },
    'pkipath wins',
  );
  await refused(
    t,
    connectTls(parseUri('test+tls://127.0.0.1:1/default?pkipath=/nonexistent')),
    /Cannot read CA certificate '\/nonexistent\/cacert.pem'/,
    'missing files are named',
  );
});

t.test('DN allowlist globs', async (t) => {
  const allow = compileDnAllowlist(['C=GB,O=Example,CN=*', 'CN=a?c']);
  t.ok(allow('C=GB,O=Example,CN=anything, even commas'));
  t.ok(allow('CN=abc'));
  t.notOk(allow('CN=abbc'));
  t.notOk(allow('C=GB,O=Example'), 'anchored');
  t.notOk(allow('X=1,C=GB,O=Example,CN=x'), 'anchored at the start');
  t.ok(compileDnAllowlist(['CN=a.b(c)'])('CN=a.b(c)'), 'regex characters are literal');
  t.notOk(compileDnAllowlist(['CN=a.b'])('CN=axb'));
  t.ok(compileDnAllowlist(undefined)('anything'), 'absent: everyone verified');
  t.notOk(compileDnAllowlist([])('anything'), 'empty: nobody');
  t.throws(
    () => compileDnAllowlist(['']),
    XvirtError.of(
      ErrorNumber.CONF_SYNTAX,
      9,
      'tls_allowed_dn_list entry 1 must be a non-empty string of at most 1024 characters',
    ),
  );
  t.equal(subjectToDn('C=GB\nO=Evil\\, Inc\nCN=x'), 'C=GB,O=Evil\\, Inc,CN=x', 'escaped commas stay escaped');
});
