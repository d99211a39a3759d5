#!/usr/bin/env node
// Whole-process start-up of the CLI beside bare node and virsh, in one run:
// each command runs XVIRT_BENCH_RUNS times (default 20), the commands taking
// turns so load drift hits every row alike. Prints median and minimum wall
// time per row and each xvirt row's excess over `node -e ''` (target: at most
// 25 ms for `xvirt dominfo test`). Needs `npm run build`; virsh is optional
// (its row says so when absent).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const RUNS = Number(process.env.XVIRT_BENCH_RUNS || 20);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`XVIRT_BENCH_RUNS must be a positive integer, got ${process.env.XVIRT_BENCH_RUNS}`);
  process.exit(2);
}
const XVIRT = path.join(__dirname, '..', 'bin', 'xvirt.js');
const env = { ...process.env, XVIRT_DEFAULT_URI: 'test:///default' };
const rows = [
  { label: "node -e ''", cmd: process.execPath, args: ['-e', ''] },
  { label: 'xvirt dominfo test', cmd: process.execPath, args: [XVIRT, 'dominfo', 'test'] },
  { label: 'xvirt list --all', cmd: process.execPath, args: [XVIRT, 'list', '--all'] },
  { label: 'xvirt --version', cmd: process.execPath, args: [XVIRT, '--version'] },
  { label: 'virsh -c test:///default dominfo test', cmd: 'virsh', args: ['-c', 'test:///default', 'dominfo', 'test'] },
  { label: 'virsh -c test:///default list --all', cmd: 'virsh', args: ['-c', 'test:///default', 'list', '--all'] },
];

function once(row) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(row.cmd, row.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || r.status !== 0)
    return { error: r.error ? r.error.message : `exit ${r.status}: ${String(r.stderr).trim()}` };
  return { ms };
}

for (const row of rows) {
  row.times = [];
  row.error = once(row).error;
} // warm-up (page cache), and who can run
for (let i = 0; i < RUNS; i++) {
  for (const row of rows) if (!row.error) row.times.push(once(row).ms);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(rows[0].times);
console.log(
  `${'command'.padEnd(40)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)} ${'vs node'.padStart(9)}  (${RUNS} runs each)`,
);
for (const row of rows) {
  if (row.error) {
    console.log(`${row.label.padEnd(40)} cannot run: ${row.error}`);
    continue;
  }
  const m = median(row.times);
  const excess = row === rows[0] ? '' : `${m - base >= 0 ? '+' : ''}${(m - base).toFixed(1)}`;
  console.log(
    `${row.label.padEnd(40)} ${m.toFixed(1).padStart(10)} ${Math.min(...row.times)
      .toFixed(1)
      .padStart(8)} ${excess.padStart(9)}`,
  );
}
