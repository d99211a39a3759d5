/**
 * SO_PEERCRED through the addon (lib/native-sockets.ts, lib/auth/peercred.ts): the peer of an
 * in-process unix connection is this very process, so the kernel's record must name our pid, uid, gid.
 */
import t, { type Test } from 'tap';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { readUnixPeer } from '../../../lib/auth/peercred';
import { peerCredentials, raiseFileLimit, socketAddonUnavailable, trimHeap } from '../../../lib/native-sockets';
import { ErrorNumber } from '../../../lib/errors';

async function acceptedPair(t: Test): Promise<{ server: net.Socket; client: net.Socket }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peercred-'));
  const sock = path.join(dir, 's');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(sock, r));
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
  const client = net.connect(sock);
  const server = await accepted;
  t.teardown(() => {
    client.destroy();
    server.destroy();
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, client };
}

t.equal(socketAddonUnavailable(), '', 'the addon is built for this test run');

t.test('the accepted socket names this process', async (t) => {
  const { server } = await acceptedPair(t);
  const warnings: string[] = [];
  const peer = readUnixPeer(server, (m) => warnings.push(m));
  t.same(peer, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  t.same(warnings, [], 'nothing to warn about');
});

t.test('a TCP socket has no peer credentials: SYSTEM_ERROR, and readUnixPeer answers null', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
  const client = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  t.teardown(() => {
    client.destroy();
    server.destroy();
    srv.close();
  });
  t.throws(() => peerCredentials(server), { number: ErrorNumber.SYSTEM_ERROR, message: /SO_PEERCRED/ });
  t.equal(
    readUnixPeer(server, () => t.fail('no warning expected')),
    null,
  );
});

t.test('a destroyed socket is refused before any native call', async (t) => {
  const { server } = await acceptedPair(t);
  server.destroy();
  t.throws(() => peerCredentials(server), { number: ErrorNumber.INVALID_ARG, message: /no open descriptor/ });
});

t.test('raiseFileLimit leaves the soft limit at the hard limit', async (t) => {
  const lim = raiseFileLimit();
  t.ok(lim, 'the addon answers');
  t.equal(lim!.soft, lim!.hard);
  t.ok(lim!.soft >= 1024);
});

t.test('trimHeap reaches the addon', async (t) => {
  // true: pages were released, false: none were free; null would mean the addon lacks the call.
  t.equal(typeof trimHeap(), 'boolean');
});
