/**
 * The remote client against a scripted server (built on xvirt's own framing)
 * that misbehaves on purpose: replies out of order, stalls, dies mid-call,
 * sends garbage, early events, pings, or demands authentication.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { connect, type Connection } from '../../../lib/connection';
import { CloseReason } from '../../../lib/constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import {
  encodeErrorReply,
  encodeEvent,
  encodeKeepalive,
  encodeMessage,
  encodeReply,
  FrameDecoder,
  isKeepalive,
  type Message,
} from '../../../lib/rpc/framing';
import {
  EVENT_MESSAGES,
  PROCEDURES,
  RemoteProcedure as P,
  type CallableProcedure,
  type ProcedureRet,
} from '../../../lib/rpc/procedures';
import { AuthType, DrvFeature, KeepaliveProcedure, MessageType, remoteErrorFrom } from '../../../lib/rpc/protocol';
import { decode } from '../../../lib/rpc/xdr';
import { CLOSE_GRACE_MS } from '../../../lib/rpc/client';
import {
  DEFAULT_SOCKET,
  DEFAULT_SOCKET_RO,
  sessionSocketPath,
  transportOf,
  unixSocketPath,
} from '../../../lib/transports/registry';
import { parseUri } from '../../../lib/uri';

const DOM = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };

interface ServerOptions {
  keepalive?: boolean;
  eventCallbacks?: boolean;
  authTypes?: AuthType[];
  answerPings?: boolean;
  /** Never answer CONNECT_CLOSE. */
  stallClose?: boolean;
  /** Handles a call after the handshake; return false to answer NO_SUPPORT. */
  onCall?: (msg: Message, peer: Peer) => boolean | void;
}

class Peer {
  readonly calls: Message[] = [];
  readonly pongs: Message[] = [];
  readonly pings: Message[] = [];
  constructor(readonly socket: net.Socket) {}
  reply<Proc extends CallableProcedure>(msg: Message, proc: Proc, ret: ProcedureRet<Proc>): void {
    this.socket.write(encodeReply(msg.header, PROCEDURES[proc].ret as never, ret));
  }
  fail(msg: Message, err: XvirtError): void {
    this.socket.write(encodeErrorReply(msg.header, remoteErrorFrom(err)));
  }
  args<Proc extends CallableProcedure>(msg: Message, proc: Proc): unknown {
    return decode(PROCEDURES[proc].args as never, msg.payload);
  }
}

/** A unix-socket server speaking just enough of the protocol; returns its socket path. */
async function scriptedServer(t: Test, opts: ServerOptions = {}): Promise<{ socket: string; peers: Peer[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xvirt-fake-'));
  const socket = path.join(dir, 'sock');
  const peers: Peer[] = [];
  const server = net.createServer((s) => {
    const peer = new Peer(s);
    peers.push(peer);
    const decoder = new FrameDecoder();
    s.on('error', () => undefined);
    s.on('data', (chunk) => {
      for (const msg of decoder.push(chunk)) {
        if (isKeepalive(msg, KeepaliveProcedure.PING)) {
          peer.pings.push(msg);
          if (opts.answerPings !== false) s.write(encodeKeepalive(KeepaliveProcedure.PONG));
          continue;
        }
        if (isKeepalive(msg, KeepaliveProcedure.PONG)) {
          peer.pongs.push(msg);
          continue;
        }
        peer.calls.push(msg);
        handle(msg, peer, opts);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(async () => {
    for (const p of peers) p.socket.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  return { socket, peers };
}

function handle(msg: Message, peer: Peer, opts: ServerOptions): void {
  switch (msg.header.procedure) {
    case P.AUTH_LIST:
      return peer.reply(msg, P.AUTH_LIST, { types: opts.authTypes ?? [AuthType.NONE] });
    case P.CONNECT_OPEN:
      return peer.reply(msg, P.CONNECT_OPEN, undefined);
    case P.CONNECT_CLOSE:
      if (opts.stallClose) return;
      peer.reply(msg, P.CONNECT_CLOSE, undefined);
      peer.socket.end();
      return;
    case P.CONNECT_SUPPORTS_FEATURE: {
      const { feature } = peer.args(msg, P.CONNECT_SUPPORTS_FEATURE) as { feature: number };
      const yes =
        (feature === DrvFeature.PROGRAM_KEEPALIVE && opts.keepalive === true) ||
        (feature === DrvFeature.REMOTE_EVENT_CALLBACK && opts.eventCallbacks !== false);
      return peer.reply(msg, P.CONNECT_SUPPORTS_FEATURE, { supported: yes });
    }
  }
  if (opts.onCall?.(msg, peer) === false || !opts.onCall) {
    peer.fail(msg, XvirtError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.NONE, `procedure ${msg.header.procedure}`));
  }
}

async function open(
  t: Test,
  socket: string,
  extra: Record<string, unknown> = {},
  uri = 'test+unix:///default',
): Promise<Connection> {
  const c = await connect(`${uri}?socket=${encodeURIComponent(socket)}`, extra);
  t.teardown(() => c.close());
  return c;
}

const closeReason = (c: Connection): Promise<number> => new Promise((resolve) => c.onClose(resolve));

t.test('many calls in flight; replies matched by serial in any order', async (t) => {
  const held: Message[] = [];
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) => {
      if (msg.header.procedure !== P.DOMAIN_LOOKUP_BY_NAME) return false;
      held.push(msg);
      if (held.length === 50) {
        for (const m of held.reverse()) {
          const { name } = peer.args(m, P.DOMAIN_LOOKUP_BY_NAME) as { name: string };
          peer.reply(m, P.DOMAIN_LOOKUP_BY_NAME, { dom: { ...DOM, name } });
        }
      }
    },
  });
  const c = await open(t, socket);
  const names = Array.from({ length: 50 }, (_, i) => `dom${i}`);
  const doms = await Promise.all(names.map((n) => c.lookupDomainByName(n)));
  t.same(
    doms.map((d) => d.name),
    names,
    'each call got its own reply',
  );
});

t.test('CONNECT_OPEN carries the server-side name and the read-only flag', async (t) => {
  const { socket, peers } = await scriptedServer(t);
  await open(t, socket, { readonly: true });
  await open(t, socket, {}, 'xen+unix:///system');
  await open(t, socket, {}, 'remote+unix:///');
  const c = await connect(
    `test+unix:///default?socket=${encodeURIComponent(socket)}&name=${encodeURIComponent('test:///custom')}`,
  );
  t.teardown(() => c.close());
  const opens = peers.map((p) =>
    p.args(
      p.calls.find((m) => m.header.procedure === P.CONNECT_OPEN)!,
      P.CONNECT_OPEN,
    ),
  );
  t.same(opens, [
    { name: 'test:///default', flags: 1 },
    { name: 'xen:///system', flags: 0 },
    { name: '', flags: 0 },
    { name: 'test:///custom', flags: 0 },
  ]);
  t.same(
    peers[0]!.calls.slice(0, 4).map((m) => [m.header.procedure, m.header.serial]),
    [
      [66, 0],
      [60, 1],
      [1, 2],
      [60, 3],
    ],
    "handshake order and serials as libvirt's client",
  );
  t.equal(
    await c.getUri(),
    `test+unix:///default?socket=${encodeURIComponent(socket)}&name=${encodeURIComponent('test:///custom')}`,
  );
});

t.test('server errors arrive as XvirtError with the server code, domain and message', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) =>
      peer.fail(
        msg,
        new XvirtError(ErrorNumber.NO_DOMAIN, ErrorDomain.TEST, "Domain not found: no domain with matching name 'x'"),
      ),
  });
  const c = await open(t, socket);
  await t.rejects(c.lookupDomainByName('x'), {
    name: 'XvirtError',
    number: ErrorNumber.NO_DOMAIN,
    domain: ErrorDomain.TEST,
    message: "Domain not found: no domain with matching name 'x'",
  });
  t.ok(c.isAlive(), 'an error reply does not hurt the connection');
});

t.test('daemon dies mid-call: every pending call fails clearly, close listeners hear EOF', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (_msg, peer) => {
      if (peer.calls.filter((m) => m.header.procedure === P.DOMAIN_GET_INFO).length === 3) peer.socket.destroy();
    },
  });
  const c = await open(t, socket);
  const reason = closeReason(c);
  const ref = { ...DOM };
  const calls = [1, 2, 3].map(() => c.driver().domainGetInfo(ref));
  for (const p of calls) {
    await t.rejects(p, {
      name: 'XvirtError',
      number: ErrorNumber.SYSTEM_ERROR,
      domain: ErrorDomain.RPC,
      message: new RegExp(`connection to ${socket} lost`),
    });
  }
  t.equal(await reason, CloseReason.EOF);
  t.notOk(c.isAlive());
  await t.rejects(
    async () => c.getType(),
    { name: 'XvirtError', number: ErrorNumber.INVALID_CONN },
    'later calls: connection closed',
  );
});

t.test('keepalive: a silent server is declared dead', async (t) => {
  const { socket, peers } = await scriptedServer(t, { keepalive: true, answerPings: false, onCall: () => undefined });
  const c = await open(t, socket, { keepalive: { intervalMs: 40, count: 2 } });
  const reason = closeReason(c);
  const started = Date.now();
  await t.rejects(
    c.getHostname(),
    { number: ErrorNumber.SYSTEM_ERROR, message: /keepalive timeout/ },
    'pending call fails',
  );
  t.equal(await reason, CloseReason.KEEPALIVE);
  t.ok(Date.now() - started >= 100, 'after interval × (count + 1)');
  const serverSide = peers[0]!.socket;
  if (!serverSide.destroyed) await once(serverSide, 'close');
  t.pass('the client hung up');
});

t.test("keepalive: the client answers the server's PING with PONG and pings an idle server", async (t) => {
  const { socket, peers } = await scriptedServer(t, { keepalive: true, onCall: () => undefined });
  await open(t, socket, { keepalive: { intervalMs: 30, count: 3 } });
  peers[0]!.socket.write(encodeKeepalive(KeepaliveProcedure.PING));
  // Polled, not slept: a loaded machine may take longer than three 30 ms intervals to run the timers.
  for (let waited = 0; waited < 10_000 && (peers[0]!.pongs.length < 1 || peers[0]!.pings.length < 2); waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.ok(peers[0]!.pongs.length >= 1, 'PONG received');
  t.ok(peers[0]!.pings.length >= 2, `the client pinged the idle server (${peers[0]!.pings.length} pings)`);
  const keepaliveDisabled = await scriptedServer(t, { keepalive: false, onCall: () => undefined });
  const c = await open(t, keepaliveDisabled.socket, { keepalive: { intervalMs: 20, count: 1 } });
  await new Promise((r) => setTimeout(r, 100));
  t.ok(c.isAlive(), 'no keepalive when the server does not support it');
});

t.test('garbage from the server closes the connection with an RPC error', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (_msg, peer) => {
      peer.socket.write(Buffer.from([0, 0, 0, 5]));
    },
  });
  const c = await open(t, socket);
  const reason = closeReason(c);
  await t.rejects(c.getType(), { number: ErrorNumber.RPC, message: /message length 5 is shorter/ });
  t.equal(await reason, CloseReason.ERROR);
});

t.test('a message type the client never asked for (REPLY_WITH_FDS) is a protocol error', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) => {
      peer.socket.write(encodeMessage({ ...msg.header, type: MessageType.REPLY_WITH_FDS, status: 0 }));
    },
  });
  const c = await open(t, socket);
  const reason = closeReason(c);
  await t.rejects(c.getType(), { name: 'XvirtError', number: ErrorNumber.RPC, message: /unexpected message type 5/ });
  t.equal(await reason, CloseReason.ERROR);
});

t.test('a reply that does not decode fails that call only; an unmatched reply is a protocol error', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) => {
      if (msg.header.procedure === P.CONNECT_GET_TYPE)
        peer.reply(msg, P.CONNECT_GET_VERSION as never, { hv_ver: 1 } as never);
      else if (msg.header.procedure === P.CONNECT_GET_HOSTNAME)
        peer.reply(msg, P.CONNECT_GET_HOSTNAME, { hostname: 'h' });
      else
        peer.socket.write(
          encodeReply({ ...msg.header, serial: msg.header.serial + 1000 }, PROCEDURES[P.CONNECT_CLOSE].ret, undefined),
        );
    },
  });
  const c = await open(t, socket);
  await t.rejects(c.getType(), { number: ErrorNumber.RPC, message: /CONNECT_GET_TYPE ret/ }, 'undecodable reply');
  t.equal(await c.getHostname(), 'h', 'connection still usable');
  const reason = closeReason(c);
  await t.rejects(c.getVersion(), { number: ErrorNumber.RPC, message: /matches no call in flight/ });
  t.equal(await reason, CloseReason.ERROR);
});

t.test('events: routed by callback id, including ones that race the registration reply', async (t) => {
  const lifecycle = EVENT_MESSAGES[P.DOMAIN_EVENT_CALLBACK_LIFECYCLE];
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) => {
      if (msg.header.procedure === P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY) {
        // Event for our callback id (7) sent *before* the reply that tells us the id, plus one for another id.
        peer.socket.write(
          Buffer.concat([
            encodeEvent(P.DOMAIN_EVENT_CALLBACK_LIFECYCLE, lifecycle, { callbackID: 7, dom: DOM, event: 3, detail: 0 }),
            encodeEvent(P.DOMAIN_EVENT_CALLBACK_LIFECYCLE, lifecycle, { callbackID: 8, dom: DOM, event: 4, detail: 0 }),
            encodeReply(msg.header, PROCEDURES[P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY].ret, { callbackID: 7 }),
            encodeEvent(P.DOMAIN_EVENT_CALLBACK_LIFECYCLE, lifecycle, { callbackID: 7, dom: DOM, event: 4, detail: 0 }),
          ]),
        );
      } else if (msg.header.procedure === P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY) {
        t.same(peer.args(msg, P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY), { callbackID: 7 }, 'deregisters its id');
        peer.reply(msg, P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, undefined);
      } else return false;
    },
  });
  const c = await open(t, socket);
  const seen: Array<[string, number]> = [];
  const off = await c.onLifecycle((e) => seen.push([e.domain.name, e.event]));
  await new Promise((r) => setTimeout(r, 50));
  t.same(
    seen,
    [
      ['test', 3],
      ['test', 4],
    ],
    'early event delivered, foreign callback id ignored',
  );
  await off();
});

t.test('events: legacy servers (no callback ids) get REGISTER_ANY and event 107', async (t) => {
  const { socket } = await scriptedServer(t, {
    eventCallbacks: false,
    onCall: (msg, peer) => {
      if (msg.header.procedure === P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY) {
        return peer.reply(msg, P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, undefined);
      }
      if (msg.header.procedure !== P.CONNECT_DOMAIN_EVENT_REGISTER_ANY) return false;
      t.same(peer.args(msg, P.CONNECT_DOMAIN_EVENT_REGISTER_ANY), { eventID: 0 }, 'registers lifecycle (id 0)');
      peer.reply(msg, P.CONNECT_DOMAIN_EVENT_REGISTER_ANY, undefined);
      peer.socket.write(
        encodeEvent(P.DOMAIN_EVENT_LIFECYCLE, EVENT_MESSAGES[P.DOMAIN_EVENT_LIFECYCLE], {
          dom: DOM,
          event: 5,
          detail: 1,
        }),
      );
    },
  });
  const c = await open(t, socket);
  const stream = await c.lifecycleEvents();
  const first = await stream[Symbol.asyncIterator]().next();
  t.same([first.value?.domain.name, first.value?.event, first.value?.detail], ['test', 5, 1]);
  stream.close();
});

t.test('authentication the client cannot do is refused clearly', async (t) => {
  const { socket } = await scriptedServer(t, { authTypes: [AuthType.POLKIT] });
  await t.rejects(connect(`test+unix:///default?socket=${encodeURIComponent(socket)}`), {
    name: 'XvirtError',
    message: /polkit/,
  });
});

t.test('unreachable daemons and unsupported transports', async (t) => {
  await t.rejects(connect('test+unix:///default?socket=/nonexistent/xvirt/sock'), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
    domain: ErrorDomain.RPC,
    message: "Failed to connect socket to '/nonexistent/xvirt/sock': No such file or directory",
  });
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await t.rejects(connect(`test+tcp://127.0.0.1:${port}/default`), {
    number: ErrorNumber.SYSTEM_ERROR,
    message: `Failed to connect to 127.0.0.1:${port}: Connection refused`,
  });
  await t.rejects(connect('test+libssh://127.0.0.1/default'), {
    number: ErrorNumber.NO_SUPPORT,
    message: /transport 'libssh'/,
  });
  await t.rejects(connect('test+ext:///default'), { number: ErrorNumber.NO_SUPPORT, message: /transport 'ext'/ });
  t.equal(transportOf(parseUri('test://host.example/default')), 'tls', 'a host without transport means tls');
  t.equal(transportOf(parseUri('xen:///system')), 'unix');
  t.equal(unixSocketPath(parseUri('xen+unix:///system'), false), DEFAULT_SOCKET);
  t.equal(unixSocketPath(parseUri('xen+unix:///system'), true), DEFAULT_SOCKET_RO);
  t.equal(unixSocketPath(parseUri('test+unix:///default?socket=/a/b'), true), '/a/b', '?socket= wins');
  t.equal(unixSocketPath(parseUri('test+unix:///default'), false, 0), DEFAULT_SOCKET, 'root: system daemon');
  t.equal(
    unixSocketPath(parseUri('test+unix:///default'), false, 1000),
    sessionSocketPath(),
    'non-root test URI: session daemon',
  );
  t.equal(unixSocketPath(parseUri('qemu+unix:///session'), true, 0), sessionSocketPath(), '/session: session daemon');
  t.equal(sessionSocketPath({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/libvirt/libvirt-sock');
  t.equal(sessionSocketPath({ HOME: '/home/u' }), '/home/u/.cache/libvirt/libvirt-sock');
  await t.rejects(connect('test+unix:///default?socket='), {
    number: ErrorNumber.INVALID_ARG,
    message: /empty 'socket'/,
  });
});

t.test('arguments that cannot be encoded fail that call only', async (t) => {
  const { socket } = await scriptedServer(t, {
    onCall: (msg, peer) => peer.reply(msg, P.DOMAIN_LOOKUP_BY_NAME, { dom: DOM }),
  });
  const c = await open(t, socket);
  await t.rejects(c.lookupDomainByName('x'.repeat(4194305)), {
    name: 'XvirtError',
    number: ErrorNumber.RPC,
    message: /'args\.name'.*exceeds maximum 4194304/,
  });
  t.equal((await c.lookupDomainByName('test')).name, 'test', 'connection unaffected');
});

t.test('an aborted signal stops the open', async (t) => {
  const { socket } = await scriptedServer(t);
  const ac = new AbortController();
  ac.abort(new Error('caller gave up'));
  await t.rejects(connect(`test+unix:///default?socket=${encodeURIComponent(socket)}`, { signal: ac.signal }), {
    message: 'caller gave up',
  });
});

t.test('close() does not hang on a server that never answers CONNECT_CLOSE', async (t) => {
  const { socket } = await scriptedServer(t, { stallClose: true, onCall: () => undefined });
  const c = await connect(`test+unix:///default?socket=${encodeURIComponent(socket)}`);
  const stalledCall = c.getType().then(
    () => 'answered',
    (e: XvirtError) => e.number,
  );
  const started = Date.now();
  await c.close();
  const took = Date.now() - started;
  t.ok(took >= CLOSE_GRACE_MS - 50 && took < CLOSE_GRACE_MS + 3000, `closed after the grace period (${took} ms)`);
  t.equal(await stalledCall, ErrorNumber.INVALID_CONN, 'the call in flight fails as closed');
});
