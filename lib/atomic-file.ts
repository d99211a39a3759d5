/**
 * Atomic, durable file replacement: write a temporary file next to the target
 * (created exclusively with `mode`), fsync it, rename it over the target, and
 * fsync the directory, so a crash leaves either the old or the new content,
 * never half of one.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Makes a rename or unlink in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** True while process `pid` exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporaries of `file` that writeFileAtomic left when its process was killed mid-write
 * (`.<name>.<pid>.<hex>.tmp` whose pid no longer runs), so no copy of the content lingers.
 */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1])))
      await fs.rm(path.join(dir, name), { force: true });
  }
}

/**
 * Replaces `file` with `data` atomically and durably. On failure the temporary
 * file is removed and the underlying error is rethrown (callers wrap it in
 * their own XvirtError).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await fs.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
    await fsyncDir(dir);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
