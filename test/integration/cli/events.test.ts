// `xvirt event`: real lifecycle events, printed as they happen. On
// test:///default only changes made in the same process produce events, so
// the event loop runs in-process (runCli, the code bin/xvirt.js runs) while
// other runCli commands change the domain; the spawned binary is tested for
// what it can see alone: --timeout, SIGINT, --list.
import t, { type Test } from 'tap';
import { connect } from '../../../lib';
import { runCli } from '../../../lib/cli/main';
import { requireBuild, startXvirt, tail, until, xvirt } from '../../support/cli';

interface Captured {
  out: string;
  err: string;
}

function capture(): { output: { out(s: string): void; err(s: string): void }; text: Captured } {
  const text: Captured = { out: '', err: '' };
  return {
    text,
    output: {
      out: (s) => {
        text.out += s;
      },
      err: (s) => {
        text.err += s;
      },
    },
  };
}

/** Runs a command in this process and expects it to succeed. */
async function run(t: Test, args: string[]): Promise<void> {
  const { output, text } = capture();
  t.equal(await runCli(args, { output }), 0, `${args.join(' ')} (${text.err})`);
}

/** Starts `event ...` in this process; resolves once it waits for events. */
async function startEventLoop(args: string[]): Promise<{ text: Captured; stop: () => void; done: Promise<number> }> {
  const { output, text } = capture();
  const interrupt = new AbortController();
  const done = runCli(['-d', '1', ...args], { output, interrupted: interrupt.signal });
  await until('the event loop to arm', () => /debug: waiting for/.test(text.err) || text.err.startsWith('error'));
  return { text, stop: () => interrupt.abort(), done };
}

t.test("event --loop prints each lifecycle event as it happens, in virsh's words", async (t) => {
  // Holding a connection keeps this process's test:///default state alive between commands.
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const loop = await startEventLoop(['event', '--all', '--loop']);
  await run(t, ['suspend', 'test']);
  await until('the first event', () => loop.text.out.includes('Suspended'));
  t.equal(loop.text.out, "event 'lifecycle' for domain 'test': Suspended Paused\n", 'printed before the next change');
  await run(t, ['resume', 'test']);
  await run(t, ['destroy', 'test']);
  await run(t, ['start', 'test']);
  await until('four events', () => loop.text.out.split('\n').length > 4);
  loop.stop();
  t.equal(await loop.done, 0, 'an interrupt ends the loop cleanly');
  t.equal(
    loop.text.out,
    "event 'lifecycle' for domain 'test': Suspended Paused\n" +
      "event 'lifecycle' for domain 'test': Resumed Unpaused\n" +
      "event 'lifecycle' for domain 'test': Stopped Destroyed\n" +
      "event 'lifecycle' for domain 'test': Started Booted\n" +
      'event loop interrupted\n' +
      'events received: 4\n' +
      '\n',
  );
  t.notMatch(loop.text.err, /error/);
});

t.test('one-shot event, --domain filter, --timestamp, --json lines', async (t) => {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const dir = `${process.cwd()}/fixtures`;
  await run(t, ['define', `${dir}/guest-fc4.xml`]);
  const fc4 = (await conn.listAllDomains()).find((d) => d.name !== 'test');
  t.ok(fc4, 'the fixture guest is defined');

  const oneShot = await startEventLoop(['event', '--event', 'lifecycle', '--domain', 'test', '--timestamp']);
  await run(t, ['start', fc4!.name]);
  await run(t, ['suspend', 'test']);
  t.equal(await oneShot.done, 0, 'ends by itself after one event');
  t.match(
    oneShot.text.out,
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: event 'lifecycle' for domain 'test': Suspended Paused\nevents received: 1\n\n$/,
    "the other domain's start is filtered out",
  );

  const json = await startEventLoop(['event', '--all', '--loop', '--json']);
  await run(t, ['resume', 'test']);
  await run(t, ['undefine', fc4!.name]);
  await until('two JSON lines', () => json.text.out.split('\n').length > 2);
  json.stop();
  t.equal(await json.done, 0);
  const lines = json.text.out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(lines.length, 2, 'only events: no summary, no blank line');
  t.match(lines[0], {
    event: 'lifecycle',
    domain: { id: 1, name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' },
    type: 'Resumed',
    typeCode: 4,
    detail: 'Unpaused',
    detailCode: 0,
    timestamp: /^\d{4}-\d\d-\d\dT/,
  });
  t.match(lines[1], {
    event: 'lifecycle',
    domain: { name: fc4!.name },
    type: 'Undefined',
    typeCode: 1,
    detail: 'Removed',
    detailCode: 0,
  });
});

t.test('the xvirt binary: --timeout, SIGINT, --list', async (t) => {
  requireBuild(t);
  const timed = await xvirt(['event', '--all', '--loop', '--timeout', '1']);
  t.same([timed.code, timed.stdout, timed.stderr], [0, 'event loop timed out\nevents received: 0\n\n', '']);
  const once = await xvirt(['event', '--all', '--timeout', '1', '--json']);
  t.same([once.code, once.stdout, once.stderr], [0, '', ''], '--json prints events only');

  const { child, done } = startXvirt(['-d', '1', 'event', '--all', '--loop']);
  const err = tail(child, 'stderr');
  await until('the event loop to arm', () => err().includes('debug: waiting for events'));
  child.kill('SIGINT');
  const r = await done;
  t.equal(r.signal, null, 'exits by itself rather than dying of the signal');
  t.equal(r.code, 0);
  t.equal(r.stdout, 'event loop interrupted\nevents received: 0\n\n');
  t.notMatch(r.stderr, /error/);

  const list = await xvirt(['event', '--list']);
  t.same([list.code, list.stdout], [0, 'lifecycle\n\n']);
});
