// `xvirt vcpupin` pinning against the real virsh: xvirt through xvirtd, virsh
// through libvirtd, each on its own test driver with the same node file, the
// same steps in the same order: stdout, stderr and exit status line for line,
// the pins read back by the query form and vcpuinfo.
import t from 'tap';
import { requireBuild, xvirt } from '../../support/cli';
import { daemonsOnNodeFile, PINNING_GUESTS } from '../../support/daemon-pair';
import { runVirsh, virshPath } from '../../support/virsh';

requireBuild(t);

t.test('vcpupin with a CPU list: the same as virsh, step by step', async (t) => {
  virshPath();
  const { ours, theirs } = await daemonsOnNodeFile(t, PINNING_GUESTS);
  for (const args of [
    ['vcpupin', 'web', '1', '2'],
    ['vcpupin', 'web', '--vcpu', '0', '--cpulist', '1-3,^2'],
    ['vcpupin', 'web', '2', 'r'],
    ['vcpupin', 'web'],
    ['vcpupin', 'web', '1'],
    ['vcpuinfo', 'web'],
    ['vcpupin', 'web', '0', '0', '--live'],
    ['vcpupin', 'web', '0', '0', '--current'],
    ['vcpupin', 'web', '0', '0', '--live', '--config'],
    ['vcpupin', 'web', '0', '0', '--current', '--live'],
    ['vcpupin', 'web', '3', '0'],
    ['vcpupin', 'web', '0', '99'],
    ['vcpupin', 'web', '0', 'x'],
    ['vcpupin', 'web', '0', '3-1'],
    ['vcpupin', 'web', '0', '2000'],
    ['vcpupin', 'web', '0', '0,,1'],
    ['vcpupin', 'web', '0', '^1'],
    ['vcpupin', 'web', '--cpulist', '1'],
    ['vcpupin', 'cold', '0', '1'],
    ['vcpupin', 'nosuch', '0', '1'],
    ['vcpupin', 'web'],
  ]) {
    const [a, b] = await Promise.all([xvirt(['-c', ours, ...args]), runVirsh(['-c', theirs, ...args])]);
    const what = args.join(' ');
    t.equal(a.stdout, b.stdout, `${what}: same output`);
    t.equal(a.stderr, b.stderr, `${what}: same errors`);
    t.equal(a.code, b.code, `${what}: same status`);
  }
});
