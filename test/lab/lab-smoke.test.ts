// Checks of the lab itself (scripts/xen-lab), run inside dom0 under the real
// Xen: if one of these fails, the xen/proxy lab tests cannot be trusted.
import { labDiagnostics, labSlowdown, labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const env = (name: string): string => {
  const v = process.env[name];
  assert.ok(v, `${name} is not set: is this running inside scripts/xen-lab?`);
  return v;
};

labTest('runs as root in a Xen dom0 with the privcmd device', 20, () => {
  assert.equal(process.getuid?.(), 0);
  assert.ok(fs.statSync('/dev/xen/privcmd').isCharacterDevice(), '/dev/xen/privcmd is not a character device');
  // privcmd-buf: where libxencall (and the C core) get hypercall buffers
  assert.ok(fs.statSync('/dev/xen/hypercall').isCharacterDevice(), '/dev/xen/hypercall is not a character device');
  assert.equal(fs.readFileSync('/proc/xen/capabilities', 'utf8').trim(), 'control_d');
  assert.equal(fs.readFileSync('/sys/hypervisor/type', 'utf8').trim(), 'xen');
  assert.equal(fs.readFileSync('/sys/hypervisor/version/major', 'utf8').trim(), '4');
  assert.equal(fs.readFileSync('/sys/hypervisor/version/minor', 'utf8').trim(), '17');
});

labTest('xl list shows Domain-0 and the lab guests alive', 20, () => {
  const out = execFileSync('xl', ['list'], { encoding: 'utf8' });
  // Name ID Mem VCPUs State Time(s)
  const rows = out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  const byName = new Map(rows.map((r) => [r[0], r]));
  const dom0 = byName.get('Domain-0');
  assert.ok(dom0, `no Domain-0 in:\n${out}`);
  assert.equal(dom0[1], '0');
  const guests = env('XVIRT_LAB_GUESTS').split(' ');
  assert.equal(guests.length, 3);
  for (const name of guests) {
    const row = byName.get(name);
    assert.ok(row, `guest ${name} missing from:\n${out}`);
    assert.ok(Number(row[1]) > 0, `${name} has domid ${row[1]}`);
    // tinypv blocks in SCHEDOP_poll: running or blocked, never paused, shut down or crashed
    assert.match(row[4], /^(r-----|-b----)$/, `${name} state ${row[4]}`);
  }
  assert.equal(rows.length, 1 + guests.length, `unexpected domains:\n${out}`);
});

labTest('Xen switches FPU state eagerly (lazily, dom0 processes lost vector registers under TCG)', 20, () => {
  const info = execFileSync('xl', ['info'], { encoding: 'utf8' });
  const line = /^xen_commandline\s*:\s*(.*)$/m.exec(info)?.[1] ?? '';
  assert.match(line, /(^| )spec-ctrl=eager-fpu( |$)/, `Xen's command line: ${line} (scripts/xen-lab sets it)`);
});

labTest("xenstored serves the toolstack's view of dom0", 20, () => {
  assert.equal(execFileSync('xenstore-read', ['/local/domain/0/name'], { encoding: 'utf8' }).trim(), 'Domain-0');
  assert.equal(execFileSync('xenstore-read', ['domid'], { encoding: 'utf8' }).trim(), '0');
});

labTest('every guest announced itself on its console', 20, () => {
  for (const name of env('XVIRT_LAB_GUESTS').split(' ')) {
    const log = fs.readFileSync(`/var/log/xen/guest-${name}.log`, 'utf8');
    assert.match(log, new RegExp(`GUEST-UP tinypv nr_pages=4096 cmdline=xvirt_lab_guest=${name}\\b`));
  }
});

labTest('the project is read-only and the scratch dir writable', 20, () => {
  assert.ok(fs.existsSync('/xvirt/package.json'));
  assert.throws(() => fs.writeFileSync('/xvirt/lab-smoke-write', 'x'), { code: 'EROFS' });
  const dir = fs.mkdtempSync(path.join(env('XVIRT_LAB_TMP'), 'smoke-'));
  fs.writeFileSync(path.join(dir, 'f'), 'ok');
  assert.equal(fs.readFileSync(path.join(dir, 'f'), 'utf8'), 'ok');
  fs.rmSync(dir, { recursive: true });
});

labTest('the unprivileged user exists and runs node', 20, () => {
  const user = env('XVIRT_LAB_USER');
  const uid = Number(env('XVIRT_LAB_UID'));
  const gid = Number(env('XVIRT_LAB_GID'));
  assert.ok(uid > 0 && gid > 0);
  const id = execFileSync('id', [user], { encoding: 'utf8' });
  assert.match(id, new RegExp(`^uid=${uid}\\(${user}\\) gid=${gid}\\(`));
  const script = 'process.stdout.write(JSON.stringify([process.getuid(), process.getgid(), process.getgroups()]))';
  // both ways the README offers: node's spawn options and the run-as-user wrapper
  const viaSpawn = spawnSync(process.execPath, ['-e', script], { uid, gid, encoding: 'utf8' });
  assert.equal(viaSpawn.status, 0, viaSpawn.stderr);
  // node's getgroups() always includes the effective gid; root's group 0 must be gone
  assert.deepEqual(JSON.parse(viaSpawn.stdout), [uid, gid, [gid]]);
  const viaWrapper = spawnSync('run-as-user', [user, process.execPath, '-e', script], { encoding: 'utf8' });
  assert.equal(viaWrapper.status, 0, viaWrapper.stderr);
  assert.deepEqual(JSON.parse(viaWrapper.stdout), [uid, gid, [gid]]);
  // and it really is unprivileged
  const denied = spawnSync(
    'run-as-user',
    [user, process.execPath, '-e', "require('fs').openSync('/dev/xen/privcmd', 'r+')"],
    { encoding: 'utf8' },
  );
  assert.notEqual(denied.status, 0);
  assert.match(denied.stderr, /EACCES|EPERM/);
});

labTest("dom0 measured the emulation speed, and failures can show the guests' consoles", 20, () => {
  const given = env('XVIRT_LAB_SLOWDOWN');
  assert.match(given, /^[1-9]\.[0-9]$|^[1-9]$/);
  assert.equal(labSlowdown(), Number(given));
  const diag = labDiagnostics();
  assert.match(diag, /^xl list \(status 0\):\nName +ID/);
  for (const name of env('XVIRT_LAB_GUESTS').split(' ')) {
    assert.match(diag, new RegExp(`console guest-${name}\\.log \\(last \\d+ lines\\):\\n(.*\\n)*.*GUEST-UP tinypv`));
  }
});
