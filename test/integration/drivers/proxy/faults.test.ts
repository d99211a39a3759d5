// The proxy connection's failure paths, on the host. The client's exchange
// is synchronous (it blocks its event loop), so every client runs in its
// own process as the unprivileged user; the peers are either a fake helper
// served by this test process or the real test helper (proxy-harness.ts),
// stopped or killed from here.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Command, REPLY_MAX, REQUEST_LEN } from '../../../../lib/drivers/proxy/protocol';
import { loadAddon } from '../../../../lib/native';
import {
  alive,
  ensureDist,
  ensureTestUser,
  helperPid,
  replyBytes,
  runAsUser,
  setupTestProxy,
  sleep,
  waitFor,
  type TestProxy,
} from '../../../support/proxy-harness';

let proxy: TestProxy;

t.before(async () => {
  ensureTestUser();
  ensureDist();
  proxy = await setupTestProxy();
});
t.teardown(() => proxy?.close());

const mark = (name: string) => fs.writeFileSync(path.join(proxy.marks, name), '');
const marked = (name: string) => fs.existsSync(path.join(proxy.marks, name));
/** Client-side helpers for the marks directory. */
const CLIENT_MARKS = `
const fs = require('node:fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mark = (n) => fs.writeFileSync(process.env.MARKS + '/' + n, '');
const marked = (n) => fs.existsSync(process.env.MARKS + '/' + n);
const until = async (n) => {
  for (const end = Date.now() + 30000; !marked(n); await sleep(20)) if (Date.now() > end) throw new Error('no mark ' + n);
};
`;

type FakeMode = 'good' | 'bad-version' | 'oversized' | 'stray' | 'wrong-serial' | 'close-once' | 'close-always';

/** A stand-in helper at `socket` (closed at the end of `t`): answers HELLO and LOOKUP_ID properly, the rest as `mode` says. */
async function fakeHelper(t: Test, socket: string) {
  const state = { mode: 'good' as FakeMode, connections: 0, closed: 0 };
  const hello = Buffer.alloc(32);
  hello.writeUInt32LE(4, 0);
  hello.writeUInt32LE(17, 4);
  hello.write('.3', 16, 'latin1');
  const node = Buffer.alloc(40);
  [1, 2, 2, 1, 2_000_000, 0].forEach((v, i) => node.writeUInt32LE(v, i * 4));
  node.writeBigUInt64LE(262144n, 24);
  node.writeBigUInt64LE(1000n, 32);
  const server = net.createServer((conn) => {
    state.connections++;
    let buf = Buffer.alloc(0);
    conn.on('error', () => {});
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (; buf.length >= REQUEST_LEN; buf = buf.subarray(REQUEST_LEN)) {
        const command = buf.readUInt16LE(2);
        const serial = buf.readUInt32LE(4);
        if (command === Command.HELLO || command === Command.LOOKUP_ID) {
          const noDomain = Buffer.from('no such domain');
          conn.write(
            command === Command.HELLO
              ? replyBytes(command, serial, 0, hello)
              : replyBytes(command, serial, 4, noDomain),
          );
          continue;
        }
        switch (state.mode) {
          case 'good':
            conn.write(replyBytes(command, serial, 0, node));
            break;
          case 'bad-version':
            conn.write(replyBytes(command, serial, 0, node, 7));
            break;
          case 'oversized':
            conn.write(replyBytes(command, serial, 0, Buffer.alloc(0), 1, REPLY_MAX + 1));
            break;
          case 'stray':
            conn.write(Buffer.concat([replyBytes(command, serial, 0, node), replyBytes(command, serial, 0, node)]));
            break;
          case 'wrong-serial':
            conn.write(replyBytes(command, serial + 1, 0, node));
            break;
          case 'close-once':
            if (state.closed++ === 0) conn.destroy();
            else conn.write(replyBytes(command, serial, 0, node));
            break;
          case 'close-always':
            state.closed++;
            conn.destroy();
            break;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  fs.chmodSync(socket, 0o666);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return state;
}

t.test('replies that break the protocol fail the call with a typed error naming the socket', async (t) => {
  const socket = path.join(proxy.dir, 'fake.sock');
  const fake = await fakeHelper(t, socket);
  const body = `
const c = await xvirt.connect('xen:///system');
const first = await c.getNodeInfo().then((n) => n.cpus, errOf);
out({ first, next: await c.lookupDomainById(5).then(() => 'found', errOf) });
await c.close();`;
  const cases: Array<[FakeMode, RegExp]> = [
    ['bad-version', /sent a reply with protocol version 7/],
    ['oversized', new RegExp(`sent a reply of ${REPLY_MAX + 1} bytes`)],
    ['stray', /sent 56 stray bytes after the replies due \(1\)/],
    ['wrong-serial', /answered serial \d+ command 3 out of turn/],
  ];
  for (const [mode, why] of cases) {
    fake.mode = mode;
    const r = (await runAsUser(proxy, body, { XVIRT_PROXY_SOCKET: socket })) as Record<string, any>;
    t.notOk(r.fatal, `${mode}: the connection opened`, r.fatal);
    t.equal(r.first?.error, 'RPC', `${mode}: an RPC error`);
    t.match(r.first?.message, why, `${mode}: says what was wrong`);
    t.match(r.first?.message, socket, `${mode}: names the socket`);
    t.equal(r.next?.error, 'NO_DOMAIN', `${mode}: the next call gets its answer on a new connection`);
  }
  fake.mode = 'good';
  const good = (await runAsUser(proxy, body, { XVIRT_PROXY_SOCKET: socket })) as Record<string, any>;
  t.equal(good.first, 2, 'a good reply decodes');
});

t.test('a request lost with its connection is sent again, twice at most', async (t) => {
  const socket = path.join(proxy.dir, 'fake-close.sock');
  const fake = await fakeHelper(t, socket);
  const body = `
const c = await xvirt.connect('xen:///system');
out(await c.getNodeInfo().then((n) => n.cpus, errOf));
await c.close();`;
  fake.mode = 'close-once';
  t.equal(
    await runAsUser(proxy, body, { XVIRT_PROXY_SOCKET: socket }),
    2,
    'closed once: the resent request is answered',
  );
  t.equal(fake.connections, 2, 'on a second connection');
  fake.mode = 'close-always';
  fake.closed = 0;
  const r = (await runAsUser(proxy, body, { XVIRT_PROXY_SOCKET: socket })) as Record<string, any>;
  t.equal(r.error, 'RPC', 'closed every time: the call fails');
  t.match(r.message, new RegExp(`xvirt-proxy at ${socket} closed the connection 3 times before answering`));
  t.equal(fake.closed, 3, 'after exactly two resends');
});

t.test('a helper killed while calls run is replaced; no call fails', async (t) => {
  const r = runAsUser(
    proxy,
    `${CLIENT_MARKS}
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
const errors = [];
let calls = 0;
const call = () => d.getInfo().then(() => { calls++; }, (e) => errors.push(errOf(e)));
mark('kill-running');
for (const end = Date.now() + 30000; !marked('killed') && Date.now() < end;) await call();
for (let i = 0; i < 200; i++) await call();
out({ calls, errors, state: (await d.getInfo()).state });
await c.close();`,
    { MARKS: proxy.marks },
  );
  await waitFor('the client to run', () => marked('kill-running'));
  const pid = helperPid(proxy.lockFile);
  t.ok(pid > 0 && alive(pid), 'a helper serves the client');
  await sleep(100);
  process.kill(pid, 'SIGKILL');
  await waitFor('the helper to die', () => !alive(pid));
  mark('killed');
  const out = (await r) as Record<string, any>;
  t.notOk(out.fatal, 'no failure', out.fatal);
  t.same(out.errors, [], 'every call answered');
  t.ok(out.calls > 200, `${out.calls} calls`);
  t.not(helperPid(proxy.lockFile), pid, 'by a new helper after the kill');
});

t.test('a stopped helper times out the call; the client goes on once it answers again', async (t) => {
  const r = runAsUser(
    proxy,
    `${CLIENT_MARKS}
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
await d.getInfo();
mark('stop-ready');
await until('stopped');
let ticks = 0;
const timer = setInterval(() => { ticks++; }, 10);
const t0 = Date.now();
const err = await d.getInfo().then(() => null, errOf);
const waitedMs = Date.now() - t0;
await sleep(200);
clearInterval(timer);
mark('timed-out');
await until('resumed');
out({ err, waitedMs, ticks, state: (await d.getInfo()).state });
await c.close();`,
    { MARKS: proxy.marks },
  );
  await waitFor('the client to connect', () => marked('stop-ready'));
  const pid = helperPid(proxy.lockFile);
  t.ok(pid > 0 && alive(pid), 'a helper serves the client');
  process.kill(pid, 'SIGSTOP');
  t.teardown(() => {
    if (alive(pid)) process.kill(pid, 'SIGCONT');
  });
  mark('stopped');
  await waitFor('the call to time out', () => marked('timed-out'));
  process.kill(pid, 'SIGCONT');
  mark('resumed');
  const out = (await r) as Record<string, any>;
  t.notOk(out.fatal, 'no failure', out.fatal);
  t.equal(out.err?.error, 'OPERATION_TIMEOUT', 'a timeout error');
  t.match(
    out.err?.message,
    new RegExp(`xvirt-proxy at ${proxy.socket} timed out: no reply within 2000 ms`),
    'naming the socket and the time',
  );
  t.ok(out.waitedMs >= 1900 && out.waitedMs < 4000, `after the 2 s timeout, not retried (${out.waitedMs} ms)`);
  t.ok(out.ticks > 0, 'timers run again afterwards');
  t.equal(typeof out.state, 'number', 'the next call is answered');
});

t.test('a batch larger than the socket buffers is written while its replies are read', async (t) => {
  // 20,000 requests (640 KB) outgrow the socket buffer while the helper, holding 64 KB of
  // unread replies, stops reading: the exchange must read while it waits to write.
  const r = (await runAsUser(
    proxy,
    `
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
const infos = await Promise.all(Array.from({ length: 20000 }, () => d.getInfo()));
out({ n: infos.length, same: infos.every((i) => i.memoryKiB === infos[0].memoryKiB && i.state === infos[0].state),
  after: (await d.getInfo()).memoryKiB === infos[0].memoryKiB });
await c.close();`,
  )) as Record<string, any>;
  t.same(r, { n: 20000, same: true, after: true }, 'every call answered, and the connection still works');
});

t.test('the native channel checks its arguments', async (t) => {
  const ch = new (loadAddon().ProxyChannel)();
  t.throws(() => ch.connect('', 1000), TypeError, 'empty path');
  t.throws(() => ch.connect('/x', 0), TypeError, 'zero timeout');
  t.throws(() => ch.connect('a\0b', 1000), TypeError, 'NUL in the path');
  t.equal(ch.connect('/nonexistent/proxy.sock', 1000), 2, 'ENOENT as an errno');
  t.equal(ch.connect('/' + 'x'.repeat(200), 1000), 36, 'ENAMETOOLONG for a path sockaddr_un cannot hold');
  const req = Buffer.alloc(64);
  const out = Buffer.alloc(64);
  t.throws(() => ch.exchange(req, 31, out), TypeError, 'a partial request');
  t.throws(() => ch.exchange(req, 96, out), TypeError, 'beyond the buffer');
  t.throws(() => ch.exchange(req, 0, out), TypeError, 'no request');
  t.throws(() => ch.exchange(req, 32, 'x' as unknown as Buffer), TypeError, 'out not a buffer');
  t.throws(() => ch.exchange(req, 32, out), { code: 'PC_ELOST', message: /not connected/ }, 'not connected');
  t.throws(() => ch.take('x' as unknown as Buffer), TypeError, 'take needs a buffer');
});
