// bench/secure.js still runs end to end and prints its table (a few calls:
// the figures are the benchmark's business, not the tests').
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../support/xvirtd';

const BENCH = join(REPO, 'bench', 'secure.js');
const run = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 240_000 });

t.test('a short run prints TLS and ssh rows for xvirt and libvirt', async (t) => {
  if (!existsSync(join(REPO, 'dist', 'index.js'))) throw new Error("dist/ is missing: run 'npm run build' first");
  const r = run(['--calls', '30', '--inflight', '4', '--slices', '1']);
  t.equal(r.status, 0, String(r.stderr));
  const out = String(r.stdout);
  t.match(
    out,
    /^getInfo over 3 running guests \(test driver\), 30 calls per row; .*load average [\d.]+ [\d.]+ [\d.]+$/m,
  );
  const time = '\\d+\\.\\d\\d s +[\\d.]+k/s';
  const row = (label: string, tail = ''): RegExp =>
    new RegExp(`^${label} +${time} +${time} +\\d+\\.\\d\\d×${tail}$`, 'm');
  for (const name of ['TLS', 'ssh']) {
    t.match(out, row(`${name}  sequential: 1 call at a time \\| 1 call at a time`, ' +\\(target ≤ 0\\.5×\\)'));
    t.match(out, row(`${name}  dashboard 10 rounds: 3 at once \\| 3 in a row`));
    t.match(out, row(`${name}  dashboard 10 rounds: 3 at once \\| 3 threads`));
    t.match(out, row(`${name}  pipelined: 4 in flight \\| 4 threads`));
  }
  t.match(out, row('ssh  sequential, far side nc -U \\| 1 call at a time'));
});

t.test('the libvirt client: every mode makes the calls it says, bad arguments are refused', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS, no types
  const { buildLibvirtClient, runLibvirtClient } = require(join(REPO, 'bench', 'harness.js'));
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-bench-c-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin: string = buildLibvirtClient(dir);
  const uri = `test://${join(REPO, 'fixtures', 'bench-3-guests.xml')}`;
  for (const [mode, threads, n, total] of [
    ['interleaved', 1, 7, 7],
    ['interleaved', 4, 7, 7],
    ['rounds', 1, 5, 15],
    ['rounds', 3, 5, 15],
  ] as const) {
    const r = await runLibvirtClient(bin, uri, n, mode, threads);
    t.equal(r.calls, total, `${mode} ${threads}: ${total} calls`);
    t.ok(r.seconds > 0, `${mode} ${threads}: timed`);
  }
  const classic = JSON.parse(String(spawnSync(bin, [uri, '4'], { encoding: 'utf8' }).stdout));
  t.equal(classic.total, 12, 'per-guest (the default, bench/getinfo.js): CALLS on each of 3 guests');
  for (const args of [['rounds', '2'], ['interleaved', '0'], ['sideways'], ['per-guest', '2']]) {
    const bad = spawnSync(bin, [uri, '3', ...args], { encoding: 'utf8' });
    t.equal(bad.status, 2, `refused: ${args.join(' ')}`);
    t.match(bad.stderr, /^getinfo-libvirt: .+\nusage: getinfo-libvirt URI CALLS/);
  }
  await t.rejects(
    runLibvirtClient(bin, 'test:///default', 3, 'interleaved', 1),
    /running guest\(s\); the measurement needs 3/,
  );
});

t.test('bad arguments are refused with a usage hint', async (t) => {
  const r = run(['--calls', 'many']);
  t.equal(r.status, 1);
  t.match(String(r.stderr), /bench\/secure\.js: bad argument '--calls many' \(try --help\)/);
});
