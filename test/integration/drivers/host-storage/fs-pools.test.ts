// fs storage pools for real: a loop device over a file made by this test,
// mkfs/blkid/mount/umount run by the host storage driver inside a private
// mount namespace (unshare -m), so nothing is mounted on the host. The
// scenario runs in test/support/fs-pool-mountns.ts; this file asserts its report.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { runInNamespaces } from '../../../support/namespace-scenario';

const SCRIPT = path.resolve(__dirname, '../../../support/fs-pool-mountns.ts');

t.test('an fs pool over a loop device: build, mount, volumes, unmount, delete', async (t) => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-fspool-'));
  const image = path.join(top, 'disk.img');
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 64 << 20);
  const device = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
  t.teardown(() => {
    execFileSync('losetup', ['-d', device]);
    fs.rmSync(top, { recursive: true, force: true });
  });
  const root = path.join(top, 'images');
  fs.mkdirSync(root);
  const { code, out, err } = await runInNamespaces(['--mount', '--propagation', 'private'], '', SCRIPT, [
    path.join(top, 'state'),
    root,
    device,
  ]);
  t.equal(code, 0, `the scenario ran to its end${err ? `: ${err}` : ''}`);
  if (code !== 0) return;
  const r = JSON.parse(out) as Record<string, any>;

  t.equal(r.blkid, 'ext4', 'build with NO_OVERWRITE made the file system on a blank device');
  t.match(
    r.rebuild,
    new RegExp(`^${ErrorNumber.STORAGE_POOL_BUILT}: .*holds a 'ext4' file system`),
    'and refuses to redo it',
  );
  t.match(r.bothFlags, new RegExp(`^${ErrorNumber.OPERATION_INVALID}: .*mutually exclusive`));
  t.equal(r.mounted, device, 'start mounted the device at the target');
  t.ok(
    Number(r.capacity) > 40 << 20 && Number(r.capacity) <= 64 << 20,
    `capacity is the file system's (${r.capacity})`,
  );
  t.same(r.volumes, ['v1.img'], 'a volume lives in the mounted file system');
  t.match(r.startTwice, new RegExp(`^${ErrorNumber.OPERATION_INVALID}: `));
  t.equal(r.reopenedActive, true, 'a later open takes the mounted pool as running');
  t.same(r.afterDestroy, { mounted: null, files: [] }, 'destroy unmounted it: the bare directory is empty');
  t.same(r.volumesAgain, ['v1.img'], 'mounting again brings the volume back');
  t.equal(r.targetGone, true, 'delete removed the target directory');
  t.match(r.bad.traversal, new RegExp(`^${ErrorNumber.XML_ERROR}: .*must be a path under /dev`));
  t.match(r.bad.notDev, new RegExp(`^${ErrorNumber.XML_ERROR}: .*must be a path under /dev`));
  t.match(r.bad.format, new RegExp(`^${ErrorNumber.CONFIG_UNSUPPORTED}: .*'ufs'`));
  t.match(r.bad.outside, new RegExp(`^${ErrorNumber.CONFIG_UNSUPPORTED}: .*outside the allowed storage roots`));
  t.match(r.bad.charDevice, new RegExp(`^${ErrorNumber.OPERATION_FAILED}: .*'/dev/null' is not a block device`));
  t.equal(
    execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', device], { encoding: 'utf8' }).trim(),
    'ext4',
    'delete left the device alone',
  );
});
