// bench/getinfo.js still runs and prints its table (a few calls only: the
// figures themselves are the benchmark's business, not the tests').
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO, requireBuild } from '../../support/cli';

requireBuild(t);
const BENCH = path.join(REPO, 'bench', 'getinfo.js');

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BENCH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XVIRT_BENCH_N: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('default run: the test driver, then libvirt on the same fixture', async (t) => {
  const r = bench(['--calls', '20']);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  t.equal(lines[0], `getInfo x 20 on each of 3 running guests, per backend (node ${process.version})`);
  t.match(lines[1], /^backend +driver +calls +seconds +calls\/s +ns\/call +vs first$/);
  const fixture = `test://${path.join(REPO, 'fixtures', 'bench-3-guests.xml')}`;
  t.match(lines[2], new RegExp(`^${fixture} +test +60 +\\d+\\.\\d{3} +[\\d,]+ +\\d+\\.\\d +1\\.00x$`));
  t.match(
    lines[3],
    new RegExp(
      `^${fixture} +libvirt \\d+\\.\\d+\\.\\d+ \\(C\\) +60 +\\d+\\.\\d{3} +[\\d,]+ +\\d+\\.\\d +\\d+\\.\\d\\dx$`,
    ),
    'the libvirt baseline (scripts/install-test-deps installs libvirt-dev)',
  );
  t.equal(lines.length, 4);
});

t.test('backends side by side; a backend without 3 running guests is an error', async (t) => {
  const fixture = `test://${path.join(REPO, 'fixtures', 'bench-3-guests.xml')}`;
  const two = bench(['--calls', '5', '--uri', fixture, '--uri', fixture]);
  t.equal(two.status, 0, two.stderr);
  t.equal(two.stdout.trimEnd().split('\n').length, 4, 'header lines and two rows, no libvirt row unless asked');
  const few = bench(['--calls', '5', '--uri', 'test:///default']);
  t.equal(few.status, 1);
  t.equal(
    few.stderr,
    'error: test:///default has 1 running guest(s) (Domain-0 not counted); the measurement needs 3\n',
  );
  const bad = bench(['--calls', 'many']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^error: --calls must be a positive integer, got 'many'\n/);
});
