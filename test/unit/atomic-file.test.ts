/**
 * lib/atomic-file.ts removeStaleTemporaries: a temporary left by a killed writer (its pid gone) is removed by the
 * next save of the SASL user database; a live writer's and unrelated files are left alone.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveUserDatabase } from '../../lib/auth/userdb';

t.test("a dead writer's temporary goes, a live one stays", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, '.sasl-users');
  // pid 2^22+1 is above Linux's pid_max ceiling: no such process.
  const dead = `.${'.sasl-users'}.${2 ** 22 + 1}.0123456789ab.tmp`;
  const live = `.${'.sasl-users'}.${process.ppid}.0123456789ab.tmp`;
  for (const n of [dead, live, 'other.tmp']) writeFileSync(join(dir, n), 'salt and key material');
  await saveUserDatabase(db, new Map());
  t.same(readdirSync(dir).sort(), [live, '.sasl-users', 'other.tmp'].sort());
});
