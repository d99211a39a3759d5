/**
 * Robustness: malformed frames, hostile payloads, floods, slow readers and
 * abrupt disconnects thrown at xvirtd while a well-behaved client keeps
 * polling getInfo. The good client must get every answer right throughout,
 * the daemon must never crash, and each dropped client's connection and
 * event subscription must be freed (daemon.stats() returns to baseline).
 */
import * as net from 'node:net';
import t from 'tap';
import { encodeCall, encodeMessage } from '../../../lib/rpc/framing';
import { RemoteProcedure as P, PROCEDURES } from '../../../lib/rpc/procedures';
import { MessageType, REMOTE_PROGRAM } from '../../../lib/rpc/protocol';
import { virsh } from '../../support/virsh';
import { PRE_OPEN_MESSAGE_MAX } from '../../../lib/daemon/session';
import { DEFAULT_DOMAIN as TEST_DOM } from '../../support/api-conformance';
import { RawClient, startDaemonInProcess, startXvirtd } from '../../support/xvirtd';

/** Deterministic PRNG (mulberry32): a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.XVIRTD_FUZZ_SEED ?? 20261125);

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

const opened = RawClient.opened;

/** Polls getInfo until stopped, recording any wrong answer. */
function wellBehaved(c: RawClient): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const info = await c.call(P.DOMAIN_GET_INFO, { dom: TEST_DOM });
        if (info.state === 1 && info.memoryKiB === 2097152 && info.nrVirtCpu === 2) ok++;
        else failures.push(`wrong answer ${JSON.stringify(info, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      } catch (err) {
        failures.push(String((err as { remote?: { message?: string } }).remote?.message ?? err));
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}

t.test('hostile clients never hurt a well-behaved one, and are freed', async (t) => {
  const { rwSocket, daemon } = await startDaemonInProcess(t, { keepaliveInterval: -1 });
  const good = await opened(rwSocket);
  t.teardown(() => good.close());
  const baseline = daemon.stats();
  t.match(baseline, { clients: 1, connections: 1, eventSubscriptions: 0 });
  const poller = wellBehaved(good);
  const rand = prng(SEED);
  const backToBaseline = (what: string): Promise<unknown> =>
    good.until(
      () => {
        const s = daemon.stats();
        return s.clients === baseline.clients && s.connections === baseline.connections && s.eventSubscriptions === 0
          ? true
          : undefined;
      },
      `${what}: daemon back to baseline (now ${JSON.stringify(daemon.stats())})`,
      10000,
    );

  await t.test('bad length words drop the sender only', async (t) => {
    for (const length of [0, 4, 27, 0x02000005, 0xffffffff]) {
      const c = await RawClient.connect(rwSocket);
      const b = Buffer.alloc(28);
      b.writeUInt32BE(length, 0);
      c.send(b);
      await c.waitClosed();
      t.pass(`length ${length}: connection dropped`);
    }
    await backToBaseline('bad lengths');
  });

  await t.test('big messages: refused before CONNECT_OPEN, accepted after', async (t) => {
    const early = await RawClient.connect(rwSocket);
    const b = Buffer.alloc(400000);
    b.writeUInt32BE(1 << 20, 0);
    early.send(b);
    await early.waitClosed();
    t.pass(`a 1 MiB message before open: dropped from its length word (limit ${PRE_OPEN_MESSAGE_MAX})`);
    const late = await opened(rwSocket);
    const xml = `<domain type='test'><name>big</name><description>${'x'.repeat(1 << 20)}</description></domain>`;
    const serial = late.sendCall(P.DOMAIN_DEFINE_XML, { xml });
    const reply = await late.reply(serial, 10000);
    t.ok(reply.header.status === 0 || reply.header.status === 1, 'a 1 MiB define after open gets an answer');
    t.same(await late.call(P.CONNECT_GET_TYPE), { type: 'TEST' }, 'and the session goes on');
    if (reply.header.status === 0)
      await late.call(P.DOMAIN_UNDEFINE, { dom: (await late.call(P.DOMAIN_LOOKUP_BY_NAME, { name: 'big' })).dom });
    late.close();
    await backToBaseline('big messages');
  });

  await t.test('wrong program, version, type, status: error replies, connection kept', async (t) => {
    const c = await opened(rwSocket);
    const cases: Array<[string, Partial<{ program: number; version: number; type: number; status: number }>]> = [
      ['program', { program: 0x12345678 }],
      ['version', { version: 2 }],
      ['type STREAM_HOLE', { type: MessageType.STREAM_HOLE }],
      ['type CALL_WITH_FDS', { type: MessageType.CALL_WITH_FDS }],
      ['status ERROR', { status: 1 }],
      ['status 77', { status: 77 }],
    ];
    let serial = 5000;
    for (const [what, h] of cases) {
      c.send(
        encodeMessage({
          program: REMOTE_PROGRAM,
          version: 1,
          procedure: P.CONNECT_GET_TYPE,
          type: 0,
          serial,
          status: 0,
          ...h,
        }),
      );
      const reply = await c.until(() => c.messages.find((m) => m.header.serial === serial), `reply to ${what}`);
      serial++;
      t.equal(reply.header.status, 1, `${what}: error reply`);
      t.equal(reply.header.type, MessageType.REPLY, `${what}: reply type`);
    }
    // Replies and messages from a client are not answered, just ignored; so is stream data for no
    // open stream (libvirtd drops it: data is never acknowledged, and may trail a closed stream).
    c.send(
      encodeMessage({
        program: REMOTE_PROGRAM,
        version: 1,
        procedure: 201,
        type: MessageType.STREAM,
        serial: 7,
        status: 2,
      }),
    );
    c.send(
      encodeMessage({
        program: REMOTE_PROGRAM,
        version: 1,
        procedure: 3,
        type: MessageType.REPLY,
        serial: 1,
        status: 0,
      }),
    );
    c.send(
      encodeMessage({
        program: REMOTE_PROGRAM,
        version: 1,
        procedure: 3,
        type: MessageType.MESSAGE,
        serial: 1,
        status: 0,
      }),
    );
    t.same(await c.call(P.CONNECT_GET_TYPE), { type: 'TEST' }, 'the connection still works');
    c.close();
    await backToBaseline('wrong headers');
  });

  await t.test('hostile payloads: truncated, oversized, bad markers and enums, trailing bytes', async (t) => {
    const c = await opened(rwSocket);
    const raw = async (proc: number, payload: Buffer): Promise<number> => {
      const serial = 9000 + Math.floor(rand() * 100000);
      c.send(
        encodeMessage({ program: REMOTE_PROGRAM, version: 1, procedure: proc, type: 0, serial, status: 0 }, payload),
      );
      const reply = await c.reply(serial);
      return reply.header.status;
    };
    const u32 = (...v: number[]): Buffer =>
      Buffer.concat(
        v.map((n) => {
          const b = Buffer.alloc(4);
          b.writeUInt32BE(n >>> 0);
          return b;
        }),
      );
    t.equal(await raw(P.DOMAIN_LOOKUP_BY_NAME, u32(10)), 1, 'string longer than the payload');
    t.equal(await raw(P.DOMAIN_LOOKUP_BY_NAME, u32(0xfffffff0)), 1, 'string length beyond REMOTE_STRING_MAX');
    t.equal(await raw(P.DOMAIN_GET_INFO, u32(4, 0x74657374)), 1, 'domain truncated after its name');
    t.equal(await raw(P.CONNECT_OPEN, u32(7, 0)), 1, 'optional marker 7');
    t.equal(await raw(P.DOMAIN_LOOKUP_BY_ID, u32(1, 2)), 1, 'trailing bytes');
    t.equal(
      await raw(P.DOMAIN_LOOKUP_BY_NAME, Buffer.concat([u32(3), Buffer.from('ab\0\x01')])),
      1,
      'non-zero padding',
    );
    t.equal(
      await raw(P.DOMAIN_LOOKUP_BY_NAME, Buffer.concat([u32(2), Buffer.from([0xc3, 0x28, 0, 0])])),
      1,
      'invalid UTF-8',
    );
    t.equal(await raw(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, u32(0xffffffff, 0)), 1, 'event id -1');
    t.equal(await raw(P.CONNECT_LIST_ALL_DOMAINS, u32(1)), 1, 'missing flags');
    t.equal(await raw(P.CONNECT_LIST_DOMAINS, u32(0x7fffffff)), 1, 'maxids far beyond the list maximum');
    // Every procedure xvirt knows, with random bytes for arguments: never a crash, always an answer.
    for (const proc of Object.keys(PROCEDURES).map(Number)) {
      if (proc === P.CONNECT_CLOSE) continue;
      for (let i = 0; i < 5; i++) {
        const status = await raw(proc, randomBytes(rand, Math.floor(rand() * 64)));
        if (status !== 0 && status !== 1) t.fail(`procedure ${proc}: status ${status}`);
      }
    }
    t.same(await c.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }), { state: 1, reason: 0 }, 'still usable');
    c.close();
    await backToBaseline('hostile payloads');
  });

  await t.test('every procedure number before CONNECT_OPEN gets an error, not a crash', async (t) => {
    const c = await RawClient.connect(rwSocket);
    let answered = 0;
    for (let proc = -2; proc <= 460; proc++) {
      if (proc === P.CONNECT_CLOSE) continue;
      c.send(
        encodeMessage({ program: REMOTE_PROGRAM, version: 1, procedure: proc, type: 0, serial: proc + 10, status: 0 }),
      );
    }
    for (let proc = -2; proc <= 460; proc++) {
      if (proc === P.CONNECT_CLOSE) continue;
      const r = await c.reply(proc + 10);
      if (r.header.status === 1 || proc === P.AUTH_LIST || proc === P.CONNECT_CLOSE) answered++;
    }
    t.equal(answered, 462, 'all answered; all but AUTH_LIST refused');
    c.close();
    await backToBaseline('calls before open');
  });

  await t.test('random frames and random bytes', async (t) => {
    const frames = await RawClient.connect(rwSocket);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const programs = [REMOTE_PROGRAM, 0x6b656570, Math.floor(rand() * 2 ** 32)];
      chunks.push(
        encodeMessage(
          {
            program: programs[Math.floor(rand() * 3)]!,
            version: rand() < 0.8 ? 1 : Math.floor(rand() * 5),
            procedure: rand() < 0.5 ? 1 + Math.floor(rand() * 460) : Math.floor(rand() * 2 ** 31),
            type: Math.floor(rand() * 8),
            serial: 100000 + i,
            status: Math.floor(rand() * 4),
          },
          randomBytes(rand, Math.floor(rand() * 96)),
        ),
      );
    }
    frames.send(Buffer.concat(chunks));
    t.same(await frames.call(P.AUTH_LIST), { types: [0] }, 'framing intact after 2000 random frames');
    frames.close();
    for (let i = 0; i < 20; i++) {
      const c = await RawClient.connect(rwSocket);
      c.send(randomBytes(rand, 1 + Math.floor(rand() * 70000)));
      await new Promise((r) => setTimeout(r, 5));
      c.close();
    }
    t.pass('20 connections of random bytes');
    await backToBaseline('random input');
  });

  await t.test('disconnects mid-message and mid-call', async (t) => {
    for (let i = 0; i < 10; i++) {
      const c = await opened(rwSocket);
      for (let k = 0; k < 50; k++) c.sendCall(P.DOMAIN_GET_INFO, { dom: TEST_DOM });
      await c.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null });
      c.send(encodeCall(P.DOMAIN_GET_INFO, 77, PROCEDURES[P.DOMAIN_GET_INFO].args, { dom: TEST_DOM }).subarray(0, 30));
      c.close();
    }
    const half = await RawClient.connect(rwSocket);
    const b = Buffer.alloc(1000);
    b.writeUInt32BE(1 << 20, 0);
    half.send(b);
    half.close();
    t.pass('10 clients vanished with calls in flight and event registrations; one mid-1MiB message');
    await backToBaseline('disconnects');
  });

  await t.test('a PING flood from a client that does not read is absorbed, then answered in full', async (t) => {
    const flooder = await RawClient.connect(rwSocket);
    flooder.socket.pause();
    const ping = encodeMessage({ program: 0x6b656570, version: 1, procedure: 1, type: 2, serial: 0, status: 0 });
    const count = 50000;
    flooder.send(Buffer.concat(Array.from({ length: count }, () => ping)));
    await new Promise((r) => setTimeout(r, 500));
    t.equal(daemon.stats().clients, baseline.clients + 1, 'the flooder is throttled, not dropped');
    flooder.socket.resume();
    await flooder.until(() => (flooder.messages.length >= count ? true : undefined), 'all PONGs', 20000);
    t.equal(flooder.messages.filter((m) => m.header.procedure === 2).length, count, 'one PONG per PING, none lost');
    flooder.close();
    await backToBaseline('ping flood');
  });

  const result = await poller.stop();
  t.same(result.failures, [], 'the well-behaved client never got a wrong answer');
  t.ok(result.ok > 50, `and kept being served (${result.ok} getInfo calls)`);
  t.same(await good.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }), { state: 1, reason: 0 });
});

t.test('a client that stops reading its events is dropped at max_client_output; others unaffected', async (t) => {
  const { rwSocket, daemon } = await startDaemonInProcess(t, { keepaliveInterval: -1, maxClientOutput: 65536 });
  const actor = await opened(rwSocket);
  t.teardown(() => actor.close());
  // The slow reader registers blindly, then never reads again.
  const slow = net.connect(rwSocket);
  await new Promise((r) => slow.once('connect', r));
  slow.on('error', () => undefined);
  slow.write(
    Buffer.concat([
      encodeCall(P.AUTH_LIST, 0, PROCEDURES[P.AUTH_LIST].args, undefined),
      encodeCall(P.CONNECT_OPEN, 1, PROCEDURES[P.CONNECT_OPEN].args, { name: 'test:///default', flags: 0 }),
      encodeCall(
        P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        2,
        PROCEDURES[P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY].args,
        { eventID: 0, dom: null },
      ),
    ]),
  );
  slow.pause();
  await actor.until(() => (daemon.stats().eventSubscriptions === 1 ? true : undefined), 'the slow reader to register');
  const slowClosed = new Promise((r) => slow.once('close', r));
  for (let round = 0; round < 40 && !slow.destroyed && daemon.stats().clients > 1; round++) {
    const serials: number[] = [];
    for (let i = 0; i < 250; i++) {
      serials.push(
        actor.sendCall(P.DOMAIN_SUSPEND, { dom: TEST_DOM }),
        actor.sendCall(P.DOMAIN_RESUME, { dom: TEST_DOM }),
      );
    }
    const replies = await Promise.all(serials.map((s) => actor.reply(s)));
    if (replies.some((r) => r.header.status !== 0)) t.fail('the actor got an error');
    actor.messages.length = 0;
  }
  await actor.until(() => (daemon.stats().clients === 1 ? true : undefined), 'the slow reader to be dropped');
  slow.resume();
  await slowClosed;
  t.same(
    daemon.stats(),
    {
      clients: 1,
      inflight: 0,
      connections: 1,
      eventSubscriptions: 0,
      waitingForWorker: 0,
      tlsHandshakes: 0,
      streams: 0,
      // When the heap trims ran is the daemon's affair (lib/daemon/heap-trim.ts), not what the drop freed.
      heapTrims: daemon.stats().heapTrims,
    },
    'its connection and subscription freed',
  );
  t.same(
    await actor.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }),
    { state: 1, reason: 5 },
    'the actor carries on',
  );
});

t.test('the real daemon process survives garbage and keeps serving virsh', async (t) => {
  const d = await startXvirtd(t);
  const rand = prng(SEED + 1);
  for (let i = 0; i < 10; i++) {
    const c = await RawClient.connect(d.rwSocket);
    c.send(randomBytes(rand, 1 + Math.floor(rand() * 5000)));
    c.close();
  }
  const c = await RawClient.connect(d.rwSocket);
  const b = Buffer.alloc(28);
  b.writeUInt32BE(3, 0);
  c.send(b);
  await c.waitClosed();
  const r = await virsh(d.uri('unix'), 'domstate test');
  t.equal(r.stdout.trim(), 'running', `virsh still served: ${r.stderr}`);
  t.equal(d.proc.exitCode, null, 'daemon alive');
  t.equal(await d.stop(), 0, 'and it exits cleanly on SIGTERM');
  t.notMatch(d.stderr(), /Uncaught|TypeError|RangeError/, 'no crash traces in its log');
});
