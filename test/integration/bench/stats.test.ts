// bench/stats.js still runs end to end and prints every row, with its cold figure and the C client's own
// CPU time (a few polls: the figures are the benchmark's business, not the tests').
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../support/xvirtd';

const BENCH = join(REPO, 'bench', 'stats.js');
const run = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 240_000 });

t.test('a short run prints every row, its cold figure, and the C client floor', async (t) => {
  if (!existsSync(join(REPO, 'dist', 'index.js'))) throw new Error("dist/ is missing: run 'npm run build' first");
  const r = run(['--polls', '40', '--slices', '2', '--warmup', '10', '--domains', '5']);
  t.equal(r.status, 0, String(r.stderr));
  const out = String(r.stdout);
  t.match(
    out,
    /^getAllDomainStats\(0x7ff\) of 5 running domains, 40 polls per row in 2 slices after 10 untimed ones /m,
  );
  const num = '\\d+\\.\\d';
  for (const label of [
    'libvirt C client -> libvirtd',
    'libvirt C client -> xvirtd',
    'xvirt client -> xvirtd',
    'xvirt in-process',
  ]) {
    // Every backend answers the same shape: 5 records of state.state and state.reason, 10 parameters a poll.
    const row = new RegExp(
      `^  ${label} +${num} us/poll +\\d+\\.\\d\\dx  \\(5 records, 10 params; cold: ${num} us/poll, \\d+\\.\\d\\dx\\)$`,
      'm',
    );
    t.match(out, row, label);
  }
  t.match(out, /^ {2}libvirt C client -> libvirtd .* 1\.00x .*cold: [\d.]+ us\/poll, 1\.00x\)$/m);
  t.match(out, new RegExp(`^  daemon CPU per poll \\(C client\\): libvirtd ${num} us, xvirtd ${num} us = `, 'm'));
  const floor = new RegExp(
    `^  C client's own CPU per poll: against libvirtd (${num}) us, against xvirtd (${num}) us = \\d+\\.\\d\\dx `,
    'm',
  ).exec(out);
  t.ok(floor, 'the C client reports its own CPU time');
  // A client that makes calls spends CPU on them: zero would mean the C program's figure is not read.
  t.ok(Number(floor?.[1]) > 0 && Number(floor?.[2]) > 0, 'the C client used CPU time on its polls');
});

t.test('bad options are refused before anything starts', async (t) => {
  for (const value of ['0', '-3', '2.5', 'many']) {
    const r = run(['--warmup', value]);
    t.equal(r.status, 2, value);
    t.equal(String(r.stderr), `bench/stats.js: --warmup must be a positive integer, not '${value}'\n`, value);
  }
  const r = run(['--poll', '40']);
  t.equal(r.status, 2);
  t.match(
    String(r.stderr),
    /^usage: node bench\/stats\.js \[--polls N\] \[--domains N\] \[--slices N\] \[--warmup N\]$/m,
  );
});
