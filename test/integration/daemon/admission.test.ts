/**
 * xvirtd's admission control (lib/daemon/admission.ts) with real sockets: max_clients,
 * the unix reserve a TCP/TLS flood cannot take, max_anonymous_clients counting TLS
 * handshakes, the handshake deadline that really closes the socket, max_workers, and
 * fresh clients served while idle and half-open connections are held.
 */
import t, { type Test } from 'tap';
import * as net from 'node:net';
import { connect } from '../../../lib/connection';
import { defaultConfig } from '../../../lib/daemon/config';
import { startDaemonInProcess } from '../../support/xvirtd';
import { TestPki } from '../../support/pki';

/** Opens a raw connection and resolves once it is established; `closed` resolves when the daemon closes it. */
async function hold(
  t: Test,
  path: string | number,
  partial = false,
): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = typeof path === 'number' ? net.connect(path, '127.0.0.1') : net.connect(path);
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
  // A length word announcing a frame that never comes, as a half-open client leaves it.
  if (partial) socket.write(Buffer.from([0, 0, 0, 200, 0x20]));
  t.teardown(() => {
    socket.destroy();
  });
  return { socket, closed };
}

/** True when the daemon closes `c` within `ms` (a generous bound: it closes at accept). */
function closedWithin(c: { closed: Promise<void> }, ms: number): Promise<boolean> {
  return Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function fresh(uri: string): Promise<string[]> {
  const conn = await connect(uri);
  try {
    return (await conn.listAllDomains()).map((d) => d.name);
  } finally {
    await conn.close();
  }
}

/** Waits (generously) until the daemon holds `n` clients. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !cond();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('max_clients, and the unix reserve a TCP flood cannot take', async (t) => {
  const d = await startDaemonInProcess(t, { listenTcp: true, maxClients: 8, unixClientsReserve: 4, logLevel: 3 });
  const tcp = [];
  for (let i = 0; i < 4; i++) tcp.push(await hold(t, d.tcpPort!, i % 2 === 0));
  await until(() => d.daemon.clients.size === 4, '4 TCP clients');
  const fifth = await hold(t, d.tcpPort!);
  t.ok(await closedWithin(fifth, 5000), "a fifth TCP client is closed: the last 4 slots are the unix sockets'");
  t.same(await fresh(`test+unix:///default?socket=${d.rwSocket}`), ['test'], 'local root is served meanwhile');
  const unix = [];
  for (let i = 0; i < 4; i++) unix.push(await hold(t, i % 2 ? d.roSocket : d.rwSocket));
  await until(() => d.daemon.clients.size === 8, '8 clients');
  const ninth = await hold(t, d.rwSocket);
  t.ok(await closedWithin(ninth, 5000), 'past max_clients even a unix client is closed');
  const log = d.log.join('');
  t.match(log, /refusing tcp client: TCP\/TLS clients hold 4 slots; the last 4 are kept for the unix sockets/);
  t.match(log, /refusing unix-rw client: max_clients \(8\) reached/);
  for (const c of tcp) t.notOk(c.socket.destroyed, 'the held TCP clients are untouched');
  unix[0]!.socket.destroy();
  await until(() => d.daemon.clients.size === 7, 'a slot to free');
  t.same(await fresh(`test+unix:///default?socket=${d.rwSocket}`), ['test'], 'a freed slot serves a new unix client');
});

t.test('refusals are logged at a bounded rate', async (t) => {
  const d = await startDaemonInProcess(t, { listenTcp: true, maxClients: 2, unixClientsReserve: 1, logLevel: 3 });
  await hold(t, d.tcpPort!);
  await until(() => d.daemon.clients.size === 1, 'one TCP client');
  const refused: ({ closed: Promise<void> } | null)[] = [];
  for (let i = 0; i < 30; i++) refused.push(await hold(t, d.tcpPort!).catch(() => null));
  const closed = await Promise.all(refused.map((r) => (r ? closedWithin(r, 5000) : Promise.resolve(true))));
  t.ok(closed.every(Boolean), 'all 30 closed');
  const lines = d.log.filter((l) => /refusing tcp client/.test(l));
  t.ok(lines.length >= 1 && lines.length < 30, `30 refusals, ${lines.length} lines`);
  await new Promise((r) => setTimeout(r, 1100));
  await hold(t, d.tcpPort!).catch(() => null);
  await until(() => d.log.some((l) => /more refused for this since the last line/.test(l)), 'the summary line');
});

t.test('a failed accept is logged at a bounded rate and the listener goes on', async (t) => {
  const d = await startDaemonInProcess(t, { logLevel: 3 });
  // The daemon's own listening server: what node hands a failed accept() to, as an 'error' event.
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const server = handles.find((h): h is net.Server => h instanceof net.Server && h.address() === d.rwSocket);
  t.ok(server, "found the daemon's unix-rw server");
  for (let i = 0; i < 5; i++) server!.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS' }));
  const lines = d.log.filter((l) => /accepting a unix-rw client failed: accept ENOBUFS/.test(l));
  t.equal(lines.length, 1, 'five failures within a second, one line');
  t.same(await fresh(`test+unix:///default?socket=${d.rwSocket}`), ['test'], 'the next client is served');
  await new Promise((r) => setTimeout(r, 1100));
  server!.emit('error', Object.assign(new Error('accept ENOBUFS'), { code: 'ENOBUFS' }));
  t.match(d.log.at(-1), /accept ENOBUFS \(4 more since the last line\)/, 'then a line counting those not logged');
});

t.test('fresh clients are served while idle and half-open connections are held', async (t) => {
  const d = await startDaemonInProcess(t, { listenTcp: true, logLevel: 3 });
  const held = [];
  for (let i = 0; i < 150; i++) held.push(hold(t, i % 3 === 0 ? d.tcpPort! : d.rwSocket, i % 2 === 0));
  await Promise.all(held);
  await until(() => d.daemon.clients.size === 150, '150 held clients');
  const unix = `test+unix:///default?socket=${d.rwSocket}`;
  const tcp = `test+tcp://127.0.0.1:${d.tcpPort}/default`;
  const answers = await Promise.all([...Array(10)].flatMap(() => [fresh(unix), fresh(tcp)]));
  t.same(answers, Array(20).fill(['test']), '20/20 fresh clients served');
});

t.test('max_workers: calls beyond it wait their turn and are all answered', async (t) => {
  const d = await startDaemonInProcess(t, { maxWorkers: 1, logLevel: 3 });
  const uri = `test+unix:///default?socket=${d.rwSocket}`;
  const conns = await Promise.all([...Array(5)].map(() => connect(uri)));
  t.teardown(() => Promise.all(conns.map((c) => c.close())));
  const results = await Promise.all(
    conns.flatMap((c) =>
      [...Array(10)].map(() =>
        c
          .lookupDomainByName('test')
          .then((dom) => dom.getState())
          .then((s) => s.state),
      ),
    ),
  );
  t.same(results, Array(50).fill(1), 'all 50 calls answered (running)');
  t.equal(d.daemon.stats().inflight, 0);
  t.equal(d.daemon.stats().waitingForWorker, 0);
});

t.test('TLS: handshakes count as anonymous, a silent one is closed at the deadline', async (t) => {
  const pki = await TestPki.create();
  t.teardown(() => pki.cleanup());
  const security = {
    ...defaultConfig().security,
    listenTls: true,
    tlsPort: 0,
    keyFile: pki.server.key,
    certFile: pki.server.cert,
    caFile: pki.ca.cert,
    maxAnonymousClients: 3,
  };
  const d = await startDaemonInProcess(t, { security, logLevel: 3 });
  const tlsPort = Number(
    d.daemon.addresses
      .find((a) => a.kind === 'tls')!
      .address.split(':')
      .pop(),
  );
  const silent = [];
  for (let i = 0; i < 3; i++) silent.push(await hold(t, tlsPort));
  await until(() => d.daemon.stats().tlsHandshakes === 3, '3 handshakes');
  const fourth = await hold(t, tlsPort);
  t.ok(await closedWithin(fourth, 5000), 'a fourth silent TLS client is closed at once');
  t.match(d.log.join(''), /refusing tls client: max_anonymous_clients \(3\) not yet authenticated/);
  t.same(await fresh(`test+unix:///default?socket=${d.rwSocket}`), ['test'], 'the unix socket is served meanwhile');
  // The handshake deadline is 10 s; Node only reports it, the daemon must close the socket.
  t.ok(await closedWithin(silent[0]!, 30_000), 'a silent TLS client is disconnected at the handshake deadline');
  await until(() => d.daemon.stats().tlsHandshakes === 0, 'the handshakes to be released');
  t.match(d.log.join(''), /TLS client .* refused during handshake: .*timeout/i);
});
