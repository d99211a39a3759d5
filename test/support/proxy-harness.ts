/**
 * Shared setup for the proxy host tests: builds a test variant of
 * xvirt-proxy (fake hypervisor, socket and xenstore paths in a temp dir, a
 * 2 s idle timeout, optionally ASan/UBSan), installs it setuid root, serves a
 * fake xenstored, creates the unprivileged user and runs client scripts as it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { XsDecoder, XsType, encodeMessage, splitStrings } from '../../lib/drivers/xen/xenstore-wire';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TEST_USER = 'xvirt-test';
export const IDLE_SECONDS = 2;
/** What the fake xenstored answers for /local/domain/<id>/name (domain 3 has none). */
export const XENSTORE_NAMES: Record<string, string> = {
  '/local/domain/0/name': 'Domain-0',
  '/local/domain/1/name': 'guest-one',
  '/local/domain/2/name': 'guest-two',
};

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0)
    throw new Error(`${what} failed (${cmd} ${args.join(' ')}): ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The unprivileged user the clients run as (created when missing: the tests run as root). */
export function ensureTestUser(): { uid: number; gid: number } {
  if (process.getuid?.() !== 0)
    throw new Error('the proxy tests must run as root: they install a setuid helper and switch users');
  if (spawnSync('id', ['-u', TEST_USER]).status !== 0) {
    const add = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER], {
      encoding: 'utf8',
    });
    // Another test file may have created it meanwhile (tap runs files in parallel).
    if (spawnSync('id', ['-u', TEST_USER]).status !== 0) {
      throw new Error(
        `cannot create the unprivileged user ${TEST_USER} (install passwd: scripts/install-test-deps): ${add.error?.message ?? add.stderr}`,
      );
    }
  }
  return {
    uid: Number(run('id', ['-u', TEST_USER], 'id').trim()),
    gid: Number(run('id', ['-g', TEST_USER], 'id').trim()),
  };
}

/** Builds dist/ when lib/ is newer: client scripts run the compiled library as the test user. */
export function ensureDist(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...fs
        .readdirSync(dir, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)),
    );
  const built = path.join(ROOT, 'dist/drivers/proxy/index.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest(path.join(ROOT, 'lib'))) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (!fs.existsSync(built))
    throw new Error('npx tsc -p tsconfig.build.json did not produce dist/drivers/proxy/index.js');
}

/** How the fake xenstored answers: correctly, or with a reply for another request id. */
export interface FakeXenstored {
  server: net.Server;
  misbehave: boolean;
}

/** A fake xenstored on a unix socket: answers XS_READ from XENSTORE_NAMES, ENOENT otherwise. */
export function startFakeXenstored(socketPath: string): Promise<FakeXenstored> {
  const fake: FakeXenstored = {
    server: net.createServer((conn) => {
      const decoder = new XsDecoder();
      conn.on('data', (chunk: Buffer) => {
        for (const m of decoder.push(chunk)) {
          const key = splitStrings(m.payload)[0] ?? '';
          const value = m.type === XsType.READ ? XENSTORE_NAMES[key] : undefined;
          const reqId = fake.misbehave ? m.reqId + 1 : m.reqId;
          conn.write(
            value === undefined
              ? encodeMessage(XsType.ERROR, reqId, Buffer.from('ENOENT\0'))
              : encodeMessage(XsType.READ, reqId, Buffer.from(value)),
          );
        }
      });
      conn.on('error', () => {});
    }),
    misbehave: false,
  };
  return new Promise((resolve) => fake.server.listen(socketPath, () => resolve(fake)));
}

export interface TestProxy {
  dir: string;
  /** A directory the test and its unprivileged clients both write, to tell each other where they are. */
  marks: string;
  helper: string;
  socket: string;
  lockFile: string;
  bin: string;
  /** Env for a client using this helper. */
  env: Record<string, string>;
  xenstored: FakeXenstored;
  close(): Promise<void>;
}

/** Builds and installs (root, 4755) a test helper in a fresh temp dir. */
export async function setupTestProxy(opts: { sanitize?: boolean } = {}): Promise<TestProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-proxy-'));
  fs.chmodSync(dir, 0o755);
  const bin = path.join(dir, 'bin');
  const runDir = path.join(dir, 'run');
  const xsSocket = path.join(dir, 'xenstored.sock');
  const make = [
    '-s',
    '-C',
    path.join(ROOT, 'native/proxy'),
    `OUT=${bin}`,
    `RUN_DIR=${runDir}`,
    `XENSTORE_SOCKET=${xsSocket}`,
    `IDLE=${IDLE_SECONDS}`,
    ...(opts.sanitize ? ['SANITIZE=1', `SANITIZER_LOG=${dir}/sanitizer`] : []),
  ];
  run('make', [...make, 'test-helper', 'tools'], 'building the test helper');
  fs.chmodSync(bin, 0o755);
  const helper = path.join(bin, 'xvirt-proxy-test');
  fs.chownSync(helper, 0, 0);
  fs.chmodSync(helper, 0o4755);
  const xenstored = await startFakeXenstored(xsSocket);
  const socket = path.join(runDir, 'proxy.sock');
  const lockFile = path.join(runDir, 'proxy.lock');
  const marks = path.join(dir, 'marks');
  fs.mkdirSync(marks, { mode: 0o777 });
  fs.chmodSync(marks, 0o777);
  return {
    dir,
    marks,
    helper,
    socket,
    lockFile,
    bin,
    xenstored,
    env: { XVIRT_PROXY_HELPER: helper, XVIRT_PROXY_SOCKET: socket },
    async close() {
      const pid = helperPid(lockFile);
      if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
      await new Promise<void>((r) => xenstored.server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A reply framed as xvirt-proxy frames it; `version` and `length` may lie, to build broken ones. */
export function replyBytes(
  command: number,
  serial: number,
  status: number,
  payload: Buffer,
  version = 1,
  length = payload.length,
): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16LE(version, 0);
  h.writeUInt16LE(command, 2);
  h.writeUInt32LE(serial, 4);
  h.writeUInt32LE(status, 8);
  h.writeUInt32LE(length, 12);
  return Buffer.concat([h, payload]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `ok()` holds; throws naming `what` after `ms`. */
export async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(20)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** The pid the serving helper wrote into its lock file (0 when none yet). */
export function helperPid(lockFile: string): number {
  try {
    return Number(fs.readFileSync(lockFile, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** True while `pid` runs; a zombie (dead, not yet reaped by the client that started it) does not count. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Runs `body` (JavaScript; `xvirt` is the compiled library, `driver` an
 * opened proxy driver unless noDriver) as the unprivileged user; resolves
 * with the JSON it prints via `out(value)`.
 */
export function runAsUser(proxy: TestProxy, body: string, env: Record<string, string> = {}): Promise<unknown> {
  const script = `
const xvirt = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
const out = (v) => process.stdout.write(JSON.stringify(v, (k, x) => typeof x === 'bigint' ? x.toString() + 'n' : x) + '\\n');
const errOf = (e) => ({ error: e.code || String(e), message: e.message });
(async () => { ${body} })().catch((e) => { out({ fatal: errOf(e) }); process.exitCode = 1; });
`;
  const file = path.join(proxy.dir, `client-${process.hrtime.bigint()}.js`);
  fs.writeFileSync(file, script, { mode: 0o644 });
  return new Promise((resolve, reject) => {
    const child = spawn(
      'setpriv',
      ['--reuid', TEST_USER, '--regid', TEST_USER, '--clear-groups', '--inh-caps=-all', process.execPath, file],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...proxy.env, ...env }, cwd: '/' },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last, (_k, x) => (typeof x === 'string' && /^\d+n$/.test(x) ? BigInt(x.slice(0, -1)) : x)));
      } catch {
        reject(new Error(`client as ${TEST_USER} exited ${code} without JSON: ${stdout}${stderr}`));
      }
    });
  });
}
