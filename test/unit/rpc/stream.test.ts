import t from 'tap';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import { FrameDecoder, type Message } from '../../../lib/rpc/framing';
import { MessageStatus, MessageType, remoteErrorFrom } from '../../../lib/rpc/protocol';
import {
  decodeClientPacket,
  decodeServerPacket,
  encodeStreamAbort,
  encodeStreamData,
  encodeStreamError,
  encodeStreamOk,
  isStreamOf,
  STREAM_CHUNK_MAX,
  streamChunks,
} from '../../../lib/rpc/stream';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** DOMAIN_OPEN_CONSOLE (201 = 0xc9), opened by the call with serial 5. */
const ID = { procedure: 201, serial: 5 };
const HEAD = '20008086 00000001 000000c9 00000003 00000005';

t.test('golden bytes: virnetprotocol.x header, type STREAM (3), raw data payload', async (t) => {
  t.same(
    encodeStreamData(ID, Buffer.from('hi\r\n')),
    hex(`00000020 ${HEAD} 00000002 6869 0d0a`),
    'data: CONTINUE (2), the bytes as they are (no XDR length, no padding)',
  );
  t.same(encodeStreamData(ID, Buffer.alloc(0)), hex(`0000001c ${HEAD} 00000002`), 'server EOF: empty CONTINUE');
  t.same(encodeStreamOk(ID), hex(`0000001c ${HEAD} 00000000`), 'finish / its answer: empty OK');
  t.same(encodeStreamAbort(ID), hex(`0000001c ${HEAD} 00000001`), 'abort: empty ERROR');
  const err = remoteErrorFrom(XvirtError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'stream had I/O failure'));
  const bytes = encodeStreamError(ID, err);
  const msg = err.message!.length;
  t.equal(
    bytes.readUInt32BE(0),
    28 + 4 + 4 + 4 + 4 + Math.ceil(msg / 4) * 4 + 4 + 4 + 12 + 8 + 4,
    'error: remote_error body',
  );
  t.same(bytes.subarray(4, 28), hex(`${HEAD} 00000001`));
});

t.test('a data message larger than a chunk is refused; streamChunks splits at STREAM_CHUNK_MAX', async (t) => {
  t.throws(() => encodeStreamData(ID, Buffer.alloc(STREAM_CHUNK_MAX + 1)), {
    name: 'XvirtError',
    number: ErrorNumber.RPC,
  });
  t.equal(encodeStreamData(ID, Buffer.alloc(STREAM_CHUNK_MAX)).length, 28 + STREAM_CHUNK_MAX);
  const big = Buffer.alloc(2 * STREAM_CHUNK_MAX + 3, 7);
  t.same(
    streamChunks(big).map((c) => c.length),
    [STREAM_CHUNK_MAX, STREAM_CHUNK_MAX, 3],
  );
  t.same(Buffer.concat(streamChunks(big)), big);
  t.same(streamChunks(Buffer.alloc(0)), [], 'nothing to send is no message (an empty one would be EOF)');
});

/** Every message kind, both directions, as one byte stream. */
const SESSION = [
  encodeStreamData(ID, Buffer.from('login: ')),
  encodeStreamData(ID, Buffer.from([0, 1, 2, 0xff, 0x1d])),
  encodeStreamData(ID, Buffer.alloc(0)),
  encodeStreamOk(ID),
  encodeStreamAbort(ID),
  encodeStreamError(ID, remoteErrorFrom(XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.STREAMS, 'gone'))),
];
const WIRE = Buffer.concat(SESSION);

function server(msgs: Message[]): string[] {
  return msgs.map((m) => {
    const p = decodeServerPacket(m);
    if (p.kind === 'data') return `data ${p.bytes.toString('hex')}`;
    if (p.kind === 'error') return `error ${p.error.code} ${p.error.domain} ${p.error.message}`;
    return p.kind;
  });
}

function client(msgs: Message[]): string[] {
  return msgs.map((m) => {
    const p = decodeClientPacket(m);
    return p.kind === 'data' ? `data ${p.bytes.toString('hex')}` : p.kind;
  });
}

const AS_SERVER = ['data 6c6f67696e3a20', 'data 000102ff1d', 'eof', 'ok', 'error 9 38 operation failed: gone'];
const AS_CLIENT = ['data 6c6f67696e3a20', 'data 000102ff1d', 'data ', 'finish', 'abort', 'abort'];

t.test('decoding: what each message means from the server, and from a client', async (t) => {
  const msgs = new FrameDecoder().push(WIRE);
  t.equal(msgs.length, SESSION.length);
  // An abort's empty body read as a server error is a malformed remote_error: only the last one is well formed.
  t.throws(
    () => decodeServerPacket(msgs[4]!),
    { name: 'XvirtError', number: ErrorNumber.RPC },
    'a server ERROR must carry remote_error',
  );
  const fromServer = [...msgs.slice(0, 4), msgs[5]!];
  t.same(server(fromServer), AS_SERVER);
  t.same(client(msgs), AS_CLIENT);
  t.ok(msgs.every((m) => isStreamOf(m, ID)));
  t.notOk(isStreamOf(msgs[0]!, { procedure: 201, serial: 6 }), 'another serial is another stream');
  t.notOk(isStreamOf(msgs[0]!, { procedure: 209, serial: 5 }), 'another procedure is another stream');
});

t.test('every split of the byte stream decodes to the same packets', async (t) => {
  const whole = client(new FrameDecoder().push(WIRE));
  let mismatches = 0;
  for (let a = 0; a <= WIRE.length; a++) {
    // Two cut points: a and b (b stepping so the test stays quick but covers every byte boundary for a).
    for (let b = a; b <= WIRE.length; b += a % 7 === 0 ? 1 : 13) {
      const d = new FrameDecoder();
      const msgs = [...d.push(WIRE.subarray(0, a)), ...d.push(WIRE.subarray(a, b)), ...d.push(WIRE.subarray(b))];
      if (JSON.stringify(client(msgs)) !== JSON.stringify(whole)) mismatches++;
    }
  }
  t.equal(mismatches, 0);
});

t.test('malformed stream messages are RPC errors', async (t) => {
  const hole = encodeStreamData(ID, Buffer.alloc(12));
  hole.writeInt32BE(MessageType.STREAM_HOLE, 16);
  const [holeMsg] = new FrameDecoder().push(hole);
  t.throws(() => decodeClientPacket(holeMsg!), { number: ErrorNumber.RPC, message: /hole/ }, 'no sparse streams here');
  const bad = encodeStreamOk(ID);
  bad.writeInt32BE(7, 24);
  t.throws(() => decodeClientPacket(new FrameDecoder().push(bad)[0]!), {
    number: ErrorNumber.RPC,
    message: /status 7/,
  });
  const okWithBody = encodeStreamData(ID, Buffer.from('x'));
  okWithBody.writeInt32BE(MessageStatus.OK, 24);
  t.throws(() => decodeServerPacket(new FrameDecoder().push(okWithBody)[0]!), {
    name: 'XvirtError',
    number: ErrorNumber.RPC,
  });
  const call = encodeStreamOk(ID);
  call.writeInt32BE(MessageType.CALL, 16);
  t.throws(() => decodeServerPacket(new FrameDecoder().push(call)[0]!), { message: /not a stream message/ });
});
