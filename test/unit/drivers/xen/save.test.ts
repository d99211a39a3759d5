// Save, restore and managed save of the direct Xen driver over the fakes:
// which xl commands run, the checks made before xl is asked (target
// directory, image header), state reasons, lifecycle event details, and the
// managed save image's life (start restores it once, undefine refuses it).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DomainCreateFlags,
  DomainEventStartedDetail,
  DomainEventStoppedDetail,
  DomainEventType,
  DomainRunningReason,
  DomainShutoffReason,
  DomainState,
  DomainUndefineFlags,
} from '../../../../lib/constants';
import { ErrorNumber } from '../../../../lib/errors';
import type { DriverLifecycleEvent } from '../../../../lib/types';
import { fakeDomain, fakeSaveRestore, rig, domainXml, XL_SAVE_MAGIC as MAGIC, type Rig } from '../../../support/xen';

const UUID = 'aaaaaaaa-bbbb-cccc-dddd-444444444444';
async function started(r: Rig, name: string, uuid: string, id: number) {
  const ref = await r.driver.defineXML(domainXml(name, uuid));
  r.xl.onCreate = () => {
    r.hv.domains.push(fakeDomain(id, uuid));
    void r.xs.write(`/local/domain/${id}/name`, name);
  };
  return { defined: ref, running: await r.driver.domainCreate(ref, 0) };
}

t.test('save and restore: xl runs only after the checks, with reasons and event details', async (t) => {
  const r = await rig(t);
  const events: DriverLifecycleEvent[] = [];
  await r.driver.startLifecycleEvents((e) => events.push(e));
  const { running } = await started(r, 'web', UUID, 5);
  fakeSaveRestore(r, 'web', UUID, { next: 6 });

  r.xl.runs = [];
  await t.rejects(r.driver.domainSave(running, path.join(r.dir, 'missing', 'web.save'), 0), {
    number: ErrorNumber.SYSTEM_ERROR,
    message: /^Failed to create file '.*missing\/web\.save': No such file or directory$/,
  });
  await t.rejects(r.driver.domainSave(running, 'web.save', 0), {
    number: ErrorNumber.INVALID_ARG,
    message: /absolute/,
  });
  await t.rejects(r.driver.domainSave(running, r.dir, 0), {
    number: ErrorNumber.SYSTEM_ERROR,
    message: /Is a directory/,
  });
  await t.rejects(r.driver.domainSave(running, path.join(r.dir, 'x'), 1), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
  });
  t.same(r.xl.runs, [], 'no xl call for a refused save');
  t.equal(await r.driver.domainIsActive(running), true, 'the guest still runs');

  const image = path.join(r.dir, 'web.save');
  await r.driver.domainSave(running, image, 0);
  t.same(r.xl.runs, [['save', '5', image]]);
  t.same(await r.driver.domainGetState(running), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED });
  t.ok(
    events.some(
      (e) =>
        e.domain.uuid === UUID && e.event === DomainEventType.STOPPED && e.detail === DomainEventStoppedDetail.SAVED,
    ),
    'STOPPED/SAVED, though the scan only saw the domain vanish',
  );

  const corrupt = path.join(r.dir, 'corrupt.save');
  fs.writeFileSync(corrupt, Buffer.alloc(100, 0x41));
  const headerless = path.join(r.dir, 'headerless.save');
  fs.writeFileSync(headerless, Buffer.concat([MAGIC, Buffer.alloc(64)]));
  r.xl.runs = [];
  await t.rejects(r.driver.domainRestore(corrupt, 0), {
    number: ErrorNumber.OPERATION_FAILED,
    message: /corrupt\.save.*header xl save writes/,
  });
  await t.rejects(r.driver.domainRestore(headerless, 0), {
    number: ErrorNumber.OPERATION_FAILED,
    message: /names no domain/,
  });
  await t.rejects(r.driver.domainRestore(path.join(r.dir, 'nope.save'), 0), {
    number: ErrorNumber.SYSTEM_ERROR,
    message: /nope\.save': No such file or directory$/,
  });
  t.same(r.xl.runs, [], 'xl never sees a file xvirt already refused');

  await r.driver.domainRestore(image, 0);
  const restored = await r.driver.lookupByUuid(UUID);
  t.same(restored, { name: 'web', uuid: UUID, id: 6 });
  t.same(r.xl.runs, [['restore', image]]);
  t.same(
    await r.driver.domainGetState(restored),
    { state: DomainState.BLOCKED, reason: DomainRunningReason.RESTORED },
    'idle (the fake guest is blocked), restored',
  );
  t.ok(
    events.some(
      (e) => e.domain.id === 6 && e.event === DomainEventType.STARTED && e.detail === DomainEventStartedDetail.RESTORED,
    ),
  );
  await t.rejects(
    r.driver.domainRestore(image, 0),
    { number: ErrorNumber.OPERATION_INVALID, message: /already active/ },
    'a running domain is not restored twice',
  );
});

t.test('managed save: the next start restores it once; FORCE_BOOT and undefine deal with the image', async (t) => {
  const r = await rig(t);
  const { defined, running } = await started(r, 'db', UUID, 5);
  fakeSaveRestore(r, 'db', UUID, { next: 7 });
  t.equal(await r.driver.domainHasManagedSaveImage(defined, 0), false);
  await r.driver.domainManagedSave(running, 0);
  t.equal(await r.driver.domainHasManagedSaveImage(defined, 0), true);
  t.equal(r.xl.runs[0]![0], 'save');
  const image = r.xl.runs[0]![2]!;
  t.equal(path.dirname(image), path.join(r.dir, 'save'), 'the image lives in the state directory');
  await t.rejects(r.driver.domainUndefine(defined, 0), {
    number: ErrorNumber.OPERATION_INVALID,
    message: /managed save image exists/,
  });

  r.xl.configs = [];
  const again = await r.driver.domainCreate(defined, 0);
  t.equal(again.id, 7, 'restored, not booted');
  t.same(r.xl.configs, [], 'no xl create');
  t.equal(await r.driver.domainHasManagedSaveImage(defined, 0), false, 'the image served its one start');
  t.equal(fs.existsSync(image), false);

  await r.driver.domainManagedSave(again, 0);
  await r.driver.domainManagedSaveRemove(defined, 0);
  t.equal(await r.driver.domainHasManagedSaveImage(defined, 0), false);
  await r.driver.domainManagedSave(await r.driver.domainCreate(defined, 0), 0);
  r.xl.onCreate = () => {
    r.hv.domains.push(fakeDomain(9, UUID));
  };
  const booted = await r.driver.domainCreate(defined, DomainCreateFlags.FORCE_BOOT);
  t.equal(booted.id, 9, 'FORCE_BOOT boots');
  t.equal(await r.driver.domainHasManagedSaveImage(defined, 0), false, 'and drops the image');

  await r.driver.domainManagedSave(booted, 0);
  await r.driver.domainUndefine(defined, DomainUndefineFlags.MANAGED_SAVE);
  t.equal(fs.readdirSync(path.join(r.dir, 'save')).length, 0, 'undefine with MANAGED_SAVE removes the image');
});
