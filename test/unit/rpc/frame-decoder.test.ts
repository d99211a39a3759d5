/**
 * FrameDecoder's memory bound: a message split across chunks costs about one
 * byte per byte received, never an object per chunk, and is released when
 * returned. (Golden bytes and two-way splits: test/rpc-framing.test.ts.)
 */
import t from 'tap';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { encodeMessage, FrameDecoder, type Message } from '../../../lib/rpc/framing';
import { ErrorNumber } from '../../../lib/errors';
import { MAX_FRAME_LENGTH, MessageStatus, MessageType, REMOTE_PROGRAM } from '../../../lib/rpc/protocol';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const header = (serial: number) => ({
  program: REMOTE_PROGRAM,
  version: 1,
  procedure: 1,
  type: MessageType.CALL,
  serial,
  status: MessageStatus.OK,
});
/** A message whose payload is `size` bytes counting up from `serial`, so a misplaced byte shows. */
function message(serial: number, size: number): Buffer {
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (serial + i) & 0xff;
  return encodeMessage(header(serial), payload);
}
const summary = (msgs: Message[]): string[] => msgs.map((m) => `${m.header.serial}:${m.payload.toString('base64')}`);

/** Small, empty, larger than the decoder's first piece (1 KiB), and one more small one. */
const STREAM = Buffer.concat([message(1, 8), message(2, 0), message(3, 3000), message(4, 5)]);
const WHOLE = summary(new FrameDecoder().push(STREAM));

t.test('every three-way split of a stream decodes to the same messages, nothing left over', async (t) => {
  t.equal(WHOLE.length, 4);
  let checked = 0;
  for (let a = 0; a <= STREAM.length; a += 7) {
    for (let b = a; b <= STREAM.length; b += 13) {
      const d = new FrameDecoder();
      const got = [...d.push(STREAM.subarray(0, a)), ...d.push(STREAM.subarray(a, b)), ...d.push(STREAM.subarray(b))];
      if (JSON.stringify(summary(got)) !== JSON.stringify(WHOLE)) t.fail(`split at ${a}, ${b}`);
      if (d.buffered !== 0 || d.retained !== 0) t.fail(`bytes held after split at ${a}, ${b}`);
      checked++;
    }
  }
  t.pass(`${checked} splits checked`);
  const d = new FrameDecoder();
  const bytewise: Message[] = [];
  for (const byte of STREAM) bytewise.push(...d.push(new Uint8Array([byte])));
  t.same(summary(bytewise), WHOLE, 'one byte at a time (Uint8Array chunks)');
});

t.test('a dribbled frame holds at most ~1.5 bytes per byte received, in blocks released on completion', async (t) => {
  const frame = message(9, 286_720 - 28);
  const d = new FrameDecoder();
  let worst = 0;
  let early = 0;
  for (let i = 0; i < frame.length - 1; i++) {
    early += d.push(frame.subarray(i, i + 1)).length;
    if (i >= 1024) worst = Math.max(worst, d.retained / d.buffered);
  }
  t.equal(early, 0, 'no message before the last byte');
  t.equal(d.buffered, frame.length - 1, 'every byte but the last is pending');
  t.ok(worst <= 1.5, `capacity / bytes received stays <= 1.5 past the first KiB (worst ${worst.toFixed(3)})`);
  const [m] = d.push(frame.subarray(frame.length - 1));
  t.equal(m!.header.serial, 9);
  t.ok(m!.payload.equals(frame.subarray(28)), 'payload intact');
  t.equal(d.retained, 0, 'the blocks are handed over with the message');
});

t.test('process memory after 200,000 one-byte chunks of an announced frame: about one byte per byte', async (t) => {
  const n = 200_000;
  const frame = message(5, n + 1000);
  const d = new FrameDecoder();
  gc();
  const before = process.memoryUsage();
  // Each chunk is its own ArrayBuffer, as a socket read is: keeping it (or any object per chunk) costs ~100 bytes.
  for (let i = 0; i < n; i++) d.push(new Uint8Array(frame.subarray(i, i + 1)));
  gc();
  const after = process.memoryUsage();
  const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  t.equal(d.buffered, n);
  t.ok(held <= 2 * n + 256 * 1024, `${held} bytes held for ${n} bytes received (${(held / n).toFixed(2)} per byte)`);
});

t.test('the announced length is checked against the current maximum before anything is buffered', async (t) => {
  const d = new FrameDecoder(1024);
  const big = message(6, 2000);
  t.throws(() => d.push(big.subarray(0, 4)), { number: ErrorNumber.RPC, message: /2028 exceeds the maximum of 1024/ });
  t.equal(d.retained, 0, 'nothing held for it');
  t.throws(() => d.push(message(7, 0)), { message: /2028 exceeds/ }, 'and the decoder stays failed');

  const split = new FrameDecoder(1024);
  split.push(big.subarray(0, 2));
  t.throws(
    () => split.push(big.subarray(2, 6)),
    { message: /exceeds the maximum of 1024/ },
    'a length word split in two',
  );

  const raised = new FrameDecoder(1024);
  raised.maxLength = MAX_FRAME_LENGTH;
  t.same(summary(raised.push(big)), summary(new FrameDecoder().push(big)), 'raising the maximum admits it');
});
