// Worker threads that load the addon and are terminated while their calls are in flight (pool calls,
// synchronous hypercalls, a proxy channel exchange) leave the process healthy: no abort, no descriptor or
// connection left behind, the main thread's addon still works. Run against the addon as built, and against
// an ASan/UBSan build of it over the fake hypervisor (native/test/addon/xc_privcmd_fake.c), leaks checked.
// The churn itself: test/support/addon-churn.js.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHURN = path.join(ROOT, 'test/support/addon-churn.js');

interface Summary {
  workers: number;
  fdsBefore: number;
  fdsAfter: number;
  helperConnectionsLeft: number;
  mainConnect: number;
  hypervisor: string;
}

function churn(addon: string, rounds: number, perRound: number, env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, [CHURN, addon, String(rounds), String(perRound)], {
    encoding: 'utf8',
    env,
    timeout: 200_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  const summary = line.startsWith('{') ? (JSON.parse(line) as Summary) : null;
  return { run, summary };
}

function checkHealthy(t: Test, r: ReturnType<typeof churn>, workers: number): void {
  const { run, summary } = r;
  t.notMatch(run.stderr, /FATAL ERROR|Aborted/, 'no worker teardown aborts the process');
  t.equal(run.signal, null, 'the process was not killed by a signal', { stderr: run.stderr.slice(0, 4000) });
  t.equal(run.status, 0, 'the process exits 0', { stderr: run.stderr.slice(0, 4000) });
  t.ok(summary, 'the main thread carried on to its summary', { stdout: run.stdout.slice(-2000) });
  if (!summary) return;
  t.equal(summary.workers, workers, `${workers} workers terminated mid-call`);
  t.equal(summary.fdsAfter, summary.fdsBefore, 'every descriptor the workers opened is closed again');
  t.equal(summary.helperConnectionsLeft, 0, "every worker's proxy channel was closed (the helper saw each end)");
  t.equal(summary.mainConnect, 0, "the main thread's proxy channel still connects");
}

t.test('the addon as built: 24 workers terminated mid-call', async (t) => {
  // The file lib/native.ts loads (a prebuild, else build/Release).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped, as in lib/native.ts
  const addon = (require('node-gyp-build') as { path(dir: string): string }).path(ROOT);
  const r = churn(addon, 6, 4);
  checkHealthy(t, r, 24);
  // On a host the open fails on the pool (ENOPRIVCMD), and that failure is what is in flight.
  t.match(r.summary?.hypervisor, /^(no \/dev\/xen\/privcmd|\/dev\/xen\/privcmd|\/proc\/xen\/privcmd)/);
});

/** The binding.gyp target, read as gyp reads it (JSON plus # comments). */
function gypTarget(): { sources: string[]; defines: string[] } {
  const text = fs.readFileSync(path.join(ROOT, 'binding.gyp'), 'utf8').replace(/^\s*#.*$/gm, '');
  const gyp = JSON.parse(text) as {
    variables: Record<string, string[]>;
    targets: { sources: string[]; defines: string[] }[];
  };
  const target = gyp.targets[0]!;
  const sources = target.sources.flatMap((s) => (s.startsWith('<@(') ? gyp.variables[s.slice(3, -1)]! : [s]));
  return { sources, defines: target.defines };
}

function tool(name: string): string {
  if (spawnSync(name, ['--version']).status !== 0) {
    throw new Error(`${name} is missing: the addon's sanitizer build needs gcc and g++ (scripts/install-test-deps)`);
  }
  return name;
}

t.test('ASan/UBSan build over the fake hypervisor: 20 workers terminated mid-call, no sanitizer report', async (t) => {
  const cc = tool('gcc');
  const cxx = tool('g++');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-addon-asan-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { sources, defines } = gypTarget();
  // The hypervisor is the fake one: xc_privcmd.c's open is replaced, nothing else.
  const build = [...sources.filter((s) => s !== 'native/xc_privcmd.c'), 'native/test/xc_fake.c',
    'native/test/addon/xc_privcmd_fake.c'];
  t.ok(sources.includes('native/xc_privcmd.c'), 'binding.gyp still builds native/xc_privcmd.c, which this replaces');
  const nodeInclude = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
  t.ok(fs.existsSync(path.join(nodeInclude, 'node_api.h')), `Node.js headers in ${nodeInclude}`);
  const napiInclude = path.dirname(require.resolve('node-addon-api/package.json'));
  const flags = ['-g', '-O1', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
    '-fPIC', '-Wall', '-Wextra', '-Werror', ...defines.map((d) => `-D${d}`), `-I${nodeInclude}`,
    `-I${napiInclude}`];
  const objects: string[] = [];
  for (const src of build) {
    const obj = path.join(dir, `${path.basename(src)}.o`);
    const c = src.endsWith('.c');
    const r = spawnSync(c ? cc : cxx, [c ? '-std=c11' : '-std=c++17', ...flags, '-c', src, '-o', obj],
      { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) return void t.fail(`${src} compiles`, { stderr: r.stderr });
    objects.push(obj);
  }
  const addon = path.join(dir, 'xvirt_xen.node');
  const link = spawnSync(cxx, ['-shared', '-fsanitize=address,undefined', ...objects, '-o', addon], {
    encoding: 'utf8',
  });
  if (link.status !== 0) return void t.fail('the sanitizer build links', { stderr: link.stderr });

  // Node.js itself is not instrumented: the runtime is preloaded. Two allocations are Node.js's own and
  // outlive a terminated environment by design (a promise's deferred is freed only when it settles, an
  // external's wrapper only by a GC), so they are the only leaks suppressed.
  const suppressions = path.join(dir, 'lsan.supp');
  fs.writeFileSync(suppressions, 'leak:napi_create_promise\nleak:napi_create_external\n');
  const asanRuntime = spawnSync(cc, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
  const r = churn(addon, 5, 4, {
    ...process.env,
    LD_PRELOAD: asanRuntime,
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0',
    LSAN_OPTIONS: `suppressions=${suppressions}:print_suppressions=0`,
    UBSAN_OPTIONS: 'print_stacktrace=1',
    XVIRT_FAKE_HYPERCALL_US: '500',
  });
  t.notMatch(r.run.stderr, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/, 'no sanitizer reports',
    { stderr: r.run.stderr.slice(0, 8000) });
  checkHealthy(t, r, 20);
  t.match(r.summary?.hypervisor, /^fake hypervisor \(test build\): getInfo\(1\) = 0, domid 1$/,
    "the main thread's hypervisor still answers after a pause on the pool");
});
