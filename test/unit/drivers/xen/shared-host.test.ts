// Two xen:///system connections of one process share one XenHost
// (lib/drivers/xen/host.ts) over the fakes: what one does reaches the
// other's lifecycle listener with the details only the maker knows, both see
// the same definitions, the handles close with the last connection, and the
// next connection opens them again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import {
  DomainEventDefinedDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventType as E,
} from '../../../../lib/constants';
import { DefinitionStore } from '../../../../lib/drivers/definition-store';
import { XenDriver } from '../../../../lib/drivers/xen/driver';
import { acquireSharedHost, type XenDriverDeps } from '../../../../lib/drivers/xen/host';
import { ReasonBook } from '../../../../lib/drivers/xen/reasons';
import { XenHypervisor } from '../../../../lib/native';
import type { DriverLifecycleEvent } from '../../../../lib/types';
import {
  FakeHypervisor,
  FakeXenstore,
  FakeXl,
  domainXml,
  fakeSaveRestore,
  testCodec,
  UUIDS,
} from '../../../support/xen';

const UUID = 'aaaaaaaa-bbbb-cccc-dddd-555555555555';

/** An opener over fresh fakes (domains 0-3, g1 named), counting how often it runs. */
function fakeHost(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-xen-shared-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fakes = { hv: new FakeHypervisor(), xs: new FakeXenstore(), xl: new FakeXl(), opens: 0, dir };
  fakes.xs.values.set('/local/domain/0/name', 'Domain-0');
  fakes.xs.values.set('/local/domain/1/name', 'g1');
  const open = async (): Promise<XenDriverDeps> => {
    fakes.opens++;
    return {
      hv: await XenHypervisor.over(Promise.resolve(fakes.hv)),
      xenstore: fakes.xs,
      xl: fakes.xl,
      codec: testCodec,
      pollMs: 0,
      store: await DefinitionStore.open(dir, (xml) => testCodec.parse(xml)),
      reasons: new ReasonBook(),
    };
  };
  return { fakes, open: async () => new XenDriver(await acquireSharedHost(dir, open)) };
}

const seen = (events: DriverLifecycleEvent[], name: string, event: E, detail: number) =>
  events.some((e) => e.domain.name === name && e.event === event && e.detail === detail);

t.test('an action through one connection reaches the listener of another, details included', async (t) => {
  const { fakes, open } = fakeHost(t);
  const a = await open();
  const b = await open();
  t.equal(fakes.opens, 1, 'the second connection shares the first one’s handles');
  const onB: DriverLifecycleEvent[] = [];
  await b.startLifecycleEvents((e) => onB.push(e));
  const onA: DriverLifecycleEvent[] = [];
  await a.startLifecycleEvents((e) => onA.push(e));

  const web = await a.defineXML(domainXml('web', UUID));
  await new Promise((r) => setImmediate(r));
  t.ok(seen(onB, 'web', E.DEFINED, DomainEventDefinedDetail.ADDED), 'DEFINED, raised by no scan, reaches b');
  t.same(await b.lookupByName('web'), web, 'b sees the definition a made');
  t.ok(
    (await b.listAllDomains(0)).some((d) => d.name === 'web'),
    'and lists it',
  );

  fakeSaveRestore(fakes, 'g1', UUIDS[1]!, { next: 7 });
  const image = path.join(fakes.dir, 'g1.save');
  await a.domainSave(await a.lookupByName('g1'), image, 0);
  await new Promise((r) => setImmediate(r));
  t.ok(seen(onB, 'g1', E.STOPPED, DomainEventStoppedDetail.SAVED), 'STOPPED/SAVED on b');
  await a.domainRestore(image, 0);
  await new Promise((r) => setImmediate(r));
  t.ok(seen(onB, 'g1', E.STARTED, DomainEventStartedDetail.RESTORED), 'STARTED/RESTORED on b');
  t.same(
    onA.map((e) => [e.domain.name, e.event, e.detail]),
    onB.map((e) => [e.domain.name, e.event, e.detail]),
    'both listeners got the same events',
  );

  await b.stopLifecycleEvents();
  const quiet = onB.length;
  await a.domainUndefine(web, 0);
  await new Promise((r) => setImmediate(r));
  t.ok(seen(onA, 'web', E.UNDEFINED, 0), 'a still listens');
  t.equal(onB.length, quiet, 'b stopped listening: nothing more for it');

  await a.close();
  t.notOk(fakes.xs.closed, 'b still holds the handles');
  t.equal((await b.lookupByName('g1')).id, 7, 'b works after a closed');
  await b.close();
  t.ok(fakes.xs.closed, 'the last close released xenstore');
  t.ok(fakes.hv.calls.includes('close'), 'and the hypervisor handle');

  const c = await open();
  t.teardown(() => c.close());
  t.equal(fakes.opens, 2, 'a connection after the last close opens the handles again');
});

t.test('connections opened at once share one opening; a failed opening is not kept', async (t) => {
  const { fakes, open } = fakeHost(t);
  const [a, b] = await Promise.all([open(), open()]);
  t.equal(fakes.opens, 1);
  await Promise.all([a.close(), b.close()]);
  t.ok(fakes.xs.closed);

  let fail = true;
  const key = fakes.dir + '-failing';
  const flaky = async (): Promise<XenDriverDeps> => {
    if (fail) throw new Error('no privcmd');
    fail = false;
    return {
      hv: await XenHypervisor.over(Promise.resolve(new FakeHypervisor())),
      xenstore: null,
      xl: new FakeXl(),
      codec: testCodec,
      pollMs: 0,
      store: await DefinitionStore.open(fakes.dir, (xml) => testCodec.parse(xml)),
    };
  };
  await t.rejects(acquireSharedHost(key, flaky), /no privcmd/);
  fail = false;
  const host = await acquireSharedHost(key, flaky);
  t.ok(host, 'the next attempt opens anew');
  await host.release();
});
