/**
 * tls_priority: the GnuTLS priority strings xvirt honours (mapped onto
 * OpenSSL's options), refusals for everything else naming the element and
 * where it came from, and real handshakes showing the mapping takes effect.
 */
import t from 'tap';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { parseTlsPriority, TlsPriorityError } from '../../../lib/auth/tls-priority';
import { createTlsServer } from '../../../lib/auth/tls-server';
import { defaultConfig, parseConfig } from '../../../lib/daemon/config';
import { ErrorNumber, XvirtError } from '../../../lib/errors';
import { connectTls } from '../../../lib/transports/tls';
import { parseUri } from '../../../lib/uri';
import { TestPki } from '../../support/pki';

t.test('the subset maps onto versions, ciphers and server precedence', async (t) => {
  t.same(
    parseTlsPriority('NORMAL'),
    { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: false },
    "NORMAL: Node's cipher defaults, TLS 1.2 and 1.3",
  );
  t.match(
    parseTlsPriority('normal:-vers-tls1.3'),
    { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
    'case-insensitive, as GnuTLS',
  );
  t.match(parseTlsPriority('NORMAL:-VERS-TLS1.2'), { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  t.match(parseTlsPriority('NORMAL:-VERS-ALL:+VERS-TLS1.3'), { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  t.match(parseTlsPriority('NORMAL:%SERVER_PRECEDENCE'), { honorCipherOrder: true });
  const perf = parseTlsPriority('PERFORMANCE').ciphers!.split(':');
  t.equal(perf[0], 'TLS_AES_128_GCM_SHA256', 'PERFORMANCE puts 128-bit AES first');
  const secure128 = parseTlsPriority('SECURE128').ciphers!.split(':');
  t.equal(secure128[0], 'TLS_AES_256_GCM_SHA384', 'SECURE128 puts the strongest first');
  t.ok(
    secure128.every((c) => c.startsWith('TLS_') || c.startsWith('ECDHE-')),
    'forward secrecy only',
  );
  t.ok(
    secure128.every((c) => /GCM|POLY1305/.test(c)),
    'AEAD only',
  );
  for (const name of ['SECURE192', 'SECURE256']) {
    const ciphers = parseTlsPriority(name).ciphers!.split(':');
    t.notOk(
      ciphers.some((c) => c.includes('128')),
      `${name}: no 128-bit keys`,
    );
    t.ok(
      ciphers.includes('TLS_AES_256_GCM_SHA384') && ciphers.includes('ECDHE-RSA-AES256-GCM-SHA384'),
      `${name}: AES-256`,
    );
  }
  const known = new Set(tls.getCiphers().map((c) => c.toUpperCase()));
  for (const c of secure128.filter((x) => !x.startsWith('TLS_'))) t.ok(known.has(c), `OpenSSL knows ${c}`);
});

t.test('everything outside the subset is refused by name', async (t) => {
  const refused = (text: string, pattern: RegExp): void => {
    t.throws(() => parseTlsPriority(text), pattern, text);
    t.throws(() => parseTlsPriority(text), TlsPriorityError);
  };
  refused('', /no keyword in ""/);
  refused('@SYSTEM', /unsupported keyword '@SYSTEM'/);
  refused('LEGACY', /unsupported keyword 'LEGACY'/);
  refused('NORMAL:+VERS-TLS1.1', /unsupported protocol version '\+VERS-TLS1.1' \(TLS 1.2 is xvirt's oldest\)/);
  refused('NORMAL:-VERS-SSL3.0', /unsupported protocol version/);
  refused('NORMAL:-ARCFOUR-128', /unsupported element '-ARCFOUR-128'/);
  refused('NORMAL:%COMPAT', /unsupported element '%COMPAT'/);
  refused('NORMAL:-VERS-TLS1.2:-VERS-TLS1.3', /no protocol version left/);
  refused('NORMAL:', /unsupported element ''/);
  t.throws(
    () => parseTlsPriority('FAST'),
    /xvirt supports NORMAL, PERFORMANCE, SECURE128, SECURE192, SECURE256 first/,
    'the error lists what is supported',
  );
});

t.test('xvirtd.conf: tls_priority is checked when the file is read', async (t) => {
  t.equal(defaultConfig().security.tlsPriority, 'NORMAL', "libvirt's default");
  t.equal(
    parseConfig('tls_priority = "SECURE256:-VERS-TLS1.2"', 'x.conf').security.tlsPriority,
    'SECURE256:-VERS-TLS1.2',
  );
  t.throws(
    () => parseConfig('# a comment\ntls_priority = "NORMAL:+CAMELLIA-128-CBC"', 'x.conf'),
    /^x\.conf:2: tls_priority: unsupported element '\+CAMELLIA-128-CBC' in "NORMAL:\+CAMELLIA-128-CBC"/,
  );
  t.throws(() => parseConfig('tls_priority = 1', 'x.conf'), /x\.conf:1: tls_priority: expected a "quoted string"/);
});

t.test('handshakes follow the priority strings of both ends', async (t) => {
  const pki = await TestPki.create();
  t.teardown(() => pki.cleanup());
  const client = await pki.client('alice', '/C=GB/O=xvirt test/CN=alice');
  const serve = async (priority?: string): Promise<number> => {
    const server = createTlsServer(
      { caFile: pki.ca.cert, certFile: pki.server.cert, keyFile: pki.server.key, ...(priority ? { priority } : {}) },
      (socket) => socket.pipe(socket),
      { info: () => undefined, warn: () => undefined },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return (server.address() as AddressInfo).port;
  };
  const open = (port: number, priority?: string): Promise<tls.TLSSocket> =>
    connectTls(
      parseUri(
        `test+tls://127.0.0.1:${port}/default?pkipath=${encodeURIComponent(client.pkipath)}&no_verify=1` +
          (priority ? `&tls_priority=${encodeURIComponent(priority)}` : ''),
      ),
    );

  const tls12 = await serve('NORMAL:-VERS-TLS1.3');
  const a = await open(tls12);
  t.equal(a.getProtocol(), 'TLSv1.2', 'server NORMAL:-VERS-TLS1.3: TLS 1.2 is negotiated');
  a.destroy();
  const b = await open(await serve('SECURE256'), 'NORMAL:-VERS-TLS1.3');
  t.equal(b.getProtocol(), 'TLSv1.2');
  t.match(b.getCipher().name, /AES256-GCM|CHACHA20/, 'server SECURE256: a 256-bit cipher');
  b.destroy();
  const normal = await serve();
  const c = await open(normal, 'PERFORMANCE');
  t.equal(
    c.getCipher().standardName,
    'TLS_AES_128_GCM_SHA256',
    "server NORMAL follows the client's order (PERFORMANCE)",
  );
  c.destroy();
  const d = await open(await serve('SECURE128:%SERVER_PRECEDENCE'), 'PERFORMANCE');
  t.equal(d.getCipher().standardName, 'TLS_AES_256_GCM_SHA384', 'server %SERVER_PRECEDENCE: its own order wins');
  d.destroy();
  const failure = async (promise: Promise<unknown>): Promise<XvirtError> =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (err: unknown) => err as XvirtError,
    );
  const noVersion = await failure(open(tls12, 'NORMAL:-VERS-TLS1.2'));
  t.equal(noVersion.number, ErrorNumber.GNUTLS_ERROR, 'no common version: the handshake fails with a TLS error');
  t.match(noVersion.message, /unable to connect to server at '127.0.0.1'/);
  const outside = await failure(open(normal, 'NORMAL:+3DES-CBC'));
  t.equal(outside.number, ErrorNumber.INVALID_ARG, 'a client priority outside the subset is refused before connecting');
  t.match(outside.message, /tls_priority: unsupported element '\+3DES-CBC' in "NORMAL:\+3DES-CBC"/);
  t.throws(
    () =>
      createTlsServer(
        { caFile: pki.ca.cert, certFile: pki.server.cert, keyFile: pki.server.key, priority: 'NONE' },
        () => undefined,
        { info: () => undefined, warn: () => undefined },
      ),
    /tls_priority: unsupported keyword 'NONE'/,
  );
});
