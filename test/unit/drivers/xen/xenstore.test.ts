// Xenstore wire codec (golden bytes, every split of a stream) and the client
// against a fake xenstored on a real unix socket.
import t from 'tap';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { XenstoreClient } from '../../../../lib/drivers/xen/xenstore';
import { XsDecoder, XsType, encodeMessage, nulStrings, splitStrings } from '../../../../lib/drivers/xen/xenstore-wire';

t.test('messages encode to the documented bytes and decode from any split', async (t) => {
  const msg = encodeMessage(XsType.WATCH, 7, nulStrings('@releaseDomain', 'tok'));
  t.equal(
    msg.toString('hex'),
    '04000000' + '07000000' + '00000000' + '13000000' + Buffer.from('@releaseDomain\0tok\0').toString('hex'),
  );
  const two = Buffer.concat([msg, encodeMessage(XsType.READ, 8, nulStrings('/a'))]);
  for (let cut = 0; cut <= two.length; cut++) {
    const d = new XsDecoder();
    const got = [...d.push(two.subarray(0, cut)), ...d.push(two.subarray(cut))];
    t.same(
      got.map((m) => [m.type, m.reqId, splitStrings(m.payload)]),
      [
        [4, 7, ['@releaseDomain', 'tok']],
        [2, 8, ['/a']],
      ],
      `split at ${cut}`,
    );
  }
  const huge = Buffer.alloc(16);
  huge.writeUInt32LE(4097, 12);
  t.throws(() => new XsDecoder().push(huge), { message: /exceeds 4096/ });
  t.throws(() => encodeMessage(XsType.WRITE, 1, Buffer.alloc(4097)), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
  });
  t.same(splitStrings(Buffer.from('a\0b\0')), ['a', 'b']);
  t.same(splitStrings(Buffer.from('value')), ['value']);
  t.same(splitStrings(Buffer.alloc(0)), []);
});

/** A fake xenstored: a tree of values, ENOENT for missing paths, watch events on write. */
function fakeXenstored(t: { teardown(fn: () => unknown): void }): {
  sock: string;
  server: net.Server;
  clients: net.Socket[];
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-xs-'));
  const sock = path.join(dir, 'socket');
  const tree = new Map<string, string>([
    ['/local/domain/1/name', 'g1'],
    ['/local/domain/1/vm', '/vm/x'],
  ]);
  const clients: net.Socket[] = [];
  const server = net.createServer((c) => {
    clients.push(c);
    const watches: Array<[string, string]> = [];
    const dec = new XsDecoder();
    const reply = (type: number, reqId: number, payload: Buffer) => c.write(encodeMessage(type, reqId, payload));
    c.on('data', (chunk) => {
      for (const m of dec.push(chunk)) {
        const [p = '', arg] = splitStrings(m.payload);
        if (m.type === XsType.READ) {
          const v = tree.get(p);
          if (p.startsWith('/local/domain/0/')) reply(XsType.ERROR, m.reqId, nulStrings('EACCES'));
          else if (v === undefined) reply(XsType.ERROR, m.reqId, nulStrings('ENOENT'));
          else reply(XsType.READ, m.reqId, Buffer.from(v));
        } else if (m.type === XsType.WRITE) {
          tree.set(p, m.payload.subarray(p.length + 1).toString());
          reply(XsType.WRITE, m.reqId, nulStrings('OK'));
          for (const [wp, tok] of watches) if (p.startsWith(wp)) reply(XsType.WATCH_EVENT, 0, nulStrings(p, tok));
        } else if (m.type === XsType.RM) {
          for (const k of [...tree.keys()]) if (k.startsWith(p)) tree.delete(k);
          reply(XsType.RM, m.reqId, nulStrings('OK'));
        } else if (m.type === XsType.WATCH) {
          watches.push([p, arg!]);
          reply(XsType.WATCH, m.reqId, nulStrings('OK'));
          reply(XsType.WATCH_EVENT, 0, nulStrings(p, arg!)); // xenstored fires once on registration
        } else if (m.type === XsType.UNWATCH) {
          watches.splice(
            watches.findIndex(([wp, tok]) => wp === p && tok === arg),
            1,
          );
          reply(XsType.UNWATCH, m.reqId, nulStrings('OK'));
        } else {
          reply(XsType.ERROR, m.reqId, nulStrings('EINVAL'));
        }
      }
    });
  });
  server.listen(sock);
  t.teardown(() => {
    for (const c of clients) c.destroy();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { sock, server, clients };
}

t.test('the client reads, writes, removes and watches', async (t) => {
  const { sock } = fakeXenstored(t);
  await new Promise((r) => setTimeout(r, 10));
  const xs = await XenstoreClient.connect([path.join(path.dirname(sock), 'absent'), sock]);
  t.teardown(() => xs.close());
  const [a, b, c] = await Promise.all([
    xs.read('/local/domain/1/name'),
    xs.read('/local/domain/9/name'),
    xs.read('/local/domain/1/vm'),
  ]);
  t.same([a, b, c], ['g1', null, '/vm/x'], 'pipelined reads answer in order; missing is null');
  const fired: string[] = [];
  await xs.watch('/local/domain/1/control', 'tk', (p) => fired.push(p));
  await xs.write('/local/domain/1/control/shutdown', 'poweroff');
  t.equal(await xs.read('/local/domain/1/control/shutdown'), 'poweroff');
  t.same(fired, ['/local/domain/1/control', '/local/domain/1/control/shutdown'], 'registration fire, then the write');
  await xs.unwatch('/local/domain/1/control', 'tk');
  await xs.remove('/local/domain/1');
  t.equal(await xs.read('/local/domain/1/name'), null);
  await t.rejects(
    xs.read('/local/domain/0/vm'),
    { number: ErrorNumber.ACCESS_DENIED, message: /read \/local\/domain\/0\/vm: EACCES/ },
    'xenstored errors name the request',
  );
});

t.test('a lost connection fails pending and later requests, once', async (t) => {
  const { sock, clients } = fakeXenstored(t);
  await new Promise((r) => setTimeout(r, 10));
  const xs = await XenstoreClient.connect([sock]);
  let closes = 0;
  xs.onClose(() => closes++);
  await xs.read('/local/domain/1/name');
  clients[0]!.destroy();
  await new Promise((r) => setTimeout(r, 20));
  t.equal(xs.closed, true);
  await t.rejects(xs.read('/a'), { number: ErrorNumber.NO_XENSTORE, message: /closed/ });
  t.equal(closes, 1);
  await t.rejects(XenstoreClient.connect(['/nonexistent/xenstored/socket']), {
    number: ErrorNumber.NO_XENSTORE,
    message: /not running/,
  });
});
