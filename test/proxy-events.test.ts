// Lifecycle events for unprivileged users through the proxy: the driver
// polls LIST and diffs it with the direct driver's logic. The test helper's
// hypervisor is fixed, so the change observed here is xenstore's: domain 3
// has no name (a domain the toolstack is still building, not reported) until
// the test names it, and then it must be reported as started.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainEventStartedDetail, DomainEventType } from '../lib/constants';
import { XENSTORE_NAMES, ensureDist, ensureTestUser, runAsUser, setupTestProxy, type TestProxy } from './proxy-harness';

let proxy: TestProxy;
let marks: string;

t.before(async () => {
  ensureTestUser();
  ensureDist();
  proxy = await setupTestProxy();
  marks = path.join(proxy.dir, 'marks');
  fs.mkdirSync(marks);
  fs.chmodSync(marks, 0o777);
});
t.teardown(() => proxy?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('a domain that appears is reported to an unprivileged listener; nothing else is', async (t) => {
  const key = '/local/domain/3/name';
  t.teardown(() => { delete XENSTORE_NAMES[key]; });
  const client = runAsUser(proxy, `
const fs = require('node:fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const c = await xvirt.connect('xen:///system');
const events = [];
const off = await c.onLifecycle((e) => events.push({ name: e.domain.name, id: e.domain.id, event: e.event, detail: e.detail }));
fs.writeFileSync(process.env.MARKS + '/armed', '');
while (!fs.existsSync(process.env.MARKS + '/named')) await sleep(20);
const quiet = events.length;
for (const end = Date.now() + 15000; !events.some((e) => e.id === 3) && Date.now() < end;) await sleep(50);
await off();
out({ quiet, events, listed: (await c.listAllDomains()).map((d) => d.name) });
await c.close();`, { MARKS: marks });
  for (const end = Date.now() + 20_000; !fs.existsSync(path.join(marks, 'armed')); await sleep(20)) {
    if (Date.now() > end) throw new Error('the client never armed its listener');
  }
  await sleep(2500); // more than two polls with nothing changed
  XENSTORE_NAMES[key] = 'guest-three';
  fs.writeFileSync(path.join(marks, 'named'), '');
  const r = await client as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  t.equal(r.quiet, 0, 'no event while nothing changed');
  t.ok(r.events.length >= 1, 'the new domain was reported');
  t.same(r.events[0], { name: 'guest-three', id: 3, event: DomainEventType.STARTED, detail: DomainEventStartedDetail.BOOTED },
    'as started, under its new name');
  t.ok(r.events.every((e: { id: number }) => e.id === 3), 'and only it');
  const dump = JSON.parse(spawnSync(path.join(proxy.bin, 'fake_direct'), [], { encoding: 'utf8' }).stdout);
  const paused = dump.domains.find((d: { domid: number }) => d.domid === 3).xenState === 3;
  t.equal(r.events.length, paused ? 2 : 1, paused ? 'then suspended, as it is paused' : 'nothing more');
  t.same(r.listed, ['Domain-0', 'guest-one', 'guest-two', 'guest-three']);
});
