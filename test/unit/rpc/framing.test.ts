import t from 'tap';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import {
  decodeHeader,
  encodeCall,
  encodeErrorReply,
  encodeEvent,
  encodeKeepalive,
  encodeMessage,
  encodeReply,
  FrameDecoder,
  isKeepalive,
  type Message,
} from '../../../lib/rpc/framing';
import { Keepalive } from '../../../lib/rpc/keepalive';
import {
  KeepaliveProcedure,
  MAX_FRAME_LENGTH,
  MESSAGE_MAX,
  MessageStatus,
  MessageType,
  remoteError,
  remoteErrorFrom,
  REMOTE_PROGRAM,
} from '../../../lib/rpc/protocol';
import { EVENT_MESSAGES, PROCEDURES, RemoteProcedure } from '../../../lib/rpc/procedures';
import { decode } from '../../../lib/rpc/xdr';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * The first 10 messages of `virsh -c test+tcp://127.0.0.1:16609/default dominfo test`
 * between virsh 9.0 and libvirtd 9.0 (research/libvirt-captures/handshake-hex.txt).
 */
const CAPTURE = [
  '0000001c 20008086 00000001 00000042 00000000 00000000 00000000',
  '00000024 20008086 00000001 00000042 00000001 00000000 00000000 00000001 00000000',
  '00000020 20008086 00000001 0000003c 00000000 00000001 00000000 0000000a',
  '00000020 20008086 00000001 0000003c 00000001 00000001 00000000 00000001',
  '00000038 20008086 00000001 00000001 00000000 00000002 00000000 00000001 0000000f 74657374 3a2f2f2f 64656661 756c7400 00000000',
  '0000001c 20008086 00000001 00000001 00000001 00000002 00000000',
  '00000020 20008086 00000001 0000003c 00000000 00000003 00000000 0000000e',
  '00000020 20008086 00000001 0000003c 00000001 00000003 00000000 00000001',
  '00000020 20008086 00000001 0000003c 00000000 00000004 00000000 0000000f',
  '00000020 20008086 00000001 0000003c 00000001 00000004 00000000 00000001',
].map(hex);
const STREAM = Buffer.concat(CAPTURE);

/** What each captured message is: (procedure, type, serial). */
const EXPECTED: Array<[number, MessageType, number]> = [
  [66, MessageType.CALL, 0],
  [66, MessageType.REPLY, 0],
  [60, MessageType.CALL, 1],
  [60, MessageType.REPLY, 1],
  [1, MessageType.CALL, 2],
  [1, MessageType.REPLY, 2],
  [60, MessageType.CALL, 3],
  [60, MessageType.REPLY, 3],
  [60, MessageType.CALL, 4],
  [60, MessageType.REPLY, 4],
];

function summary(msgs: Message[]): string[] {
  return msgs.map(
    (m) =>
      `${m.header.program}/${m.header.version}/${m.header.procedure}/${m.header.type}/${m.header.serial}/${m.header.status}:${m.payload.toString('hex')}`,
  );
}

t.test('decodes real virsh/libvirtd 9.0 bytes', async (t) => {
  const msgs = new FrameDecoder().push(STREAM);
  t.equal(msgs.length, 10);
  msgs.forEach((m, i) => {
    const [proc, type, serial] = EXPECTED[i]!;
    t.same(
      m.header,
      { program: REMOTE_PROGRAM, version: 1, procedure: proc, type, serial, status: MessageStatus.OK },
      `message ${i + 1} header`,
    );
  });
  const auth = PROCEDURES[RemoteProcedure.AUTH_LIST];
  t.same(decode(auth.ret, msgs[1]!.payload), { types: [0] }, 'AUTH_LIST reply: [NONE]');
  const feature = PROCEDURES[RemoteProcedure.CONNECT_SUPPORTS_FEATURE];
  t.same(
    [2, 6, 8].map((i) => decode(feature.args, msgs[i]!.payload).feature),
    [10, 14, 15],
    'features probed',
  );
  t.same(decode(feature.ret, msgs[3]!.payload), { supported: true });
  const open = PROCEDURES[RemoteProcedure.CONNECT_OPEN];
  t.same(decode(open.args, msgs[4]!.payload), { name: 'test:///default', flags: 0 }, 'CONNECT_OPEN args');
});

t.test('our encoders produce the same bytes as libvirt', async (t) => {
  const feature = PROCEDURES[RemoteProcedure.CONNECT_SUPPORTS_FEATURE];
  const open = PROCEDURES[RemoteProcedure.CONNECT_OPEN];
  const auth = PROCEDURES[RemoteProcedure.AUTH_LIST];
  const call = (i: number): ReturnType<typeof decodeHeader> => decodeHeader(CAPTURE[i]!, 4);
  const built = [
    encodeCall(66, 0, auth.args, undefined),
    encodeReply(call(0), auth.ret, { types: [0] }),
    encodeCall(60, 1, feature.args, { feature: 10 }),
    encodeReply(call(2), feature.ret, { supported: true }),
    encodeCall(1, 2, open.args, { name: 'test:///default', flags: 0 }),
    encodeReply(call(4), open.ret, undefined),
    encodeCall(60, 3, feature.args, { feature: 14 }),
    encodeReply(call(6), feature.ret, { supported: true }),
    encodeCall(60, 4, feature.args, { feature: 15 }),
    encodeReply(call(8), feature.ret, { supported: true }),
  ];
  built.forEach((b, i) => t.equal(b.toString('hex'), CAPTURE[i]!.toString('hex'), `message ${i + 1}`));
});

t.test('every split of the stream decodes to the same messages', async (t) => {
  const whole = summary(new FrameDecoder().push(STREAM));
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(STREAM.subarray(0, cut)), ...d.push(STREAM.subarray(cut))];
    if (JSON.stringify(summary(got)) !== JSON.stringify(whole)) t.fail(`split at ${cut}`);
    if (d.buffered !== 0) t.fail(`bytes left after split at ${cut}`);
  }
  const d = new FrameDecoder();
  const bytewise: Message[] = [];
  for (const b of STREAM) bytewise.push(...d.push(Buffer.from([b])));
  t.same(summary(bytewise), whole, 'one byte at a time');
  t.pass(`${STREAM.length + 1} two-way splits checked`);
});

t.test(
  'header words keep their sign and range both ways (unsigned program, version and serial; signed the rest)',
  async (t) => {
    const header = {
      program: 0xfedcba98,
      version: 0x80000000,
      procedure: -2,
      type: MessageType.REPLY,
      serial: 0xffffffff,
      status: -1,
    };
    const frame = encodeMessage(header, Buffer.from('abcd'));
    t.equal(frame.readUInt32BE(0), 32, 'length word');
    t.same(
      [4, 8, 12, 16, 20, 24].map((at, i) => (i === 2 || i === 5 ? frame.readInt32BE(at) : frame.readUInt32BE(at))),
      [0xfedcba98, 0x80000000, -2, MessageType.REPLY, 0xffffffff, -1],
      'the bytes are what Buffer would have written',
    );
    t.same(decodeHeader(frame, 4), header);
    t.same(new FrameDecoder().push(frame)[0]!.header, header, 'and the decoder reads the same');
    t.throws(() => decodeHeader(frame, 12), { name: 'XvirtError', number: ErrorNumber.RPC }, 'a header past the end');
  },
);

t.test('bad length words are protocol errors, raised before buffering', async (t) => {
  const expectRpc = (fn: () => unknown, re: RegExp, what: string): void => {
    t.throws(fn, { name: 'XvirtError', number: ErrorNumber.RPC, domain: ErrorDomain.RPC, message: re }, what);
  };
  expectRpc(() => new FrameDecoder().push(hex('0000001b')), /27 is shorter than the 28-byte minimum/, 'length 27');
  expectRpc(() => new FrameDecoder().push(hex('00000000')), /shorter/, 'length 0');
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(MAX_FRAME_LENGTH + 1);
  expectRpc(
    () => new FrameDecoder().push(huge),
    /exceeds the maximum of 33554436/,
    'one byte over 32 MiB + length word',
  );
  expectRpc(() => new FrameDecoder(1000).push(hex('000003e9')), /1001 exceeds the maximum of 1000/, 'custom maximum');
  const d = new FrameDecoder();
  t.throws(() => d.push(hex('00000001')));
  expectRpc(() => d.push(CAPTURE[0]!), /shorter/, 'decoder stays failed after an error');
  // The largest legal length is accepted (waits for the body rather than failing).
  const max = Buffer.alloc(4);
  max.writeUInt32BE(MAX_FRAME_LENGTH);
  t.same(new FrameDecoder().push(max), [], 'exactly the maximum is fine');
  t.equal(MESSAGE_MAX, 32 * 1024 * 1024);
  expectRpc(
    () => encodeMessage(decodeHeader(CAPTURE[0]!, 4), Buffer.alloc(MESSAGE_MAX)),
    /exceeds the maximum/,
    'encoder refuses oversize',
  );
});

t.test('keepalive, event and error messages', async (t) => {
  t.equal(
    encodeKeepalive(KeepaliveProcedure.PONG).toString('hex'),
    '0000001c6b65657000000001000000020000000200000000' + '00000000',
    'PONG bytes as libvirt sends them',
  );
  const [ping] = new FrameDecoder().push(encodeKeepalive(KeepaliveProcedure.PING));
  t.ok(isKeepalive(ping!, KeepaliveProcedure.PING));
  t.notOk(isKeepalive(ping!, KeepaliveProcedure.PONG));

  const msg = EVENT_MESSAGES[RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE];
  const ev = {
    callbackID: 3,
    dom: { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 },
    event: 3,
    detail: 0,
  };
  const [evMsg] = new FrameDecoder().push(encodeEvent(RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, msg, ev));
  t.same(evMsg!.header, {
    program: REMOTE_PROGRAM,
    version: 1,
    procedure: 318,
    type: MessageType.MESSAGE,
    serial: 1,
    status: 0,
  });
  t.same(decode(msg, evMsg!.payload), ev);

  const call = decodeHeader(CAPTURE[0]!, 4);
  const [errMsg] = new FrameDecoder().push(
    encodeErrorReply(call, remoteErrorFrom(new XvirtError(ErrorNumber.NO_DOMAIN, 12, 'Domain not found'))),
  );
  t.same(
    errMsg!.header,
    { ...call, type: MessageType.REPLY, status: MessageStatus.ERROR },
    'error reply echoes the call',
  );
  t.equal(decode(remoteError, errMsg!.payload).code, 42);
  const stream = { ...call, type: MessageType.STREAM };
  t.equal(
    decodeHeader(encodeErrorReply(stream, remoteErrorFrom(new Error('x'))), 4).type,
    MessageType.STREAM,
    'stream errors stay STREAM',
  );
});

t.test('keepalive timer: pings when idle, dies after count unanswered pings', async (t) => {
  // Keepalive timers are unref'd; hold the process open while we wait.
  const hold = setTimeout(() => undefined, 10_000);
  t.teardown(() => clearTimeout(hold));
  let pings = 0;
  const dead = new Promise<number>((resolve) => {
    const ka = new Keepalive({ intervalMs: 20, count: 3, sendPing: () => pings++, onDead: () => resolve(pings) });
    ka.start();
  });
  t.equal(await dead, 3, 'three pings, then dead');

  let pings2 = 0;
  let died = false;
  // An interval far above any event-loop stall a loaded machine shows (traffic every 5 ms for 2.5 intervals).
  const ka = new Keepalive({
    intervalMs: 1000,
    count: 1,
    sendPing: () => pings2++,
    onDead: () => {
      died = true;
    },
  });
  ka.start();
  const alive = setInterval(() => ka.received(), 5);
  await new Promise((r) => setTimeout(r, 2500));
  clearInterval(alive);
  t.equal(pings2, 0, 'no ping while traffic flows');
  t.notOk(died);
  ka.stop();
  t.notOk(ka.running);
  t.throws(() => new Keepalive({ intervalMs: 0, count: 1, sendPing: () => 0, onDead: () => 0 }), /interval/);
});

t.test('procedure numbers agree with the ones virsh 9.0 put on the wire', async (t) => {
  // From the virsh <-> libvirtd 9.0 capture (research/libvirt-captures/virsh-rpc-sequences.md).
  const seen: Record<string, number> = {
    CONNECT_OPEN: 1,
    CONNECT_CLOSE: 2,
    DOMAIN_CREATE: 9,
    DOMAIN_DEFINE_XML: 11,
    DOMAIN_DESTROY: 12,
    DOMAIN_GET_XML_DESC: 14,
    DOMAIN_GET_AUTOSTART: 15,
    DOMAIN_GET_INFO: 16,
    DOMAIN_GET_OS_TYPE: 19,
    DOMAIN_LOOKUP_BY_NAME: 23,
    DOMAIN_LOOKUP_BY_UUID: 24,
    DOMAIN_RESUME: 28,
    DOMAIN_SUSPEND: 34,
    CONNECT_SUPPORTS_FEATURE: 60,
    AUTH_LIST: 66,
    DOMAIN_GET_SECURITY_LABEL: 121,
    NODE_GET_SECURITY_MODEL: 122,
    DOMAIN_IS_ACTIVE: 150,
    DOMAIN_IS_PERSISTENT: 151,
    DOMAIN_HAS_MANAGED_SAVE_IMAGE: 183,
    DOMAIN_SNAPSHOT_NUM: 187,
    DOMAIN_GET_STATE: 212,
    DOMAIN_UNDEFINE_FLAGS: 231,
    CONNECT_LIST_ALL_DOMAINS: 273,
    CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY: 316,
    CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY: 317,
    DOMAIN_EVENT_CALLBACK_LIFECYCLE: 318,
    CONNECT_REGISTER_CLOSE_CALLBACK: 360,
    CONNECT_UNREGISTER_CLOSE_CALLBACK: 361,
    DOMAIN_GET_MESSAGES: 426,
  };
  for (const [name, n] of Object.entries(seen)) t.equal(RemoteProcedure[name as keyof typeof RemoteProcedure], n, name);
});

t.test('seeded mutations of real traffic: only XvirtErrors, never a crash or a hang', async (t) => {
  let seed = 0x5eed;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let messages = 0;
  let rejected = 0;
  for (let round = 0; round < 3000; round++) {
    const bytes = Buffer.from(STREAM);
    for (let k = 1 + rand(4); k > 0; k--) bytes[rand(bytes.length)] = rand(256);
    try {
      for (const msg of new FrameDecoder(4096).push(bytes)) {
        messages++;
        const spec = PROCEDURES[msg.header.procedure as keyof typeof PROCEDURES];
        if (!spec) continue;
        try {
          if (msg.header.status === MessageStatus.ERROR) decode(remoteError, msg.payload);
          else if (msg.header.type === MessageType.CALL) decode(spec.args as never, msg.payload);
          else decode(spec.ret as never, msg.payload);
        } catch (err) {
          if (!(err instanceof XvirtError)) throw err;
          rejected++;
        }
      }
    } catch (err) {
      if (!(err instanceof XvirtError)) throw err;
      rejected++;
    }
  }
  t.ok(messages > 0 && rejected > 0, `${messages} messages decoded, ${rejected} rejections, all XvirtError`);
});
