// `xvirt list` asks every domain's state at once, and still prints and fails
// as it did asking one after another: rows in virsh's order, a domain
// undefined since the listing left out, the first failure in listing order.
import t from 'tap';
import type { Connection, Domain } from '../../../lib/connection';
import { QUERY_COMMANDS } from '../../../lib/cli/commands-query';
import type { CommandContext, OptionValues } from '../../../lib/cli/spec';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import type { DomainStateInfo } from '../../../lib/types';

/** A domain whose getState() answers only when the test says so. */
function pendingDomain(id: number, name: string) {
  let settle!: { resolve: (s: DomainStateInfo) => void; reject: (e: unknown) => void };
  let asked = false;
  const dom = {
    id,
    name,
    uuid: `00000000-0000-0000-0000-00000000000${id < 0 ? 9 : id}`,
    getState: () =>
      new Promise<DomainStateInfo>((resolve, reject) => {
        asked = true;
        settle = { resolve, reject };
      }),
  };
  return {
    dom: dom as unknown as Domain,
    asked: () => asked,
    answer: (state: number) => settle.resolve({ state, reason: 0 }),
    fail: (err: unknown) => settle.reject(err),
  };
}

function runList(domains: Domain[], options: OptionValues = new Map()): { done: Promise<number>; out: () => string } {
  let out = '';
  const connection = { listAllDomains: async () => domains } as unknown as Connection;
  const ctx: CommandContext = {
    output: {
      out: (s) => {
        out += s;
      },
      err: () => undefined,
    },
    options,
    json: false,
    quiet: false,
    connection: () => connection,
    debug: () => undefined,
    interrupted: new AbortController().signal,
  };
  const list = QUERY_COMMANDS.find((c) => c.name === 'list')!;
  return { done: list.run(ctx), out: () => out };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('every state is asked before any answers; rows keep virsh order whatever the answer order', async (t) => {
  const doms = [pendingDomain(-1, 'off'), pendingDomain(3, 'b'), pendingDomain(1, 'a')];
  const run = runList(
    doms.map((d) => d.dom),
    new Map([['all', true]]),
  );
  await tick();
  t.same(
    doms.map((d) => d.asked()),
    [true, true, true],
    'three getState calls in flight at once',
  );
  doms[2]!.answer(1);
  doms[0]!.answer(5);
  doms[1]!.answer(3);
  t.equal(await run.done, 0);
  t.equal(
    run.out(),
    ' Id   Name   State\n' +
      '-----------------------\n' +
      ' 1    a      running\n' +
      ' 3    b      paused\n' +
      ' -    off    shut off\n',
  );
});

t.test('a domain undefined since the listing (NO_DOMAIN) is left out', async (t) => {
  const doms = [pendingDomain(1, 'a'), pendingDomain(2, 'gone')];
  const run = runList(doms.map((d) => d.dom));
  await tick();
  doms[1]!.fail(new XvirtError(ErrorNumber.NO_DOMAIN, ErrorDomain.DOMAIN, "no domain 'gone'"));
  doms[0]!.answer(1);
  t.equal(await run.done, 0);
  t.notMatch(run.out(), /gone/);
  t.match(run.out(), / 1    a      running\n/);
});

t.test(
  "any other failure fails the command: the first domain's in listing order, not the first to arrive",
  async (t) => {
    const doms = [pendingDomain(1, 'a'), pendingDomain(2, 'b'), pendingDomain(3, 'c')];
    const run = runList(doms.map((d) => d.dom));
    await tick();
    doms[2]!.fail(new XvirtError(ErrorNumber.OPERATION_FAILED, ErrorDomain.NONE, 'third'));
    await tick();
    doms[1]!.fail(new XvirtError(ErrorNumber.OPERATION_FAILED, ErrorDomain.NONE, 'second'));
    doms[0]!.answer(1);
    await t.rejects(run.done, { message: 'second' });
    t.equal(run.out(), '', 'nothing printed');
  },
);
