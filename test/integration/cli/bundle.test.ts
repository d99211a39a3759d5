// dist/cli-bundle.js (scripts/build-cli-bundle.js) against the same CLI loaded from dist/ module by module
// (XVIRT_CLI_UNBUNDLED=1): every command gives the same stdout, stderr and exit status, including commands whose
// code is not in the bundle (loaded from dist/ on first use) and errors raised there; and the bundle really is what
// starts `xvirt list` and `dominfo`: node reads no other module file of ours for them.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { REPO, requireBuild, tempDir, xvirt } from '../../support/cli';

requireBuild(t);
const BUNDLE = path.join(REPO, 'dist', 'cli-bundle.js');
if (!fs.existsSync(BUNDLE)) t.bailout('dist/cli-bundle.js is missing: `npm run build` makes it');

const PROBE = path.join(REPO, 'test', 'support', 'disk-module-probe.js');

/** Runs xvirt bundled or not; resolves with its result and the module files node read from disk. */
async function run(args: string[], unbundled: boolean, dir: string) {
  const probe = path.join(dir, `probe-${unbundled ? 'u' : 'b'}-${args.join('_').replace(/\W/g, '')}`);
  const result = await xvirt(args, {
    NODE_OPTIONS: `--require ${PROBE}`,
    XVIRT_DISK_MODULE_PROBE: probe,
    ...(unbundled ? { XVIRT_CLI_UNBUNDLED: '1' } : {}),
  });
  const read = fs
    .readFileSync(probe, 'utf8')
    .split('\n')
    .filter((f) => f.startsWith(REPO + path.sep) && !f.includes(`${path.sep}node_modules${path.sep}`))
    .map((f) => path.relative(REPO, f));
  return { result, read };
}

/** The test domain's CPU time grows while it runs: the one figure two runs may print differently. */
const steady = (text: string): string => text.replace(/^(CPU time:\s+|\s*cpu\.time=|.*"cpuTimeNs":)\d[^\n,]*/gm, '$1N');

const COMMANDS: string[][] = [
  ['--version'],
  ['-V'],
  ['list', '--all'],
  ['dominfo', 'test'],
  ['dominfo', 'test', '--json'],
  ['dumpxml', 'test'],
  ['nodeinfo'],
  ['domstats', 'test'],
  ['vcpuinfo', 'test'],
  ['net-list', '--all'],
  ['help', 'list'],
  ['dominfo', 'nosuch'],
  ['vcpupin', 'test', '0', '99'],
  ['-c', 'test:///nonexistent.xml', 'list'],
  ['bogus'],
];

t.test('bundled and unbundled: same output, errors and status', async (t) => {
  const dir = tempDir(t);
  for (const args of COMMANDS) {
    const bundled = await run(args, false, dir);
    const unbundled = await run(args, true, dir);
    t.same(
      { ...bundled.result, stdout: steady(bundled.result.stdout) },
      { ...unbundled.result, stdout: steady(unbundled.result.stdout) },
      `xvirt ${args.join(' ')}`,
    );
    t.same(unbundled.read.slice(0, 2), ['bin/xvirt.js', 'dist/cli/main.js'], 'unbundled: the CLI loads from dist/');
    t.same(bundled.read.slice(0, 2), ['bin/xvirt.js', 'dist/cli-bundle.js'], 'bundled: the CLI loads the bundle');
  }
  const failed = await run(['vcpupin', 'test', '0', '99'], false, dir);
  t.match(failed.result.stderr, /^error: CPU 99 in cpulist '99' exceed/, 'an error from code loaded later is reported');
  t.ok(
    failed.read.includes('dist/cli/commands-vcpu.js'),
    'the vcpupin command and its CPU lists came from dist/, as its first use needed them',
  );
  t.notOk(failed.read.includes('dist/errors.js'), 'errors.js came from the bundle: one instance, one XvirtError');
});

t.test("the build's V8 code cache for the bundle is one this node accepts", async (t) => {
  const code = path.join(REPO, 'dist', 'cli-bundle-code.js');
  const script = new vm.Script(fs.readFileSync(code, 'latin1'), {
    filename: code,
    cachedData: fs.readFileSync(path.join(REPO, 'dist', 'cli-bundle.cache')),
  });
  t.equal(script.cachedDataRejected, false, 'V8 uses the cache instead of compiling the bundle again');
  const other = new vm.Script(fs.readFileSync(code, 'latin1') + '\n', {
    filename: code,
    cachedData: fs.readFileSync(path.join(REPO, 'dist', 'cli-bundle.cache')),
  });
  t.equal(other.cachedDataRejected, true, 'a changed bundle does not take the old cache');
});

t.test('the bundle holds what list and dominfo load', async (t) => {
  const dir = tempDir(t);
  for (const args of [
    ['list', '--all'],
    ['dominfo', 'test'],
  ]) {
    const { result, read } = await run(args, false, dir);
    t.equal(result.code, 0, `xvirt ${args.join(' ')} succeeds`);
    t.same(read, ['bin/xvirt.js', 'dist/cli-bundle.js'], `xvirt ${args.join(' ')} reads no other module of ours`);
  }
});
