/**
 * The state `test:///default` starts with: the same node and domain as
 * libvirt 9.0's test driver, so tools can compare the two side by side.
 */
import type { NodeInfo } from '../../types';
import type { DomainDefinition } from '../../xml';

/** What virConnectGetType reports for libvirt's test driver. */
export const TEST_HYPERVISOR_TYPE = 'TEST';
/** libvirt's test driver reports hypervisor version 0.0.2. */
export const TEST_HYPERVISOR_VERSION = 2;
/** virConnectGetMaxVcpus of libvirt's test driver, whatever the type. */
export const TEST_MAX_VCPUS = 32;
/** Default guest architecture (the test driver's only one). */
export const TEST_ARCH = 'i686';
export const DEFAULT_URI_PATH = '/default';

export const DEFAULT_NODE_INFO: Readonly<NodeInfo> = Object.freeze({
  model: 'i686',
  memoryKiB: 3 * 1024 * 1024,
  cpus: 16,
  mhz: 1400,
  nodes: 2,
  sockets: 2,
  cores: 2,
  threads: 2,
});

/** NUMA cells of the default node: 8 CPUs each, cell i with (i + 1) × 2 GiB. */
export interface NumaCell {
  memoryKiB: number;
  cpus: number;
  /** What libvirt's test driver sums for virNodeGetFreeMemory: (i + 1) MiB, in bytes. */
  freeBytes: number;
}
export const DEFAULT_NUMA_CELLS: readonly NumaCell[] = [
  { memoryKiB: 2 * 1024 * 1024, cpus: 8, freeBytes: 1024 * 1024 },
  { memoryKiB: 4 * 1024 * 1024, cpus: 8, freeBytes: 2 * 1024 * 1024 },
];

/**
 * The running domain 'test' (id 1) that libvirt 9.0 starts with, in the typed
 * form its XML parses to (a unit test checks that formatting and parsing it
 * again gives it back): built as data, test:///default opens without loading
 * the XML parser.
 */
export function defaultDomain(): DomainDefinition {
  return {
    type: 'test',
    name: 'test',
    uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
    memoryKiB: 8388608,
    currentMemoryKiB: 2097152,
    maxVcpus: 2,
    vcpus: 2,
    os: {
      type: 'hvm',
      arch: 'i686',
      machine: null,
      kernel: null,
      initrd: null,
      cmdline: null,
      boot: ['hd'],
      extraXml: [],
    },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    devicesXml: [
      '  <devices>',
      "    <disk type='file' device='disk'>",
      "      <source file='/guest/diskimage1'/>",
      "      <target dev='vda' bus='virtio'/>",
      "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>",
      '    </disk>',
      "    <interface type='network'>",
      "      <mac address='aa:bb:cc:dd:ee:ff'/>",
      "      <source network='default'/>",
      "      <target dev='testnet0'/>",
      "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>",
      '    </interface>',
      "    <memballoon model='virtio'>",
      "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>",
      '    </memballoon>',
      '  </devices>',
    ].join('\n'),
    extraXml: ["  <clock offset='utc'/>"],
  };
}
