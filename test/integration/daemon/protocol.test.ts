/**
 * xvirtd's protocol behaviour, checked message by message with a raw client:
 * handshake bytes as libvirtd sends them, the order of checks (open, auth,
 * read-only), error numbers for unknown and unimplemented procedures, events
 * per callback id, close callbacks, CONNECT_CLOSE, and freeing on the way out.
 */
import t from 'tap';
import { ErrorNumber } from '../../../lib/errors';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { MessageType, remoteError } from '../../../lib/rpc/protocol';
import { decode } from '../../../lib/rpc/xdr';
import { encodeMessage } from '../../../lib/rpc/framing';
import { EVENT_MESSAGES } from '../../../lib/rpc/procedures';
import { DEFAULT_DOMAIN as TEST_DOM } from '../../support/api-conformance';
import { RawClient, startDaemonInProcess } from '../../support/xvirtd';

const opened = RawClient.opened;

const hex = (b: Buffer): string => b.toString('hex');

t.test('handshake replies are byte-identical to libvirtd 9.0 (capture handshake-hex.txt)', async (t) => {
  const { rwSocket } = await startDaemonInProcess(t);
  const c = await RawClient.connect(rwSocket);
  t.teardown(() => c.close());
  // Messages 1, 3, 5 of the capture, sent as virsh sent them.
  c.send(Buffer.from('0000001c 20008086 00000001 00000042 00000000 00000000 00000000'.replace(/ /g, ''), 'hex'));
  c.send(
    Buffer.from('00000020 20008086 00000001 0000003c 00000000 00000001 00000000 0000000a'.replace(/ /g, ''), 'hex'),
  );
  c.send(
    Buffer.from(
      (
        '00000038 20008086 00000001 00000001 00000000 00000002 00000000 00000001 0000000f' +
        Buffer.from('test:///default').toString('hex') +
        '00 00000000'
      ).replace(/ /g, ''),
      'hex',
    ),
  );
  const bytes = async (serial: number): Promise<string> => {
    const m = await c.reply(serial);
    return hex(encodeMessage(m.header, m.payload));
  };
  t.equal(
    await bytes(0),
    '00000024 20008086 00000001 00000042 00000001 00000000 00000000 00000001 00000000'.replace(/ /g, ''),
    'AUTH_LIST → [REMOTE_AUTH_NONE] (message 2)',
  );
  t.equal(
    await bytes(1),
    '00000020 20008086 00000001 0000003c 00000001 00000001 00000000 00000001'.replace(/ /g, ''),
    'SUPPORTS_FEATURE(PROGRAM_KEEPALIVE) → 1 (message 4)',
  );
  t.equal(
    await bytes(2),
    '0000001c 20008086 00000001 00000001 00000001 00000002 00000000'.replace(/ /g, ''),
    'CONNECT_OPEN → OK (message 6)',
  );
});

t.test('calls before CONNECT_OPEN fail as on libvirtd; open rules', async (t) => {
  const { rwSocket, roSocket } = await startDaemonInProcess(t);
  const c = await RawClient.connect(rwSocket);
  t.teardown(() => c.close());
  const notOpen = await c.callError(P.DOMAIN_GET_INFO, { dom: TEST_DOM });
  t.match(notOpen, { code: ErrorNumber.INTERNAL_ERROR, domain: 7, message: 'internal error: connection not open' });
  t.match(await c.callError(P.CONNECT_SUPPORTS_FEATURE, { feature: 14 }), { code: ErrorNumber.INTERNAL_ERROR });
  t.match(
    await c.callError(P.CONNECT_OPEN, { name: 'test+tcp://somewhere/default', flags: 0 }),
    { code: ErrorNumber.NO_CONNECT },
    'the daemon never chains to another daemon',
  );
  t.match(await c.callError(P.CONNECT_OPEN, { name: 'bogus:///x', flags: 0 }), { code: ErrorNumber.NO_CONNECT });
  await c.call(P.CONNECT_OPEN, { name: '', flags: 0 });
  t.same(await c.call(P.CONNECT_GET_URI), { uri: 'test:///default' }, 'an empty name opens the default URI');
  t.match(await c.callError(P.CONNECT_OPEN, { name: 'test:///default', flags: 0 }), {
    code: 1,
    message: /already open/,
  });

  const ro = await RawClient.connect(roSocket);
  t.teardown(() => ro.close());
  t.match(await ro.callError(P.CONNECT_OPEN, { name: '/etc/passwd', flags: 0 }), { code: ErrorNumber.INVALID_ARG });
  t.match(
    await ro.callError(P.CONNECT_OPEN, { name: 'test:///etc/passwd', flags: 0 }),
    { code: ErrorNumber.OPERATION_DENIED },
    'read-only clients cannot make the daemon read files',
  );
  await ro.call(P.CONNECT_OPEN, { name: null, flags: 0 });
  t.same(await ro.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }), { state: 1, reason: 0 });
});

const WRITES: Array<[number, unknown]> = [
  [P.DOMAIN_CREATE, { dom: TEST_DOM }],
  [P.DOMAIN_CREATE_WITH_FLAGS, { dom: TEST_DOM, flags: 0 }],
  [P.DOMAIN_CREATE_XML, { xml_desc: '<domain/>', flags: 0 }],
  [P.DOMAIN_DEFINE_XML, { xml: '<domain/>' }],
  [P.DOMAIN_DEFINE_XML_FLAGS, { xml: '<domain/>', flags: 0 }],
  [P.DOMAIN_DESTROY, { dom: TEST_DOM }],
  [P.DOMAIN_DESTROY_FLAGS, { dom: TEST_DOM, flags: 0 }],
  [P.DOMAIN_SUSPEND, { dom: TEST_DOM }],
  [P.DOMAIN_RESUME, { dom: TEST_DOM }],
  [P.DOMAIN_SHUTDOWN, { dom: TEST_DOM }],
  [P.DOMAIN_SHUTDOWN_FLAGS, { dom: TEST_DOM, flags: 0 }],
  [P.DOMAIN_REBOOT, { dom: TEST_DOM, flags: 0 }],
  [P.DOMAIN_UNDEFINE, { dom: TEST_DOM }],
  [P.DOMAIN_UNDEFINE_FLAGS, { dom: TEST_DOM, flags: 0 }],
  [P.DOMAIN_SET_AUTOSTART, { dom: TEST_DOM, autostart: true }],
  [P.DOMAIN_SET_MEMORY, { dom: TEST_DOM, memory: 1024 }],
  [P.DOMAIN_SET_MEMORY_FLAGS, { dom: TEST_DOM, memory: 1024, flags: 0 }],
  [P.DOMAIN_SET_VCPUS, { dom: TEST_DOM, nvcpus: 1 }],
  [P.DOMAIN_SET_VCPUS_FLAGS, { dom: TEST_DOM, nvcpus: 1, flags: 0 }],
  [P.DOMAIN_GET_XML_DESC, { dom: TEST_DOM, flags: 1 }],
  [P.DOMAIN_GET_XML_DESC, { dom: TEST_DOM, flags: 8 }],
];

t.test('read-only clients (RO socket or RO open flag) are refused every write procedure', async (t) => {
  const { rwSocket, roSocket } = await startDaemonInProcess(t);
  const viaSocket = await opened(roSocket);
  const viaFlag = await opened(rwSocket, 'test:///default', 1);
  t.teardown(() => {
    viaSocket.close();
    viaFlag.close();
  });
  for (const c of [viaSocket, viaFlag]) {
    for (const [proc, args] of WRITES) {
      const err = await c.callError(proc, args);
      t.match(
        err,
        { code: ErrorNumber.OPERATION_DENIED, message: /^operation forbidden: read only access prevents vir\w+$/ },
        `${P[proc]} refused`,
      );
    }
    // Nothing happened: the domain is still there, running, with its memory.
    t.same(await c.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }), { state: 1, reason: 0 });
    t.match(await c.call(P.DOMAIN_GET_INFO, { dom: TEST_DOM }), { memoryKiB: 2097152, nrVirtCpu: 2 });
    t.match(
      await c.call(P.DOMAIN_GET_XML_DESC, { dom: TEST_DOM, flags: 0 }),
      { xml: /<name>test<\/name>/ },
      'plain dumpxml is a read',
    );
  }
});

t.test("unknown, unimplemented and event procedures get libvirtd's error numbers", async (t) => {
  const { rwSocket } = await startDaemonInProcess(t);
  const c = await opened(rwSocket);
  t.teardown(() => c.close());
  const raw = async (proc: number): Promise<Buffer> => {
    const serial = 1000 + proc;
    const b = Buffer.alloc(28);
    b.writeUInt32BE(28, 0);
    b.writeUInt32BE(0x20008086, 4);
    b.writeUInt32BE(1, 8);
    b.writeInt32BE(proc, 12);
    b.writeUInt32BE(serial, 20);
    c.send(b);
    return (await c.reply(serial)).payload;
  };
  t.match(decode(remoteError, await raw(99999)), {
    code: ErrorNumber.RPC,
    domain: 7,
    message: /unknown procedure: 99999/,
  });
  t.match(decode(remoteError, await raw(-5)), { code: ErrorNumber.RPC });
  t.match(decode(remoteError, await raw(318)), { code: ErrorNumber.RPC }, 'an event message number is not a call');
  t.match(
    decode(remoteError, await raw(8)),
    { code: ErrorNumber.NO_SUPPORT, message: /not supported/ },
    'a libvirt procedure xvirt lacks: NO_SUPPORT, so clients fall back',
  );
  t.same(await c.call(P.CONNECT_SUPPORTS_FEATURE, { feature: 14 }), { supported: true });
  t.same(await c.call(P.CONNECT_SUPPORTS_FEATURE, { feature: 15 }), { supported: true });
  t.same(await c.call(P.CONNECT_SUPPORTS_FEATURE, { feature: 1 }), { supported: false });
  // virsh's legacy list path works too.
  t.same(await c.call(P.CONNECT_NUM_OF_DOMAINS), { num: 1 });
  t.same(await c.call(P.CONNECT_LIST_DOMAINS, { maxids: 10 }), { ids: [1] });
  t.same(await c.call(P.CONNECT_NUM_OF_DEFINED_DOMAINS), { num: 0 });
  t.match(await c.callError(P.CONNECT_LIST_DOMAINS, { maxids: 1 << 20 }), { code: ErrorNumber.RPC });
  t.match(await c.callError(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 4 }), {
    code: ErrorNumber.INVALID_ARG,
    message: /unsupported flags/,
  });
  t.match(await c.callError(P.DOMAIN_LOOKUP_BY_NAME, { name: 'nosuch' }), { code: ErrorNumber.NO_DOMAIN });
});

t.test('lifecycle events reach each registered callback with its id, filtered by domain', async (t) => {
  const { rwSocket, daemon } = await startDaemonInProcess(t);
  const listener = await opened(rwSocket);
  const actor = await opened(rwSocket);
  t.teardown(() => {
    listener.close();
    actor.close();
  });
  const all = (await listener.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null })).callbackID;
  const onlyTest = (await listener.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: TEST_DOM }))
    .callbackID;
  const other = { name: 'other', uuid: '00000000-0000-0000-0000-000000000001', id: -1 };
  await listener.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: other });
  await listener.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 5, dom: null });
  await listener.call(P.CONNECT_DOMAIN_EVENT_REGISTER);
  t.match(await listener.callError(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 99, dom: null }), {
    code: 1,
  });
  t.equal(daemon.stats().eventSubscriptions, 1, 'one subscription for the client, however many callbacks');

  await actor.call(P.DOMAIN_SUSPEND, { dom: TEST_DOM });
  const isEvent =
    (proc: number) =>
    (m: { header: { type: number; procedure: number } }): boolean =>
      m.header.type === MessageType.MESSAGE && m.header.procedure === proc;
  await listener.until(
    () =>
      listener.messages.filter(isEvent(318)).length >= 2 && listener.messages.some(isEvent(107)) ? true : undefined,
    'events',
  );
  const callbackEvents = listener.messages.filter(isEvent(318)).map((m) => decode(EVENT_MESSAGES[318], m.payload));
  t.same(callbackEvents.map((e) => e.callbackID).sort(), [all, onlyTest].sort(), 'the matching callbacks only');
  t.match(callbackEvents[0], { dom: { name: 'test', uuid: TEST_DOM.uuid, id: 1 }, event: 3, detail: 0 });
  const legacy = decode(EVENT_MESSAGES[107], listener.messages.find(isEvent(107))!.payload);
  t.match(legacy, { dom: { name: 'test' }, event: 3, detail: 0 }, 'legacy registration gets the legacy message');

  await listener.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID: all });
  t.match(await listener.callError(P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID: all }), {
    code: ErrorNumber.INVALID_ARG,
  });
  const before = listener.messages.filter(isEvent(318)).length;
  await actor.call(P.DOMAIN_RESUME, { dom: TEST_DOM });
  await listener.until(
    () => (listener.messages.filter(isEvent(318)).length > before ? true : undefined),
    'resume event',
  );
  await new Promise((r) => setTimeout(r, 50));
  const after = listener.messages
    .filter(isEvent(318))
    .slice(before)
    .map((m) => decode(EVENT_MESSAGES[318], m.payload));
  t.same(
    after.map((e) => [e.callbackID, e.event]),
    [[onlyTest, 4]],
    'a deregistered callback gets nothing more',
  );

  listener.close();
  await listener.waitClosed();
  await actor.until(() => (daemon.stats().clients === 1 ? true : undefined), 'the listener to be dropped');
  t.equal(daemon.stats().eventSubscriptions, 0, 'its subscription is freed with it');
  t.equal(daemon.stats().connections, 1, 'and its connection');
});

t.test('close callback, CONNECT_CLOSE and keepalive', async (t) => {
  const { rwSocket, daemon } = await startDaemonInProcess(t, { keepaliveInterval: 1, keepaliveCount: 1 });
  const c = await opened(rwSocket);
  await c.call(P.CONNECT_REGISTER_CLOSE_CALLBACK);
  t.match(await c.callError(P.CONNECT_REGISTER_CLOSE_CALLBACK), { code: ErrorNumber.OPERATION_INVALID });
  await c.call(P.CONNECT_UNREGISTER_CLOSE_CALLBACK);
  t.match(await c.callError(P.CONNECT_UNREGISTER_CLOSE_CALLBACK), { code: ErrorNumber.OPERATION_INVALID });
  t.equal(daemon.stats().connections, 1);
  await c.call(P.CONNECT_CLOSE);
  await c.waitClosed();
  t.equal(daemon.stats().connections, 0, 'CONNECT_CLOSE frees the connection and ends the socket');

  // A client that asked for keepalive and then goes silent is dropped after interval × (count + 1).
  const silent = await RawClient.connect(rwSocket);
  await silent.call(P.CONNECT_SUPPORTS_FEATURE, { feature: 10 });
  const started = Date.now();
  await silent.waitClosed(6000);
  const pings = silent.messages.filter((m) => m.header.program === 0x6b656570 && m.header.procedure === 1);
  t.ok(pings.length >= 1, 'it was pinged first');
  t.ok(Date.now() - started >= 1500, 'not before the pings went unanswered');

  // One that answers is kept; and PINGs from clients get PONGs.
  const lively = await RawClient.connect(rwSocket);
  t.teardown(() => lively.close());
  await lively.call(P.CONNECT_SUPPORTS_FEATURE, { feature: 10 });
  const ping = Buffer.from('0000001c 6b656570 00000001 00000001 00000002 00000000 00000000'.replace(/ /g, ''), 'hex');
  for (let i = 0; i < 6; i++) {
    lively.send(ping);
    await new Promise((r) => setTimeout(r, 500));
  }
  t.notOk(lively.closed, 'an active client survives the keepalive');
  t.ok(
    lively.messages.filter((m) => m.header.program === 0x6b656570 && m.header.procedure === 2).length >= 6,
    'PONG for each PING',
  );
});

t.test('max_clients and max_client_requests', async (t) => {
  const { rwSocket } = await startDaemonInProcess(t, { maxClients: 2, maxClientRequests: 3 });
  const a = await opened(rwSocket);
  const b = await RawClient.connect(rwSocket);
  t.teardown(() => {
    a.close();
    b.close();
  });
  const c = await RawClient.connect(rwSocket);
  await c.waitClosed();
  t.pass('the third client is turned away');
  // Far more calls in flight than max_client_requests: all answered, none lost.
  const serials = Array.from({ length: 500 }, () => a.sendCall(P.DOMAIN_GET_INFO, { dom: TEST_DOM }));
  const replies = await Promise.all(serials.map((s) => a.reply(s)));
  t.ok(
    replies.every((r) => r.header.status === 0 && r.payload.length === 32),
    '500 pipelined getInfo answered',
  );
});
