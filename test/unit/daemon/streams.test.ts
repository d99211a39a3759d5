import { Duplex } from 'node:stream';
import t from 'tap';
import { SessionStreams } from '../../../lib/daemon/streams';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import { FrameDecoder, encodeMessage, type Message } from '../../../lib/rpc/framing';
import { MessageStatus, MessageType, REMOTE_PROGRAM, type MessageHeader } from '../../../lib/rpc/protocol';
import {
  decodeServerPacket,
  encodeStreamAbort,
  encodeStreamData,
  encodeStreamOk,
  STREAM_CHUNK_MAX,
} from '../../../lib/rpc/stream';

const CALL: MessageHeader = {
  program: REMOTE_PROGRAM,
  version: 1,
  procedure: 201,
  type: MessageType.CALL,
  serial: 9,
  status: 0,
};
const ID = { procedure: 201, serial: 9 };
const tick = () => new Promise((r) => setImmediate(r));

/** A console stand-in: what the daemon writes lands in `written`; `emit()` is the guest printing. */
class FakeSource extends Duplex {
  written: Buffer[] = [];
  holdWrites = false;
  #pendingWrite: (() => void) | null = null;
  override _read(): void {}
  override _write(chunk: Buffer, _e: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.written.push(chunk);
    if (this.holdWrites) this.#pendingWrite = () => cb();
    else cb();
  }
  release(): void {
    this.holdWrites = false;
    this.#pendingWrite?.();
  }
}

function harness() {
  const sent: Message[] = [];
  let flowChanges = 0;
  let backedUp = false;
  const streams = new SessionStreams({
    send: (header, payload) => {
      sent.push(...new FrameDecoder().push(encodeMessage(header, payload)));
    },
    backedUp: () => backedUp,
    flowChanged: () => {
      flowChanges++;
    },
    debug: () => undefined,
  });
  const packets = () =>
    sent.map((m) => {
      const p = decodeServerPacket(m);
      return p.kind === 'data'
        ? `data ${p.bytes.toString()}`
        : p.kind === 'error'
          ? `error ${p.error.message}`
          : p.kind;
    });
  const fromClient = (bytes: Buffer) => new FrameDecoder().push(bytes)[0]!;
  return {
    streams,
    sent,
    packets,
    fromClient,
    get flowChanges() {
      return flowChanges;
    },
    setBackedUp(v: boolean) {
      backedUp = v;
    },
  };
}

function replyOk(h: ReturnType<typeof harness>): void {
  h.streams.replied({ ...CALL, type: MessageType.REPLY, status: MessageStatus.OK });
}

t.test('data flows only once the reply is out, in both directions; finish is answered OK', async (t) => {
  const h = harness();
  const src = new FakeSource();
  src.push('early banner');
  h.streams.attach(CALL, src);
  await tick();
  t.same(h.sent, [], 'nothing before the reply');
  t.equal(
    h.streams.handle(h.fromClient(encodeStreamData(ID, Buffer.from('too soon')))),
    false,
    'client data before the reply matches no open stream',
  );
  replyOk(h);
  await tick();
  t.same(h.packets(), ['data early banner']);
  t.ok(
    h.sent.every((m) => m.header.type === MessageType.STREAM && m.header.serial === 9 && m.header.procedure === 201),
  );
  t.ok(h.streams.handle(h.fromClient(encodeStreamData(ID, Buffer.from('ls\r')))));
  t.same(Buffer.concat(src.written).toString(), 'ls\r');
  h.streams.handle(h.fromClient(encodeStreamOk(ID)));
  await tick();
  t.same(h.packets(), ['data early banner', 'ok'], 'finish: an empty OK once the sink took everything');
  t.ok(src.destroyed, 'the source is released');
  t.equal(h.streams.size, 0);
  t.equal(h.streams.handle(h.fromClient(encodeStreamData(ID, Buffer.from('late')))), false, 'late data: dropped');
});

t.test('an error reply means no stream; abort is answered OK; the client leaving destroys sources', async (t) => {
  const h = harness();
  const a = new FakeSource();
  h.streams.attach(CALL, a);
  h.streams.replied({ ...CALL, type: MessageType.REPLY, status: MessageStatus.ERROR });
  t.ok(a.destroyed, 'the call failed after all: its source is released');
  t.equal(h.streams.size, 0);
  const b = new FakeSource();
  h.streams.attach(CALL, b);
  replyOk(h);
  h.streams.handle(h.fromClient(encodeStreamAbort(ID)));
  t.same(h.packets(), ['ok']);
  t.ok(b.destroyed);
  const c = new FakeSource();
  h.streams.attach({ ...CALL, serial: 10 }, c);
  h.streams.closeAll();
  t.ok(c.destroyed, 'closeAll destroys even a stream not yet started');
  const d = new FakeSource();
  h.streams.attach({ ...CALL, serial: 11 }, d);
  t.ok(d.destroyed, 'a stream attached after the client left is released at once');
});

t.test('the source ending or being closed under us is EOF; its error is a STREAM ERROR', async (t) => {
  const h = harness();
  const ended = new FakeSource();
  h.streams.attach(CALL, ended);
  replyOk(h);
  ended.push('bye');
  ended.push(null);
  await tick();
  await tick();
  t.same(h.packets(), ['data bye', 'eof'], 'the guest hung up: EOF, once');
  h.streams.handle(h.fromClient(encodeStreamOk(ID)));
  await tick();
  t.same(h.packets(), ['data bye', 'eof', 'ok'], "the client's finish after EOF is answered");

  const h2 = harness();
  const forced = new FakeSource();
  h2.streams.attach(CALL, forced);
  replyOk(h2);
  forced.destroy(); // another client's FORCE open
  await tick();
  t.same(h2.packets(), ['eof'], 'closed under us: the client sees EOF');
  h2.streams.handle(h2.fromClient(encodeStreamAbort(ID)));
  t.same(h2.packets(), ['eof', 'ok']);

  const h3 = harness();
  const failing = new FakeSource();
  h3.streams.attach(CALL, failing);
  failing.destroy(XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.XEN, 'pty read failed'));
  await tick();
  t.same(h3.sent, [], 'an error before the reply waits for it');
  replyOk(h3);
  t.same(h3.packets(), ['error pty read failed']);
  t.equal(h3.sent[0]!.header.status, MessageStatus.ERROR);
  t.equal(h3.streams.size, 0, 'the stream is gone');
});

t.test(
  'flow control: large output is chunked and paused while the client is backed up; a full sink blocks input',
  async (t) => {
    const h = harness();
    const src = new FakeSource();
    h.streams.attach(CALL, src);
    replyOk(h);
    h.setBackedUp(true);
    src.push(Buffer.alloc(STREAM_CHUNK_MAX + 10, 0x41));
    await tick();
    t.same(
      h.sent.map((m) => m.payload.length),
      [STREAM_CHUNK_MAX, 10],
      'split at 262120 bytes',
    );
    t.ok(src.isPaused(), "paused while the client's output is backed up");
    h.streams.resume();
    t.ok(src.isPaused(), 'still backed up: stays paused');
    h.setBackedUp(false);
    h.streams.resume();
    t.notOk(src.isPaused(), 'resumed once the output drained');

    src.holdWrites = true;
    const big = Buffer.alloc(64 * 1024, 0x42); // over the Duplex's 16 KiB high-water mark
    h.streams.handle(h.fromClient(encodeStreamData(ID, big)));
    t.ok(h.streams.blocked, "a full sink blocks the client's input");
    const before = h.flowChanges;
    src.release();
    await tick();
    t.notOk(h.streams.blocked, 'unblocked on drain');
    t.ok(h.flowChanges > before, 'and the session is told');
  },
);

t.test('a hole in a plain stream is refused (libvirtd drops such a client)', async (t) => {
  const h = harness();
  h.streams.attach(CALL, new FakeSource());
  replyOk(h);
  const hole = encodeStreamData(ID, Buffer.alloc(12));
  hole.writeInt32BE(MessageType.STREAM_HOLE, 16);
  t.throws(() => h.streams.handle(h.fromClient(hole)), { name: 'XvirtError', message: /hole/ });
});
