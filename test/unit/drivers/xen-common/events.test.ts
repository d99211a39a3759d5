// Lifecycle events of the Xen driver: state diffs (pure), and the watcher
// driven by xenstore watches, the driver's own calls, and the fallback poll.
import t from 'tap';
import {
  DomainEventCrashedDetail,
  DomainEventDefinedDetail,
  DomainEventResumedDetail,
  DomainEventShutdownDetail,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventSuspendedDetail,
  DomainEventType as E,
  DomainState,
} from '../../../../lib/constants';
import type { DriverLifecycleEvent } from '../../../../lib/types';
import { diffDomain, type DomainSnapshot } from '../../../../lib/drivers/xen-common/events';
import { XenState as S } from '../../../../lib/drivers/xen-common/state';
import { domainXml, fakeDomain, rig, UUIDS } from '../../../support/xen';

const ref = { name: 'g', uuid: UUIDS[1]!, id: 1 };
const snap = (xenState: S, shutdownCode = 255): DomainSnapshot => ({ ref, xenState, shutdownCode });
const events = (list: DriverLifecycleEvent[]) => list.map((e) => [e.event, e.detail]);

t.test('state diffs become libvirt events', async (t) => {
  t.same(events(diffDomain(undefined, snap(S.BLOCKED))), [[E.STARTED, DomainEventStartedDetail.BOOTED]]);
  t.same(events(diffDomain(undefined, snap(S.PAUSED))), [
    [E.STARTED, 0],
    [E.SUSPENDED, DomainEventSuspendedDetail.PAUSED],
  ]);
  t.same(events(diffDomain(snap(S.RUNNING), snap(S.BLOCKED))), [], 'running <-> idle is no event');
  t.same(events(diffDomain(snap(S.BLOCKED), snap(S.PAUSED))), [[E.SUSPENDED, DomainEventSuspendedDetail.PAUSED]]);
  t.same(events(diffDomain(snap(S.PAUSED), snap(S.RUNNING))), [[E.RESUMED, DomainEventResumedDetail.UNPAUSED]]);
  t.same(events(diffDomain(snap(S.BLOCKED), snap(S.SHUTOFF, 0))), [
    [E.SHUTDOWN, DomainEventShutdownDetail.FINISHED],
    [E.STOPPED, DomainEventStoppedDetail.SHUTDOWN],
  ]);
  t.same(events(diffDomain(snap(S.BLOCKED), snap(S.SHUTOFF, 2))), [[E.STOPPED, DomainEventStoppedDetail.SAVED]]);
  t.same(events(diffDomain(snap(S.RUNNING), snap(S.CRASHED, 3))), [
    [E.CRASHED, DomainEventCrashedDetail.PANICKED],
    [E.STOPPED, DomainEventStoppedDetail.CRASHED],
  ]);
  t.same(events(diffDomain(snap(S.BLOCKED), undefined)), [[E.STOPPED, DomainEventStoppedDetail.DESTROYED]]);
  t.same(events(diffDomain(snap(S.SHUTOFF, 0), undefined)), [], 'removing a shut-off domain stops nothing twice');
  t.same(
    events(diffDomain(snap(S.PAUSED), snap(S.SHUTOFF, 0))).map((e) => e[0]),
    [E.SHUTDOWN, E.STOPPED],
  );
});

/** Waits until `n` events have arrived (the watcher scans asynchronously). */
async function until(list: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 200 && list.length < n; i++) await new Promise((r) => setTimeout(r, 5));
}

t.test('the driver reports its own changes and those xenstore announces', async (t) => {
  const { driver, hv, xs } = await rig(t);
  const got: DriverLifecycleEvent[] = [];
  await driver.startLifecycleEvents((e) => got.push(e));
  t.equal(xs.watches.size, 2, 'watches @introduceDomain and @releaseDomain');
  await until(got, 1);
  t.same(got, [], 'arming reports nothing that was already there');

  const g2 = await driver.lookupByName('g2');
  await driver.domainSuspend(g2);
  await until(got, 1);
  await driver.domainResume(g2);
  await until(got, 2);
  t.same(
    got.map((e) => [e.domain.name, e.event, e.detail]),
    [
      ['g2', E.SUSPENDED, 0],
      ['g2', E.RESUMED, 0],
    ],
  );

  got.length = 0;
  hv.domains = hv.domains.filter((d) => d.id !== 3); // destroyed by another tool
  xs.fire('@releaseDomain');
  await until(got, 1);
  t.same(
    got.map((e) => [e.domain.name, e.event, e.detail]),
    [['g3', E.STOPPED, DomainEventStoppedDetail.DESTROYED]],
  );

  got.length = 0;
  hv.domains.push(fakeDomain(4, '44444444-2222-3333-4444-555555555504'));
  xs.fire('@introduceDomain');
  await new Promise((r) => setTimeout(r, 20));
  t.same(got, [], 'a domain still being built (no name in xenstore yet) is not reported');
  xs.values.set('/local/domain/4/name', 'g4');
  xs.fire('@introduceDomain');
  await until(got, 1);
  t.same(
    got.map((e) => [e.domain.name, e.domain.id, e.event]),
    [['g4', 4, E.STARTED]],
  );

  got.length = 0;
  Object.assign(
    hv.domains.find((d) => d.id === 1)!,
    { state: DomainState.CRASHED, xenState: S.CRASHED, shutdownCode: 3 },
  );
  xs.fire('@releaseDomain');
  await until(got, 2);
  t.same(
    got.map((e) => [e.domain.name, e.event]),
    [
      ['g1', E.CRASHED],
      ['g1', E.STOPPED],
    ],
  );

  got.length = 0;
  await driver.defineXML(domainXml('web', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'));
  t.same(
    got.map((e) => [e.domain.name, e.event, e.detail]),
    [['web', E.DEFINED, DomainEventDefinedDetail.ADDED]],
  );

  await driver.stopLifecycleEvents();
  t.equal(xs.watches.size, 0, 'watches removed');
  got.length = 0;
  await driver.domainSuspend(await driver.lookupByName('g4'));
  await new Promise((r) => setTimeout(r, 30));
  t.same(got, [], 'nothing after stop');
});

t.test('when xenstored goes away, polling takes over', async (t) => {
  const { driver, hv, xs } = await rig(t);
  const got: DriverLifecycleEvent[] = [];
  await driver.startLifecycleEvents((e) => got.push(e));
  xs.lose();
  hv.domains = hv.domains.filter((d) => d.id !== 2);
  await until(got, 1);
  t.same(
    got.map((e) => [e.domain.id, e.event]),
    [[2, E.STOPPED]],
    'seen without any watch firing',
  );
  t.equal((await driver.lookupById(3)).name, 'g3', 'names already known are kept');
  hv.domains.push(fakeDomain(7, '77777777-2222-3333-4444-555555555507'));
  await until(got, 2);
  t.same(
    got.slice(1).map((e) => [e.domain.name, e.event]),
    [['Domain-7', E.STARTED]],
    'new domains are still reported, under xl-style names',
  );
});

t.test('without xenstore a poll finds the changes', async (t) => {
  const { driver, hv } = await rig(t, { xenstore: false, pollMs: 10 });
  const got: DriverLifecycleEvent[] = [];
  await driver.startLifecycleEvents((e) => got.push(e));
  hv.domains = hv.domains.filter((d) => d.id !== 1);
  await until(got, 1);
  t.same(
    got.map((e) => [e.domain.id, e.event]),
    [[1, E.STOPPED]],
  );
  await t.rejects(
    driver.startLifecycleEvents(() => undefined),
    /already started/,
  );
});
