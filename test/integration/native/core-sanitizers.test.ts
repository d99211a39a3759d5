// Builds the C core's unit tests (native/test/) with AddressSanitizer and
// UBSan and runs them against the fake hypervisor. A build failure fails here.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const sources = [
  ...fs.readdirSync(path.join(root, 'native')).filter((f) => /^xc_.*\.c$/.test(f)).map((f) => path.join(root, 'native', f)),
  ...fs.readdirSync(path.join(root, 'native/test')).filter((f) => f.endsWith('.c')).map((f) => path.join(root, 'native/test', f)),
];

function compiler(): string {
  for (const cc of [process.env.CC, 'clang', 'gcc'].filter((c): c is string => !!c)) {
    if (spawnSync(cc, ['--version']).status === 0) return cc;
  }
  throw new Error('no C compiler found (tried $CC, clang, gcc): install clang or gcc (scripts/install-test-deps)');
}

t.test('C core unit tests pass under ASan and UBSan', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-core-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'xc_core_test');
  const cc = compiler();
  const build = spawnSync(cc, [
    '-std=c11', '-g', '-O1', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
    '-Wall', '-Wextra', '-Werror', ...sources, '-o', bin,
  ], { encoding: 'utf8' });
  t.equal(build.status, 0, `${cc} builds the core tests`, { stderr: build.stderr });
  if (build.status !== 0) return;

  const run = spawnSync(bin, [], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' },
  });
  const lines = run.stdout.split('\n');
  const failed = lines.filter((l) => l.startsWith('not ok'));
  const passed = lines.filter((l) => l.startsWith('ok'));
  t.same(failed, [], 'no failed checks');
  t.ok(passed.length >= 90, `ran the full check list (${passed.length} passed)`);
  t.notMatch(run.stderr, /ERROR: AddressSanitizer|runtime error:|LeakSanitizer/, 'no sanitizer reports');
  t.equal(run.status, 0, 'test binary exits 0', { stderr: run.stderr.slice(0, 4000) });
});
