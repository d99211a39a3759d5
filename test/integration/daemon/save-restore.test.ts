// virsh save, restore and their errors through xvirtd (DOMAIN_SAVE,
// DOMAIN_RESTORE) over the fake hypervisor, whose fake xl saves and restores
// like the real one (the image written, the domain gone and back). The real
// guest: test/lab/linux-guest/virsh.test.ts.
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveFakeXen } from '../../support/console';
import { runVirsh, virsh } from '../../support/virsh';
import { startDaemonInProcess } from '../../support/xvirtd';
import { fakeSaveRestore, UUIDS } from '../../support/xen';

t.test('virsh save and restore through xvirtd; a read-only client is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-save-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fakes = await serveFakeXen(t, dir, '/dev/null');
  fakeSaveRestore(fakes, 'g1', UUIDS[1]!, { next: 9 });
  const d = await startDaemonInProcess(t);
  const uri = `xen+unix:///system?socket=${d.rwSocket}`;
  const image = join(dir, 'g1.save');

  const ro = await virsh(`xen+unix:///system?socket=${d.roSocket}`, `save g1 ${image}`, { readonly: true });
  t.equal(ro.code, 1);
  t.match(ro.stderr, /operation forbidden: read only access prevents virDomainSave/);
  t.equal(existsSync(image), false, 'nothing saved');

  const saved = await runVirsh(['-c', uri, 'save', 'g1', image]);
  t.equal(saved.code, 0, saved.stderr);
  t.match(saved.stdout, `Domain 'g1' saved to ${image}`);
  t.same(fakes.xl.runs.at(-1), ['save', '1', image]);
  t.notOk(
    fakes.hv.domains.some((x) => x.id === 1),
    'the domain is gone',
  );

  const restored = await runVirsh(['-c', uri, 'restore', image]);
  t.equal(restored.code, 0, restored.stderr);
  t.match(restored.stdout, `Domain restored from ${image}`);
  t.same(fakes.xl.runs.at(-1), ['restore', image]);
  t.ok(
    fakes.hv.domains.some((x) => x.id === 9),
    'back under a new id',
  );

  const missing = await virsh(uri, `restore ${join(dir, 'missing.save')}`);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /Failed to open domain image file '.*missing\.save'/);
});
