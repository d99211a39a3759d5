// A start right after a stop waits for the toolstack to tear the old domain
// down (lib/drivers/xen/lifecycle.ts): over a scripted domain list.
import t from 'tap';
import { DomainState } from '../../../../lib/constants';
import { ErrorNumber } from '../../../../lib/errors';
import { activeAfterTeardown } from '../../../../lib/drivers/xen/lifecycle';
import type { LiveDomain } from '../../../../lib/drivers/xen-common/records';
import { XenState } from '../../../../lib/drivers/xen-common/state';

const UUID = '7a7a7a7a-0000-4000-8000-000000000001';

function domain(xenState: XenState, id = 5): LiveDomain {
  return {
    ref: { name: 'lg1', uuid: UUID, id },
    info: { state: DomainState.SHUTOFF, maxMemKiB: 0, memoryKiB: 0, nrVirtCpu: 1, cpuTimeNs: 0n },
    xenState,
    shutdownCode: 0,
    reason: 0,
    flags: 0,
  };
}

/** A list that answers `script[i]` on its i-th call (the last one from then on). */
function scripted(script: LiveDomain[][]) {
  let calls = 0;
  return {
    list: () => Promise.resolve(script[Math.min(calls++, script.length - 1)]!),
    calls: () => calls,
  };
}

const isLg1 = (d: LiveDomain) => d.ref.uuid === UUID;

t.test('a shut-down or dying domain is waited for until Xen lets it go', async (t) => {
  const s = scripted([[domain(XenState.SHUTOFF)], [domain(XenState.DYING)], []]);
  t.equal(await activeAfterTeardown(s.list, isLg1, 10_000, 1), undefined, 'gone: nothing active');
  t.equal(s.calls(), 3);
});

t.test('a running, blocked, paused or crashed domain is active at once', async (t) => {
  for (const state of [XenState.RUNNING, XenState.BLOCKED, XenState.PAUSED, XenState.CRASHED, XenState.NOSTATE]) {
    const s = scripted([[domain(state)]]);
    t.equal((await activeAfterTeardown(s.list, isLg1, 10_000, 1))?.xenState, state, XenState[state]);
    t.equal(s.calls(), 1, `${XenState[state]}: no waiting`);
  }
});

t.test('the next instance may already run: it is what counts', async (t) => {
  const s = scripted([[domain(XenState.SHUTOFF, 5)], [domain(XenState.BLOCKED, 6)]]);
  t.equal((await activeAfterTeardown(s.list, isLg1, 10_000, 1))?.ref.id, 6);
});

t.test('one that stays is refused after the bound, naming it and the knob', async (t) => {
  const s = scripted([[domain(XenState.SHUTOFF)]]);
  await t.rejects(activeAfterTeardown(s.list, isLg1, 30, 5), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: /domain 'lg1' has stopped, but Xen still holds it: .* within 0\.03 s \(XVIRT_XL_TIMEOUT\)/,
  });
});
