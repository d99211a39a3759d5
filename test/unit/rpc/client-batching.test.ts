/**
 * The client's outgoing path: frames queued in OutgoingFrames and written
 * once per tick, and the remote driver's pre-encoded getInfo args. Over an
 * in-memory duplex that records every write, so the tests see exactly what
 * reaches the stream and when.
 */
import { Duplex } from 'node:stream';
import t, { type Test } from 'tap';
import { RemoteDriver } from '../../../lib/drivers/remote/driver';
import { ErrorNumber, XvirtError } from '../../../lib/errors';
import { RpcClient } from '../../../lib/rpc/client';
import { encodeMessage, encodeReply, FrameDecoder, OutgoingFrames, type Message } from '../../../lib/rpc/framing';
import { PROCEDURES, RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { MAX_FRAME_LENGTH, MessageStatus, MessageType, REMOTE_PROGRAM } from '../../../lib/rpc/protocol';
import { decode } from '../../../lib/rpc/xdr';
import type { DomainRef } from '../../../lib/types';

const DOM: DomainRef = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
const INFO = { state: 1, maxMemKiB: 8192, memoryKiB: 4096, nrVirtCpu: 2, cpuTimeNs: 123n };

const callHeader = (procedure: number, serial: number) => ({
  program: REMOTE_PROGRAM,
  version: 1,
  procedure,
  type: MessageType.CALL,
  serial,
  status: MessageStatus.OK,
});

/** A duplex whose writes are recorded; push() plays bytes from the "server". */
function recordingStream(): { stream: Duplex; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      writes.push(Buffer.from(chunk));
      cb();
    },
    read() {
      /* replies are pushed by the test */
    },
  });
  return { stream, writes };
}

const framesOf = (bytes: Buffer): Message[] => new FrameDecoder().push(bytes);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test("OutgoingFrames: the bytes are encodeMessage's, and taken bytes are never rewritten", async (t) => {
  // The default 64 KiB slab (the client) and xvirtd's 2 KiB one, which frames outgrow at once.
  for (const slab of [undefined, 2048])
    await t.test(`slab ${slab ?? 'default'}`, async (t) => framesIntact(t, new OutgoingFrames(slab)));
});

async function framesIntact(t: Test, out: OutgoingFrames): Promise<void> {
  t.equal(out.take(), null, 'nothing queued');
  const taken: Array<{ bytes: Buffer; expected: Buffer }> = [];
  // Enough frames of varied sizes to outgrow several slabs, taking every few frames.
  let expected: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const payload = Buffer.alloc((i * 37) % 400, i & 0xff);
    if (i % 5 === 0) {
      // A shared body behind a per-message leading int (xvirtd's event callbackID), negative ones included.
      const lead = i - 1000;
      out.push(callHeader(16, i), payload, lead);
      const word = Buffer.alloc(4);
      word.writeInt32BE(lead);
      expected.push(encodeMessage(callHeader(16, i), Buffer.concat([word, payload])));
    } else {
      out.push(callHeader(16, i), payload);
      expected.push(encodeMessage(callHeader(16, i), payload));
    }
    if (i % 7 === 6) {
      taken.push({ bytes: out.take()!, expected: Buffer.concat(expected) });
      expected = [];
    }
  }
  t.equal(
    out.queued,
    expected.reduce((n, b) => n + b.length, 0),
    'queued counts untaken bytes',
  );
  taken.push({ bytes: out.take()!, expected: Buffer.concat(expected) });
  t.equal(out.queued, 0);
  t.ok(
    taken.every((x) => x.bytes.equals(x.expected)),
    'every taken buffer still holds exactly its frames',
  );
}

t.test('OutgoingFrames: a burst many slabs long, taken once, is every frame in order', async (t) => {
  const out = new OutgoingFrames();
  const expected: Buffer[] = [];
  for (let i = 0; i < 5000; i++) {
    const payload = Buffer.alloc(32 + (i % 5) * 4, i & 0xff);
    out.push(callHeader(16, i), payload);
    expected.push(encodeMessage(callHeader(16, i), payload));
  }
  t.ok(out.take()!.equals(Buffer.concat(expected)));
  t.equal(out.take(), null, 'nothing left');
});

t.test('OutgoingFrames: a frame over the protocol maximum fails and queues nothing', async (t) => {
  const out = new OutgoingFrames();
  out.push(callHeader(16, 1), Buffer.alloc(8));
  t.throws(() => out.push(callHeader(16, 2), Buffer.alloc(MAX_FRAME_LENGTH)), {
    name: 'XvirtError',
    number: ErrorNumber.RPC,
    message: /exceeds the maximum/,
  });
  const frames = framesOf(out.take()!);
  t.same(
    frames.map((m) => m.header.serial),
    [1],
    'only the good frame',
  );
});

t.test('calls made in one tick go out in one write, in order; chained calls batch again', async (t) => {
  const { stream, writes } = recordingStream();
  const client = new RpcClient(stream, { endpoint: 'memory' });
  const first = Array.from({ length: 50 }, () => client.call(P.DOMAIN_GET_INFO, { dom: DOM }));
  t.equal(writes.length, 0, 'nothing written before the tick ends');
  await tick();
  t.equal(writes.length, 1, 'one write for 50 calls');
  const calls = framesOf(writes[0]!);
  t.same(
    calls.map((m) => m.header.serial),
    Array.from({ length: 50 }, (_, i) => i),
    'serials in call order',
  );
  t.ok(calls.every((m) => m.header.procedure === P.DOMAIN_GET_INFO && m.header.type === MessageType.CALL));
  t.same(decode(PROCEDURES[P.DOMAIN_GET_INFO].args, calls[0]!.payload), { dom: DOM }, 'args encoded');

  // Each reply's continuation makes a new call: all 50 land in the next single write.
  const chained = first.map((p) => p.then(() => client.call(P.DOMAIN_GET_INFO, { dom: DOM })));
  stream.push(
    Buffer.concat(calls.reverse().map((m) => encodeReply(m.header, PROCEDURES[P.DOMAIN_GET_INFO].ret, INFO))),
  );
  t.same(
    await Promise.all(first),
    first.map(() => INFO),
    'replies matched by serial, out of order',
  );
  await tick();
  t.equal(writes.length, 2, 'the chained calls share one write');
  t.equal(framesOf(writes[1]!).length, 50);
  stream.destroy();
  await t.rejects(Promise.all(chained), XvirtError, 'pending calls fail when the stream goes');
});

t.test('a call queued when the stream dies is rejected and never written', async (t) => {
  const { stream, writes } = recordingStream();
  const client = new RpcClient(stream, { endpoint: 'memory' });
  const pending = client.call(P.DOMAIN_GET_INFO, { dom: DOM });
  stream.destroy();
  await t.rejects(pending, { name: 'XvirtError', number: ErrorNumber.SYSTEM_ERROR, message: /lost/ });
  await tick();
  t.equal(writes.length, 0);
});

t.test('remote driver: getInfo args are encoded per domain, and a changed ref is re-encoded', async (t) => {
  const { stream, writes } = recordingStream();
  const client = new RpcClient(stream, { endpoint: 'memory' });
  const driver = new RemoteDriver({
    client,
    uriText: 'test+unix:///default',
    transportSecure: true,
    eventCallbacks: true,
  });
  const other: DomainRef = { ...DOM, name: 'other', id: 7 };
  const answers = [driver.domainGetInfo(DOM), driver.domainGetInfo(other), driver.domainGetInfo(DOM)];
  (DOM as { id: number }).id = 2; // readonly in the type; a caller that mutates anyway still gets the right bytes
  answers.push(driver.domainGetInfo(DOM));
  await tick();
  const calls = framesOf(Buffer.concat(writes));
  const sent = calls.map((m) => decode(PROCEDURES[P.DOMAIN_GET_INFO].args, m.payload).dom);
  t.same(sent, [{ ...DOM, id: 1 }, other, { ...DOM, id: 1 }, { ...DOM, id: 2 }]);
  stream.push(Buffer.concat(calls.map((m) => encodeReply(m.header, PROCEDURES[P.DOMAIN_GET_INFO].ret, INFO))));
  t.same(
    await Promise.all(answers),
    answers.map(() => INFO),
  );
  await t.rejects(
    driver.domainGetInfo({ ...DOM, uuid: 'not-a-uuid' }),
    { number: ErrorNumber.RPC, message: /args\.dom\.uuid/ },
    'bad refs still fail at encoding, as call() fails them',
  );
  stream.destroy();
});
