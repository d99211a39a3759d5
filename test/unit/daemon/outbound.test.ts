/** Outbound's caps: a client that does not read is dropped at its byte or message cap, with the reason. */
import t from 'tap';
import type * as net from 'node:net';
import { Outbound, type OutboundOwner } from '../../../lib/daemon/outbound';
import { eventHeader, OutgoingFrames } from '../../../lib/rpc/framing';

/** A socket that takes writes but never flushes them (a peer that stopped reading), unless `flush()` is called. */
function stuckSocket() {
  const writes: Array<{ bytes: Buffer; done: () => void }> = [];
  const socket = {
    get writableLength() {
      return writes.reduce((n, w) => n + w.bytes.length, 0);
    },
    write(bytes: Buffer, done: () => void) {
      writes.push({ bytes, done });
      return false;
    },
  };
  const flush = (): void => {
    for (const w of writes.splice(0)) w.done();
  };
  return { socket: socket as unknown as net.Socket, writes, flush };
}
/** An owner that ignores what `hooks` does not name. */
function owner(hooks: Partial<OutboundOwner>): OutboundOwner {
  return { outputOverflow: () => {}, afterFlush: () => {}, afterWrite: () => {}, ...hooks };
}
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('message cap: dropped once more than `messages` are pending, counted across writes', async (t) => {
  const { socket, flush } = stuckSocket();
  const reasons: string[] = [];
  const out = new Outbound(
    socket,
    { bytes: 1 << 20, messages: 10 },
    owner({ outputOverflow: (why) => reasons.push(why) }),
  );
  for (let i = 0; i < 6; i++) out.send(eventHeader(100), Buffer.alloc(8));
  await turn();
  for (let i = 0; i < 4; i++) out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, [], '10 pending: still fine');
  out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, ['more than 10 messages queued'], 'the 11th overflows with the reason');
  await turn();
  flush();
  reasons.length = 0;
  out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, [], 'once the socket took them, the count is back down');
});

t.test('message cap: a burst in one turn to a client whose socket is flushed is not a backlog', async (t) => {
  const { socket, flush } = stuckSocket();
  const reasons: string[] = [];
  const out = new Outbound(
    socket,
    { bytes: 1 << 20, messages: 10 },
    owner({ outputOverflow: (why) => reasons.push(why) }),
  );
  for (let i = 0; i < 100; i++) out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, [], '100 events queued in one turn, nothing unsent in the socket: all go');
  await turn();
  flush();
  for (let i = 0; i < 100; i++) out.send(eventHeader(100), Buffer.alloc(8));
  await turn();
  out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, ['more than 10 messages queued'], 'once they sit unsent in the socket, the cap applies');
});

t.test('byte cap: dropped past `bytes`; a lone message larger than the cap still goes', async (t) => {
  const { socket, writes } = stuckSocket();
  const reasons: string[] = [];
  const out = new Outbound(
    socket,
    { bytes: 1000, messages: 1000 },
    owner({ outputOverflow: (why) => reasons.push(why) }),
  );
  out.send(eventHeader(100), Buffer.alloc(5000));
  t.same(reasons, [], 'nothing pending: a 5 KB message is queued');
  await turn();
  t.equal(writes.length, 1);
  out.send(eventHeader(100), Buffer.alloc(8));
  t.same(reasons, ['more than 1000 bytes queued'], 'with 5 KB unread, the next one overflows');
});

t.test('backedUp: at a quarter of the message cap, until the socket has taken the writes', async (t) => {
  const { socket, flush } = stuckSocket();
  let writesDone = 0;
  const out = new Outbound(
    socket,
    { bytes: 1 << 20, messages: 40 },
    owner({
      outputOverflow: () => t.fail('no overflow'),
      afterWrite: () => {
        writesDone++;
      },
    }),
  );
  for (let i = 0; i < 9; i++) out.send(eventHeader(100), Buffer.alloc(8));
  t.notOk(out.backedUp, '9 of 40 pending: keep reading');
  out.send(eventHeader(100), Buffer.alloc(8));
  t.ok(out.backedUp, '10 of 40 pending: stop reading');
  await turn();
  t.ok(out.backedUp, 'handed to the socket but not flushed: still backed up');
  flush();
  t.equal(writesDone, 1, 'afterWrite runs once per write, when the socket took it');
  t.notOk(out.backedUp, 'flushed: read again');
});

t.test('an idle client holds no output slab; bytes already written stay intact', async (t) => {
  const frames = new OutgoingFrames(64);
  frames.push(eventHeader(100), Buffer.from('first'));
  const first = frames.take()!;
  const copy = Buffer.from(first);
  frames.push(eventHeader(100), Buffer.from('second'));
  frames.release();
  t.equal(frames.queued, first.length + 1, 'release() keeps a slab that still has frames queued');
  frames.take();
  frames.release();
  frames.push(eventHeader(100), Buffer.from('third'));
  t.same(first, copy, 'the first write is untouched by later frames');
  t.equal(frames.take()!.subarray(28).toString(), 'third', 'a fresh slab after release()');
});
