// Every failure at the public API's edge is an XvirtError: options, signals
// and listeners are checked (INVALID_ARG naming the argument), an aborted
// signal is libvirt's OPERATION_ABORTED, and a throwing listener breaks
// neither close() nor delivery to the other listeners.
import t from 'tap';
import { connect, ErrorNumber, LifecycleEventStream, XvirtError, type Connection } from '../../lib';

async function open(t: { teardown(fn: () => unknown): void }): Promise<Connection> {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  return conn;
}

/** Captures process warnings (where a throwing listener's error goes) for one test. */
function warnings(t: { teardown(fn: () => unknown): void }): string[] {
  const seen: string[] = [];
  const on = (w: Error): void => {
    seen.push(w.message);
  };
  process.on('warning', on);
  t.teardown(() => {
    process.off('warning', on);
  });
  return seen;
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

function invalidArg(name: RegExp) {
  return { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: name };
}

t.test('connect() checks its uri and options', async (t) => {
  await t.rejects(connect(5 as never), invalidArg(/uri must be a string/));
  await t.rejects(connect('test:///default', null as never), invalidArg(/options must be an object, got null/));
  await t.rejects(connect('test:///default', 'ro' as never), invalidArg(/options must be an object/));
  await t.rejects(
    connect('test:///default', { signal: 5 } as never),
    invalidArg(/options\.signal must be an AbortSignal/),
  );
  await t.rejects(
    connect('test:///default', { readonly: 'yes' } as never),
    invalidArg(/options\.readonly must be a boolean/),
  );
  const conn = await connect('test:///default', { signal: undefined, readonly: undefined });
  t.equal(conn.readonly, false, 'undefined options mean the defaults');
  await conn.close();
});

t.test('an aborted signal is OPERATION_ABORTED, before and during the open', async (t) => {
  const before = new AbortController();
  before.abort();
  const err = await connect('test:///default', { signal: before.signal }).catch((e: unknown) => e);
  t.ok(err instanceof XvirtError, 'an XvirtError, not a DOMException');
  t.match(err, { number: ErrorNumber.OPERATION_ABORTED, code: 'OPERATION_ABORTED', message: /operation aborted/ });
  t.equal(ErrorNumber.OPERATION_ABORTED, 78, "libvirt's VIR_ERR_OPERATION_ABORTED");

  const during = new AbortController();
  const opening = connect('test:///default', { signal: during.signal });
  during.abort(new Error('user gave up'));
  await t.rejects(opening, { number: ErrorNumber.OPERATION_ABORTED, message: /user gave up/ });
});

t.test('onClose and onLifecycle check their listener', async (t) => {
  const conn = await open(t);
  t.throws(() => conn.onClose(null as never), invalidArg(/listener must be a function, got null/));
  await t.rejects(conn.onLifecycle('x' as never), invalidArg(/listener must be a function/));
  await conn.close();
  t.pass('close() after a refused listener resolves');
});

t.test('a throwing close listener breaks neither close() nor the other listeners', async (t) => {
  const seen = warnings(t);
  const conn = await connect('test:///default');
  const reasons: number[] = [];
  conn.onClose(() => {
    throw new Error('listener bug');
  });
  conn.onClose((r) => reasons.push(r));
  await t.resolves(conn.close());
  t.same(reasons, [3], 'the next listener still hears CLIENT');
  await tick();
  t.match(seen.join('\n'), /close listener threw: Error: listener bug/);
});

t.test('a throwing lifecycle listener does not starve the others', async (t) => {
  const seen = warnings(t);
  const conn = await open(t);
  const got: string[] = [];
  await conn.onLifecycle(() => {
    throw new Error('first listener bug');
  });
  await conn.onLifecycle((ev) => got.push(ev.domain.name));
  await (await conn.lookupDomainByName('test')).suspend();
  for (let i = 0; i < 50 && got.length === 0; i++) await tick();
  t.same(got, ['test']);
  await tick();
  t.match(seen.join('\n'), /listener threw: Error: first listener bug/);
});

t.test('event streams check options and signal', async (t) => {
  const conn = await open(t);
  await t.rejects(conn.lifecycleEvents({ signal: 5 } as never), invalidArg(/options\.signal must be an AbortSignal/));
  await t.rejects(conn.lifecycleEvents(null as never), invalidArg(/options must be an object/));
  await t.rejects(conn.networkEvents({ signal: {} } as never), invalidArg(/options\.signal/));
  await t.rejects(conn.storagePoolEvents(7 as never), invalidArg(/options must be an object/));
  t.throws(() => new LifecycleEventStream('s' as never), invalidArg(/options\.signal must be an AbortSignal/));
  const ac = new AbortController();
  const stream = await conn.lifecycleEvents({ signal: ac.signal });
  ac.abort();
  t.same(await stream.next(), { value: undefined, done: true }, 'aborting ends the stream');
});
