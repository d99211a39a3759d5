// The statistics commands against the real virsh on the same test-driver
// URIs, line for line (stdout, stderr, exit status). Figures libvirt's test
// driver derives from the wall clock (block/interface counters, vCPU time)
// are compared as numbers within a second's worth of drift instead.
import t, { type Test } from 'tap';
import { nodeFileUri, requireBuild, tempDir, xvirt, type GuestSpec, type RunResult } from '../../support/cli';
import { runVirsh, virshPath } from '../../support/virsh';

requireBuild(t);

/** Runs of 8+ digits (the clock-derived figures) become '#'; the numbers are returned for their own check. */
function split(text: string): { shape: string; numbers: number[] } {
  const numbers: number[] = [];
  const shape = text.replace(/\d{8,}(\.\d+)?/g, (m) => {
    numbers.push(Number(m));
    return '#';
  });
  return { shape, numbers };
}

async function compare(t: Test, uri: string, args: string[], clocked = false): Promise<void> {
  const [theirs, ours]: RunResult[] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
  const what = `${args.join(' ')}`;
  t.equal(ours.code, theirs.code, `${what}: same exit status (virsh stderr: ${theirs.stderr})`);
  t.equal(ours.stderr, theirs.stderr, `${what}: same stderr`);
  if (!clocked) {
    t.equal(ours.stdout, theirs.stdout, `${what}: same stdout`);
    return;
  }
  const a = split(ours.stdout);
  const b = split(theirs.stdout);
  t.equal(a.shape, b.shape, `${what}: same lines, clock-derived figures aside`);
  t.ok(
    a.numbers.every((n, i) => Math.abs(n - b.numbers[i]!) <= Math.max(1e-6 * n, 2)),
    `${what}: clock-derived figures agree with libvirt's ` +
      `(${a.numbers.slice(0, 3).join()} vs ${b.numbers.slice(0, 3).join()})`,
  );
}

t.test('virsh is installed (scripts/install-test-deps)', async (t) => {
  t.doesNotThrow(() => virshPath(), 'the comparison runs against the real virsh; it never skips');
});

t.test('test:///default: every statistics command and its failures', async (t) => {
  virshPath();
  const uri = 'test:///default';
  for (const args of [
    ['domstats'],
    ['domstats', '--raw'],
    ['domstats', 'test'],
    ['domstats', '--list-inactive'],
    ['domstats', '--list-running', '--state'],
    ['domstats', '--vcpu', '--balloon', '--block', '--interface', '--cpu-total'],
    ['domstats', '--enforce', '--vcpu'],
    ['domstats', '--enforce', '--state', '--iothread'],
    ['domstats', 'nope'],
    ['domstats', 'test', 'test'],
    ['domstats', 'test', 'nope'],
    ['domstats', '--domain', 'test', '--state'],
    ['dommemstat', 'test'],
    ['dommemstat', 'nope'],
    ['dommemstat', 'test', '--period', '5'],
    ['dommemstat', 'test', '--period', '-1'],
    ['dommemstat', 'test', '--period', '5', '--live', '--current'],
    ['domblkstat', 'test', 'hda'],
    ['domifstat', 'test', 'vnet0'],
    ['domifstat', 'test', 'aa:bb:cc:dd:ee:fe'],
    ['vcpucount', 'test'],
    ['vcpucount', 'test', '--maximum'],
    ['vcpucount', 'test', '--live'],
    ['vcpucount', 'test', '--config', '--maximum'],
    ['vcpucount', 'test', '--live', '--config'],
    ['vcpupin', 'test'],
    ['vcpupin', 'test', '--vcpu', '1'],
    ['vcpupin', 'test', '--config'],
    ['vcpupin', 'test', '--live', '--config'],
    ['vcpupin', 'test', '--vcpu', '5'],
    ['vcpupin', 'test', '--vcpu', '-1'],
    ['vcpupin', 'test', '--current', '--live'],
    ['cpu-stats', 'test'],
    ['cpu-stats', 'test', '--total'],
    ['cpu-stats', 'test', '--start', '1'],
    ['cpu-stats', 'test', '--count', '5'],
    ['cpu-stats', 'test', '--start', '5'],
    ['cpu-stats', 'test', '--start', '0', '--count', '1'],
    ['nodecpustats'],
    ['nodecpustats', '1'],
    ['nodecpustats', '--percent'],
    ['nodememstats'],
    ['nodecpumap'],
    ['freecell'],
    ['freecell', '1'],
    ['freecell', '2'],
    ['freecell', '--all'],
    ['setmem', 'test', '1024'],
    ['setmem', 'test', '1024', '--config'],
    ['setmem', 'test', '99999999', '--live'],
    ['setmem', 'test', '1024', '--live', '--config'],
    ['setmem', 'test', '1024', '--current', '--live'],
    ['setmaxmem', 'test', '1000'],
    ['setmaxmem', 'test', '1000', '--live'],
    ['setmaxmem', 'test', '4000000', '--config'],
    ['setvcpus', 'test', '1', '--live', '--config'],
    ['setvcpus', 'test', '3'],
    ['setvcpus', 'test', '40', '--config'],
    ['setvcpus', 'test', '2', '--maximum'],
    ['setvcpus', 'test', '4', '--maximum', '--config'],
    ['setvcpus', 'test', '0'],
  ])
    await compare(t, uri, args);
  for (const args of [
    ['domblkstat', 'test', 'vda'],
    ['domblkstat', 'test', 'vda', '--human'],
    ['domblkstat', 'test', '/guest/diskimage1'],
    ['domifstat', 'test', 'testnet0'],
    ['domifstat', 'test', 'aa:bb:cc:dd:ee:ff'],
    ['vcpuinfo', 'test'],
  ])
    await compare(t, uri, args, true);
});

const GUESTS: readonly GuestSpec[] = [
  { name: 'web', uuid: '11111111-2222-3333-4444-555555555555', runstate: 1, memoryKiB: 524288, vcpus: 2 },
  { name: 'Db', uuid: '21111111-2222-3333-4444-555555555555', runstate: 3, vcpus: 3 },
  { name: 'cold', uuid: '31111111-2222-3333-4444-555555555555', runstate: 5 },
];

t.test('a node file: its own CPU count, no NUMA cells, inactive domains', async (t) => {
  virshPath();
  const uri = nodeFileUri(tempDir(t), GUESTS);
  for (const args of [
    ['domstats', 'web'],
    ['domstats', 'cold'],
    ['domstats', 'web', 'cold', 'Db'],
    ['domstats', 'cold', 'web', '--state', '--raw'],
    ['domstats', 'web', 'nope', 'cold'],
    ['domstats', '--list-shutoff'],
    ['domstats', '--list-paused', '--raw'],
    ['dommemstat', 'web'],
    ['dommemstat', 'cold'],
    ['domblkstat', 'cold', 'vda'],
    ['domifstat', 'cold', 'vnet0'],
    ['vcpuinfo', 'cold'],
    ['vcpucount', 'cold'],
    ['vcpucount', 'Db'],
    ['vcpucount', 'cold', '--live'],
    ['vcpupin', 'cold'],
    ['vcpupin', 'cold', '--live'],
    ['vcpupin', 'cold', '--vcpu', '3'],
    ['vcpupin', 'Db', '--vcpu', '2', '--config'],
    ['cpu-stats', 'web'],
    ['cpu-stats', 'cold'],
    ['cpu-stats', 'Db', '--start', '3'],
    ['freecell', '--all'],
    ['freecell', '0'],
    ['nodecpumap'],
    ['setmem', 'cold', '1024', '--live'],
    ['setmaxmem', 'cold', '1000'],
    ['setvcpus', 'cold', '2', '--config'],
  ])
    await compare(t, uri, args);
  await compare(t, uri, ['vcpuinfo', 'web'], true);
});
