// virsh (libvirt's own client) through xvirtd and through libvirtd, the
// statistics and tuning commands on both: same stdout, stderr and status.
// Clock-derived figures (block/interface counters, vCPU time) are compared as
// numbers within a second's drift.
import t, { type Test } from 'tap';
import { startLibvirtd } from '../../support/libvirtd';
import { runVirsh, virshPath } from '../../support/virsh';
import { startXvirtd } from '../../support/xvirtd';
import { daemonsOnNodeFile } from '../../support/daemon-pair';

function split(text: string): { shape: string; numbers: number[] } {
  const numbers: number[] = [];
  const shape = text.replace(/\d{8,}(\.\d+)?/g, (m) => {
    numbers.push(Number(m));
    return '#';
  });
  return { shape, numbers };
}

async function compare(t: Test, ours: string, theirs: string, args: string[]): Promise<void> {
  const [a, b] = await Promise.all([runVirsh(['-c', ours, ...args]), runVirsh(['-c', theirs, ...args])]);
  const what = args.join(' ');
  t.equal(a.code, b.code, `${what}: same status (libvirtd: ${b.stderr})`);
  t.equal(a.stderr, b.stderr, `${what}: same stderr`);
  const x = split(a.stdout);
  const y = split(b.stdout);
  t.equal(x.shape, y.shape, `${what}: same lines`);
  t.ok(
    x.numbers.every((n, i) => Math.abs(n - y.numbers[i]!) <= Math.max(1e-6 * n, 2)),
    `${what}: figures agree`,
  );
}

t.test('virsh through xvirtd prints what it prints through libvirtd', async (t) => {
  virshPath();
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const ours = xd.uri('unix');
  const theirs = lv.unixUri();
  for (const args of [
    ['domstats'],
    ['domstats', '--raw', 'test'],
    ['domstats', '--enforce', '--vcpu'],
    ['domstats', '--list-inactive'],
    ['dommemstat', 'test'],
    ['domblkstat', 'test', 'vda'],
    ['domblkstat', 'test', 'hda'],
    ['domifstat', 'test', 'testnet0'],
    ['domifstat', 'test', 'vnet0'],
    ['vcpuinfo', 'test'],
    ['vcpucount', 'test'],
    ['cpu-stats', 'test'],
    ['cpu-stats', 'test', '--start', '1', '--count', '3'],
    ['nodecpustats'],
    ['nodecpustats', '1'],
    ['nodememstats'],
    ['nodecpumap'],
    ['freecell'],
    ['freecell', '--all'],
    ['freecell', '3'],
    ['setmaxmem', 'test', '1000'],
    ['setvcpus', 'test', '40', '--config'],
    ['setmem', 'test', '1024', '--live', '--config'],
    ['version', '--daemon'],
  ])
    await compare(t, ours, theirs, args);
});

t.test('inactive domains: vcpuinfo falls back to the configured affinity (virDomainGetVcpuPinInfo)', async (t) => {
  virshPath();
  const { ours, theirs } = await daemonsOnNodeFile(t, [
    { name: 'cold', uuid: '31111111-2222-3333-4444-555555555555', runstate: 5, vcpus: 3 },
    { name: 'web', uuid: '11111111-2222-3333-4444-555555555555', runstate: 1, vcpus: 2 },
  ]);
  for (const args of [
    ['vcpuinfo', 'cold'],
    ['vcpuinfo', 'web'],
    ['vcpupin', 'cold'],
    ['vcpupin', 'web', '--config'],
  ]) {
    await compare(t, ours, theirs, args);
  }
});
