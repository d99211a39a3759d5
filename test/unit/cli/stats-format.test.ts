// virsh's `nodecpustats --percent` arithmetic and layout, for samples where
// time passed (the test driver's fixed figures only ever give virsh's -nan).
import t from 'tap';
import { cpuListText, formatNodeCpuPercent, nodeCpuPercent } from '../../../lib/cli/stats-format';

const sample = (user: bigint, kernel: bigint, idle: bigint, iowait: bigint) => [
  { field: 'user', value: user },
  { field: 'kernel', value: kernel },
  { field: 'idle', value: idle },
  { field: 'iowait', value: iowait },
];

t.test('shares of the time that passed between the samples, usage = user + system', async (t) => {
  const figures = nodeCpuPercent(sample(100n, 50n, 1000n, 0n), sample(400n, 150n, 1500n, 100n));
  t.same(figures, [
    ['usage', 40],
    ['user', 30],
    ['system', 10],
    ['idle', 50],
    ['iowait', 10],
  ]);
  t.equal(
    formatNodeCpuPercent(figures, false),
    'usage:           40.0%\nuser:            30.0%\nsystem:          10.0%\nidle:            50.0%\niowait:          10.0%\n',
  );
});

t.test('no time passed: -nan, as glibc prints 0/0', async (t) => {
  const figures = nodeCpuPercent(sample(1n, 1n, 1n, 1n), sample(1n, 1n, 1n, 1n));
  t.equal(formatNodeCpuPercent(figures, false).split('\n')[0], 'usage:           -nan%');
});

t.test("a driver's own utilization gives usage and idle as whole numbers", async (t) => {
  const figures = nodeCpuPercent([{ field: 'utilization', value: 7n }], []);
  t.equal(formatNodeCpuPercent(figures, true), 'usage:              7%\nidle:              93%\n');
});

t.test("vcpupin's CPU lists: virBitmapFormat's ranges over the host's CPUs", async (t) => {
  const map = (...cpus: number[]) => Array.from({ length: 12 }, (_, c) => cpus.includes(c));
  t.equal(cpuListText(map(0, 1, 2, 3), 4), '0-3');
  t.equal(cpuListText(map(0, 1, 3, 5, 6, 7, 11), 12), '0-1,3,5-7,11');
  t.equal(cpuListText(map(1), 8), '1', 'a vCPU pinned to one CPU');
  t.equal(cpuListText(map(0, 1, 2, 3), 2), '0-1', 'cut at the host width');
  t.equal(cpuListText(map(), 8), '', 'no CPU at all');
});
