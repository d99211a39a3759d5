// vCPU pinning (virDomainPinVcpu, virDomainPinVcpuFlags) with virsh through
// xvirtd on xvirt's test driver and through libvirtd on libvirt's: the same
// output, errors and status at each step, and the same pins read back
// (vcpupin, vcpuinfo) and written into the live XML only.
import t from 'tap';
import { daemonsOnNodeFile, PINNING_GUESTS } from '../../support/daemon-pair';
import { runVirsh, virshPath } from '../../support/virsh';

t.test('virsh vcpupin sets and shows the same pins through xvirtd as through libvirtd', async (t) => {
  virshPath();
  const { ours, theirs } = await daemonsOnNodeFile(t, PINNING_GUESTS);
  for (const args of [
    ['vcpupin', 'web', '1', '2'],
    ['vcpupin', 'web', '0', '1-3,^2', '--live'],
    ['vcpupin', 'web', '2', '0,5', '--config'],
    ['vcpupin', 'web', '1', '4', '--current'],
    ['vcpupin', 'web'],
    ['vcpupin', 'web', '--config'],
    ['vcpupin', 'web', '--vcpu', '0'],
    ['vcpuinfo', 'web'],
    ['dumpxml', 'web'],
    ['dumpxml', 'web', '--inactive'],
    ['vcpupin', 'cold', '1', '3'],
    ['vcpupin', 'cold', '1', '3', '--config'],
    ['vcpupin', 'cold', '0', '0-1', '--current'],
    ['vcpupin', 'cold'],
    ['vcpuinfo', 'cold'],
    ['dumpxml', 'cold'],
    // Refusals: a vCPU that is not there, both definitions at once, a CPU the host lacks, no domain.
    ['vcpupin', 'web', '3', '0'],
    ['vcpupin', 'web', '7', '0', '--config'],
    ['vcpupin', 'web', '70000', '0'],
    ['vcpupin', 'web', '4294967295', '0'],
    ['vcpupin', 'web', '0', '0', '--live', '--config'],
    ['vcpupin', 'web', '0', '99'],
    ['vcpupin', 'web', '0', 'x'],
    ['vcpupin', 'nosuch', '0', '0'],
    ['vcpupin', 'web'],
    // Each virsh run is a connection of its own (a fresh test driver): one run pins and reads back.
    [
      'vcpupin web 1 2; vcpupin web 0 1-3,^2; vcpupin web 2 r; vcpupin web 1 4 --current; vcpupin web; ' +
        'vcpupin web --vcpu 0; vcpuinfo web; dumpxml web; dumpxml web --inactive; vcpupin web --config',
    ],
  ]) {
    const [a, b] = await Promise.all([runVirsh(['-c', ours, ...args]), runVirsh(['-c', theirs, ...args])]);
    const what = args.join(' ');
    t.equal(a.stdout, b.stdout, `${what}: same output`);
    t.equal(a.stderr, b.stderr, `${what}: same errors`);
    t.equal(a.code, b.code, `${what}: same status`);
    // The steps pinned something: libvirt's own XML shows it (so equal output is not two equal failures).
    if (args.length === 1) t.match(b.stdout, /<vcpupin vcpu='0' cpuset='1,3'\/>/, "libvirtd's XML holds the pin");
  }
});
