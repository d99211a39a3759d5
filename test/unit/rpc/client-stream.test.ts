/**
 * The RPC client's streams against a scripted server end (an in-memory
 * duplex pair): data before and after the reply, EOF, finish and abort, the
 * server's error, stray packets, a failed open, the connection dying.
 */
import { Duplex } from 'node:stream';
import t from 'tap';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import { RpcClient } from '../../../lib/rpc/client';
import { encodeErrorReply, encodeMessage, FrameDecoder, replyHeader, type Message } from '../../../lib/rpc/framing';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { MessageStatus, MessageType, remoteErrorFrom } from '../../../lib/rpc/protocol';
import { decodeClientPacket, encodeStreamData, encodeStreamError, encodeStreamOk } from '../../../lib/rpc/stream';

const DOM = { name: 'g1', uuid: '11111111-2222-3333-4444-555555555501', id: 1 };
const ARGS = { dom: DOM, dev_name: null, flags: 0 };

/** Two connected in-memory ends. */
function pair(): [Duplex, Duplex] {
  const make = (): Duplex & { peer?: Duplex } =>
    new Duplex({
      read() {},
      write(chunk, _e, cb) {
        (this as Duplex & { peer: Duplex }).peer.push(chunk);
        cb();
      },
      final(cb) {
        (this as Duplex & { peer: Duplex }).peer.push(null);
        cb();
      },
    });
  const a = make(),
    b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

function server() {
  const [clientEnd, serverEnd] = pair();
  const got: Message[] = [];
  const decoder = new FrameDecoder();
  let wake: (() => void) | null = null;
  serverEnd.on('data', (c: Buffer) => {
    got.push(...decoder.push(c));
    wake?.();
  });
  const client = new RpcClient(clientEnd, { endpoint: 'scripted' });
  return {
    client,
    serverEnd,
    got,
    send: (b: Buffer) => serverEnd.write(b),
    async next(pred: (m: Message) => boolean): Promise<Message> {
      for (;;) {
        const m = got.find(pred);
        if (m) return m;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
}

const isCall = (m: Message) => m.header.type === MessageType.CALL;
const streamMsgs = (got: Message[]) =>
  got
    .filter((m) => m.header.type === MessageType.STREAM)
    .map((m) => {
      const p = decodeClientPacket(m);
      return p.kind === 'data' ? `data ${p.bytes.toString()}` : p.kind;
    });

t.test('data sent right after the reply is kept; writes, EOF and finish follow libvirt', async (t) => {
  const s = server();
  const opening = s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS);
  const call = await s.next(isCall);
  t.equal(call.header.procedure, 201);
  const id = { procedure: 201, serial: call.header.serial };
  s.send(Buffer.concat([encodeMessage(replyHeader(call.header)), encodeStreamData(id, Buffer.from('banner'))]));
  const stream = await opening;
  let text = '';
  stream.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const ended = new Promise((r) => stream.once('end', r));
  stream.write('typed');
  await s.next((m) => m.header.type === MessageType.STREAM);
  t.same(streamMsgs(s.got), ['data typed']);
  s.send(encodeStreamData(id, Buffer.alloc(0)));
  await ended;
  t.equal(text, 'banner', 'the data that raced the reply is read first');
  // allowHalfOpen is off: the server's EOF makes the client finish, as virsh does.
  await s.next((m) => m.header.type === MessageType.STREAM && m.header.status === MessageStatus.OK);
  const closed = new Promise((r) => stream.once('close', r));
  s.send(encodeStreamOk(id));
  await closed;
  t.same(streamMsgs(s.got), ['data typed', 'finish']);
  s.send(encodeStreamData(id, Buffer.from('stray')));
  t.ok(s.client.alive, 'a packet for a finished stream is dropped, the connection stays');
});

t.test('destroy before the end aborts; a server error fails the stream; a failed open leaves nothing', async (t) => {
  const s = server();
  const opening = s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS);
  const call = await s.next(isCall);
  s.send(encodeMessage(replyHeader(call.header)));
  (await opening).destroy();
  await s.next((m) => m.header.type === MessageType.STREAM);
  t.same(streamMsgs(s.got), ['abort']);

  const second = s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS);
  const call2 = await s.next((m) => isCall(m) && m !== call);
  s.send(encodeMessage(replyHeader(call2.header)));
  const stream = await second;
  const failed = new Promise<Error>((r) => stream.once('error', r));
  const err = XvirtError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'stream had I/O failure');
  s.send(encodeStreamError({ procedure: 201, serial: call2.header.serial }, remoteErrorFrom(err)));
  t.match(await failed, { number: ErrorNumber.RPC, message: err.message }, "the server's error, as sent");
  await new Promise((r) => setImmediate(r));
  t.same(streamMsgs(s.got), ['abort'], 'no abort after the server failed the stream');

  const third = s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS);
  const seen = new Set([call, call2]);
  const call3 = await s.next((m) => isCall(m) && !seen.has(m));
  const busy = XvirtError.of(
    ErrorNumber.OPERATION_FAILED,
    ErrorDomain.XEN,
    'Active console session exists for this domain',
  );
  s.send(encodeErrorReply(call3.header, remoteErrorFrom(busy)));
  await t.rejects(third, { number: ErrorNumber.OPERATION_FAILED, message: busy.message });
  await new Promise((r) => setImmediate(r));
  t.same(streamMsgs(s.got), ['abort'], 'a refused open sends no abort');
});

t.test('the connection dying fails open streams with its error', async (t) => {
  const s = server();
  const opening = s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS);
  const call = await s.next(isCall);
  s.send(encodeMessage(replyHeader(call.header)));
  const stream = await opening;
  const failed = new Promise<Error>((r) => stream.once('error', r));
  s.serverEnd.end(); // the server hangs up
  t.match(await failed, { number: ErrorNumber.SYSTEM_ERROR, message: /connection to scripted lost/ });
  await t.rejects(s.client.openStream(P.DOMAIN_OPEN_CONSOLE, ARGS), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
  });
});
