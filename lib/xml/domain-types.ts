/** The typed form of libvirt's domain XML that xvirt's drivers work with. */

/** What the hypervisor does when the guest powers off, reboots or crashes. */
export type LifecycleAction =
  'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart';

export const POWEROFF_REBOOT_ACTIONS: readonly LifecycleAction[] = ['destroy', 'restart', 'preserve', 'rename-restart'];
export const CRASH_ACTIONS: readonly LifecycleAction[] = [
  ...POWEROFF_REBOOT_ACTIONS,
  'coredump-destroy',
  'coredump-restart',
];

/** libvirt's `<domain type=...>` values. */
export const VIRT_TYPES = [
  'none',
  'qemu',
  'kqemu',
  'kvm',
  'xen',
  'lxc',
  'uml',
  'openvz',
  'test',
  'vmware',
  'hyperv',
  'vbox',
  'phyp',
  'parallels',
  'bhyve',
  'vz',
  'hvf',
] as const;

/** `<os><type>` values (libvirt reads the legacy 'linux' as 'xen'). */
export const OS_TYPES = ['hvm', 'xen', 'xenpvh', 'exe', 'uml'] as const;

/** `<boot dev=...>` values. */
export const BOOT_DEVICES = ['hd', 'cdrom', 'fd', 'network'] as const;

export interface DomainOsDefinition {
  /** 'hvm' (full virtualization), 'xen' (Xen PV), 'xenpvh', 'exe', 'uml'. */
  type: string;
  /** e.g. 'x86_64', 'i686'; null lets the driver choose its default. */
  arch: string | null;
  machine: string | null;
  kernel: string | null;
  initrd: string | null;
  cmdline: string | null;
  /** Boot devices in order ('hd', 'cdrom', 'fd', 'network'). */
  boot: string[];
  /**
   * Other `<os>` children (loader, nvram, bootmenu, ...), each serialized
   * libvirt-style and indented for its place (4 spaces), emitted unchanged.
   */
  extraXml: string[];
}

export interface DomainDefinition {
  /** Virtualization type: 'test', 'xen', 'kvm', ... */
  type: string;
  name: string;
  /** Canonical lower-case 8-4-4-4-12 form. */
  uuid: string;
  /** `<memory>`: maximum memory in KiB. */
  memoryKiB: number;
  /** `<currentMemory>`: balloon target in KiB, never above memoryKiB. */
  currentMemoryKiB: number;
  /** `<vcpu>`: maximum vCPUs. */
  maxVcpus: number;
  /** `<vcpu current=...>`: vCPUs online, 1..maxVcpus. */
  vcpus: number;
  os: DomainOsDefinition;
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
  /** The whole `<devices>` element, serialized and indented for its place (2 spaces); null if absent. */
  devicesXml: string | null;
  /**
   * Every other top-level element (features, clock, cpu, metadata, ...), in
   * document order, serialized and indented for its place (2 spaces).
   */
  extraXml: string[];
}

export interface FormatDomainOptions {
  /** Format the persistent configuration: no runtime `id` attribute. */
  inactive?: boolean;
  /** Hypervisor id of the running domain; emitted unless inactive or negative. */
  id?: number;
}
