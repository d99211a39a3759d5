/**
 * Issue #15's crowd, as behaviour (the figures are bench/crowd.js's and bench/remote.js's): during an event storm a
 * subscriber that stops reading is dropped at its message cap with the reason logged, and frees its
 * subscription, while a subscriber that reads gets every event and the actor every reply; one event is encoded
 * once for all its subscribers (domain, network and pool events alike); the C heap is given back after start and after clients leave.
 */
import t from 'tap';
import { EVENT_MESSAGES, RemoteProcedure as P } from '../../../lib/rpc/procedures';
import type { Message } from '../../../lib/rpc/framing';
import { MessageType } from '../../../lib/rpc/protocol';
import { decode, encode } from '../../../lib/rpc/xdr';
import { lifecycleBodiesEncodedCount } from '../../../lib/daemon/events';
import { NetworkEventType } from '../../../lib/netstore-constants';
import { netstoreBodiesEncodedCount } from '../../../lib/daemon/netstore-events';
import { NETSTORE_EVENT_MESSAGES, NetStoreProcedure as NP } from '../../../lib/rpc/netstore-procedures';
import { DEFAULT_DOMAIN as TEST_DOM } from '../../support/api-conformance';
import { RawClient, startDaemonInProcess } from '../../support/xvirtd';

const CAP = 64;

t.test('a non-reading event subscriber is dropped at max_client_output_messages; a reading one keeps up', async (t) => {
  const { rwSocket, daemon, log } = await startDaemonInProcess(t, {
    keepaliveInterval: -1,
    maxClientOutputMessages: CAP,
    logLevel: 2,
  });
  const actor = await RawClient.opened(rwSocket);
  const reader = await RawClient.opened(rwSocket);
  const slow = await RawClient.opened(rwSocket);
  t.teardown(() => {
    for (const c of [actor, reader, slow]) c.close();
  });
  for (const c of [reader, slow]) await c.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null });
  slow.socket.pause();

  // Rounds of 100 suspend/resume pairs, until the kernel's socket buffer and then the cap are full.
  let generated = 0;
  for (let round = 0; round < 200 && daemon.stats().clients > 2; round++) {
    const serials: number[] = [];
    for (let i = 0; i < 100; i++) {
      serials.push(actor.sendCall(P.DOMAIN_SUSPEND, { dom: TEST_DOM }));
      serials.push(actor.sendCall(P.DOMAIN_RESUME, { dom: TEST_DOM }));
    }
    const replies = await Promise.all(serials.map((s) => actor.reply(s)));
    t.ok(
      replies.every((r) => r.header.status === 0),
      `round ${round}: every suspend/resume answered`,
    );
    actor.messages.length = 0;
    generated += serials.length;
  }
  await actor.until(() => (daemon.stats().clients === 2 ? true : undefined), 'the non-reader to be dropped');
  t.match(
    log.join('\n'),
    new RegExp(`client \\d+: client is not reading: more than ${CAP} messages queued`),
    'the reason is logged',
  );
  t.equal(daemon.stats().eventSubscriptions, 1, "the non-reader's subscription is freed, the reader's kept");

  const lifecycle = (): number =>
    reader.messages.filter((m) => m.header.procedure === P.DOMAIN_EVENT_CALLBACK_LIFECYCLE).length;
  await reader.until(() => (lifecycle() >= generated ? true : undefined), `the reader to get all ${generated} events`);
  t.equal(lifecycle(), generated, `the reader got every event (${generated}), in bursts larger than the cap`);
  t.same(
    await actor.call(P.DOMAIN_GET_STATE, { dom: TEST_DOM, flags: 0 }),
    { state: 1, reason: 5 },
    'the actor carries on',
  );
});

t.test('after start and after clients leave, the daemon gives the C heap back, not once per client', async (t) => {
  const { daemon } = await startDaemonInProcess(t, { keepaliveInterval: -1 });
  const trims = (): number => daemon.stats().heapTrims;
  const waitFor = async (what: string, ok: () => boolean): Promise<void> => {
    for (let waited = 0; !ok(); waited += 50) {
      if (waited > 30000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await waitFor('the trim after start', () => trims() >= 1);
  const before = trims();
  const clients = await Promise.all(Array.from({ length: 50 }, () => RawClient.opened(daemon.addresses[0]!.address)));
  for (const c of clients) c.close();
  await waitFor('every client to be gone', () => daemon.stats().clients === 0);
  await waitFor('a trim after they left', () => trims() > before);
  t.ok(trims() - before < clients.length, `${clients.length} departures, ${trims() - before} trim(s)`);
});

t.test('one lifecycle event is encoded once for all its subscribers, each frame with its own callbackID', async (t) => {
  const { rwSocket } = await startDaemonInProcess(t, { keepaliveInterval: -1 });
  const actor = await RawClient.opened(rwSocket);
  // Subscriber i holds i + 1 callback registrations, so the ids differ within and across clients.
  const subscribers = await Promise.all(Array.from({ length: 4 }, () => RawClient.opened(rwSocket)));
  const legacy = await RawClient.opened(rwSocket);
  t.teardown(() => {
    for (const c of [actor, legacy, ...subscribers]) c.close();
  });
  const ids: number[][] = [];
  for (const [i, c] of subscribers.entries()) {
    const mine: number[] = [];
    for (let k = 0; k <= i; k++) {
      mine.push((await c.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null })).callbackID);
    }
    ids.push(mine);
  }
  await legacy.call(P.CONNECT_DOMAIN_EVENT_REGISTER);

  const encodedBefore = lifecycleBodiesEncodedCount();
  await actor.call(P.DOMAIN_SUSPEND, { dom: TEST_DOM });
  await actor.call(P.DOMAIN_RESUME, { dom: TEST_DOM });
  const events = (c: RawClient, proc: number): Message[] =>
    c.messages.filter((m) => m.header.type === MessageType.MESSAGE && m.header.procedure === proc);
  for (const [i, c] of subscribers.entries()) {
    await c.until(
      () => (events(c, P.DOMAIN_EVENT_CALLBACK_LIFECYCLE).length >= 2 * (i + 1) ? true : undefined),
      'events',
    );
  }
  await legacy.until(() => (events(legacy, P.DOMAIN_EVENT_LIFECYCLE).length >= 2 ? true : undefined), 'events');
  const frames = 2 * (ids.flat().length + 1);
  t.equal(lifecycleBodiesEncodedCount() - encodedBefore, 2, `two events, two encodings, for ${frames} frames`);

  for (const [i, c] of subscribers.entries()) {
    const got = events(c, P.DOMAIN_EVENT_CALLBACK_LIFECYCLE).map((m) => ({
      bytes: m.payload,
      msg: decode(EVENT_MESSAGES[P.DOMAIN_EVENT_CALLBACK_LIFECYCLE], m.payload),
    }));
    const want = [3, 4].flatMap((event) =>
      ids[i]!.map((callbackID) => ({ callbackID, dom: TEST_DOM, event, detail: 0 })),
    );
    t.same(
      got.map((g) => g.msg),
      want,
      `subscriber ${i}: each callback's own id, in order`,
    );
    t.same(
      got.map((g) => g.bytes),
      want.map((w) => encode(EVENT_MESSAGES[P.DOMAIN_EVENT_CALLBACK_LIFECYCLE], w, 'msg')),
      `subscriber ${i}: byte for byte what encoding each message whole gives`,
    );
  }
  t.same(
    events(legacy, P.DOMAIN_EVENT_LIFECYCLE).map((m) => m.payload),
    [3, 4].map((event) => encode(EVENT_MESSAGES[P.DOMAIN_EVENT_LIFECYCLE], { dom: TEST_DOM, event, detail: 0 }, 'msg')),
    'the legacy registration gets the shared body as its whole message',
  );
});

t.test(
  'one network or pool event is encoded once for all its subscribers, each frame with its own callbackID',
  async (t) => {
    const { rwSocket } = await startDaemonInProcess(t, { keepaliveInterval: -1 });
    const actor = await RawClient.opened(rwSocket);
    const subscribers = await Promise.all(Array.from({ length: 3 }, () => RawClient.opened(rwSocket)));
    t.teardown(() => {
      for (const c of [actor, ...subscribers]) c.close();
    });
    // Subscriber i holds i + 1 network lifecycle callbacks and one pool refresh callback.
    const netIds: number[][] = [];
    const refreshIds: number[] = [];
    for (const [i, c] of subscribers.entries()) {
      const mine: number[] = [];
      for (let k = 0; k <= i; k++) {
        mine.push((await c.call(NP.CONNECT_NETWORK_EVENT_REGISTER_ANY, { eventID: 0, net: null })).callbackID);
      }
      netIds.push(mine);
      refreshIds.push(
        (await c.call(NP.CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, { eventID: 1, pool: null })).callbackID,
      );
    }
    const { net } = await actor.call(NP.NETWORK_LOOKUP_BY_NAME, { name: 'default' });
    const { pool } = await actor.call(NP.STORAGE_POOL_LOOKUP_BY_NAME, { name: 'default-pool' });

    const encodedBefore = netstoreBodiesEncodedCount();
    await actor.call(NP.NETWORK_DESTROY, { net });
    await actor.call(NP.NETWORK_CREATE, { net });
    await actor.call(NP.STORAGE_POOL_REFRESH, { pool, flags: 0 });
    const events = (c: RawClient, proc: number): Buffer[] =>
      c.messages
        .filter((m) => m.header.type === MessageType.MESSAGE && m.header.procedure === proc)
        .map((m) => m.payload);
    for (const [i, c] of subscribers.entries()) {
      await c.until(
        () =>
          events(c, NP.NETWORK_EVENT_LIFECYCLE).length >= 2 * (i + 1) &&
          events(c, NP.STORAGE_POOL_EVENT_REFRESH).length >= 1
            ? true
            : undefined,
        'events',
      );
    }
    const frames = 2 * netIds.flat().length + refreshIds.length;
    t.equal(netstoreBodiesEncodedCount() - encodedBefore, 3, `three events, three encodings, for ${frames} frames`);

    const lifecycle = NETSTORE_EVENT_MESSAGES[NP.NETWORK_EVENT_LIFECYCLE];
    const refresh = NETSTORE_EVENT_MESSAGES[NP.STORAGE_POOL_EVENT_REFRESH];
    for (const [i, c] of subscribers.entries()) {
      const want = [NetworkEventType.STOPPED, NetworkEventType.STARTED].flatMap((event) =>
        netIds[i]!.map((callbackID) => ({ callbackID, net, event, detail: 0 })),
      );
      t.same(
        events(c, NP.NETWORK_EVENT_LIFECYCLE),
        want.map((w) => encode(lifecycle, w, 'msg')),
        `subscriber ${i}: network events byte for byte as encoding each message whole, each callback's own id`,
      );
      t.same(
        events(c, NP.STORAGE_POOL_EVENT_REFRESH),
        [encode(refresh, { callbackID: refreshIds[i]!, pool }, 'msg')],
        `subscriber ${i}: the pool refresh with its own id`,
      );
    }
  },
);
