/**
 * DomainDefinition → domain XML, laid out the way libvirt formats it (element
 * order, single quotes, two-space indentation, units in KiB), so output can be
 * compared with `virsh dumpxml` and fed back to either.
 */
import { escapeAttr, escapeText } from './dom';
import type { DomainDefinition, FormatDomainOptions } from './domain-types';

/** Elements libvirt writes right after <uuid>. */
const HEAD = new Set(['genid', 'title', 'description', 'metadata']);
/** Elements libvirt writes between <vcpu> and <os>. */
const BEFORE_OS = new Set([
  'maxMemory',
  'blkiotune',
  'memtune',
  'memoryBacking',
  'vcpus',
  'iothreads',
  'iothreadids',
  'defaultiothread',
  'cputune',
  'numatune',
  'resource',
  'sysinfo',
  'bootloader',
  'bootloader_args',
]);
/** Elements libvirt writes between <on_crash> and <devices>. */
const BEFORE_DEVICES = new Set(['pm', 'perf', 'idmap']);
/** Elements libvirt writes after <devices>. */
const TAIL = new Set(['seclabel', 'keywrap', 'launchSecurity']);

type Slot = 'head' | 'beforeOs' | 'afterOs' | 'beforeDevices' | 'tail';

function elementName(xml: string): string {
  return /^\s*<([^\s/>]+)/.exec(xml)?.[1] ?? '';
}

function slotOf(xml: string): Slot {
  const name = elementName(xml);
  if (HEAD.has(name)) return 'head';
  if (BEFORE_OS.has(name)) return 'beforeOs';
  if (BEFORE_DEVICES.has(name)) return 'beforeDevices';
  // Foreign-namespace elements (qemu:commandline, ...) go last, as in libvirt.
  if (TAIL.has(name) || name.includes(':')) return 'tail';
  return 'afterOs';
}

function formatOs(def: DomainDefinition): string[] {
  const os = def.os;
  let typeAttrs = '';
  if (os.arch) typeAttrs += ` arch='${escapeAttr(os.arch)}'`;
  if (os.machine) typeAttrs += ` machine='${escapeAttr(os.machine)}'`;
  const lines = ['  <os>', `    <type${typeAttrs}>${escapeText(os.type)}</type>`];
  const before = os.extraXml.filter((x) => ['loader', 'nvram'].includes(elementName(x)));
  const after = os.extraXml.filter((x) => !before.includes(x));
  lines.push(...before);
  if (os.kernel) lines.push(`    <kernel>${escapeText(os.kernel)}</kernel>`);
  if (os.initrd) lines.push(`    <initrd>${escapeText(os.initrd)}</initrd>`);
  if (os.cmdline) lines.push(`    <cmdline>${escapeText(os.cmdline)}</cmdline>`);
  for (const dev of os.boot) lines.push(`    <boot dev='${escapeAttr(dev)}'/>`);
  lines.push(...after, '  </os>');
  return lines;
}

/** Formats a definition as libvirt domain XML (ending with a newline, as libvirt's does). */
export function formatDomainXml(def: DomainDefinition, options: FormatDomainOptions = {}): string {
  const extras: Record<Slot, string[]> = { head: [], beforeOs: [], afterOs: [], beforeDevices: [], tail: [] };
  for (const x of def.extraXml) extras[slotOf(x)].push(x);
  // libvirt always reports the guest clock; UTC is its default.
  if (!def.extraXml.some((x) => elementName(x) === 'clock')) extras.afterOs.push("  <clock offset='utc'/>");

  const id = !options.inactive && options.id !== undefined && options.id >= 0 ? ` id='${options.id}'` : '';
  const current = def.vcpus !== def.maxVcpus ? ` current='${def.vcpus}'` : '';
  const lines = [
    `<domain type='${escapeAttr(def.type)}'${id}>`,
    `  <name>${escapeText(def.name)}</name>`,
    `  <uuid>${def.uuid}</uuid>`,
    ...extras.head,
    `  <memory unit='KiB'>${def.memoryKiB}</memory>`,
    `  <currentMemory unit='KiB'>${def.currentMemoryKiB}</currentMemory>`,
    `  <vcpu placement='static'${current}>${def.maxVcpus}</vcpu>`,
    ...extras.beforeOs,
    ...formatOs(def),
    ...extras.afterOs,
    `  <on_poweroff>${def.onPoweroff}</on_poweroff>`,
    `  <on_reboot>${def.onReboot}</on_reboot>`,
    `  <on_crash>${def.onCrash}</on_crash>`,
    ...extras.beforeDevices,
    def.devicesXml ?? '  <devices>\n  </devices>',
    ...extras.tail,
    '</domain>',
  ];
  return lines.join('\n') + '\n';
}

/** A deep copy, so one definition can be changed (live) while the other stays (config). */
export function cloneDomainDefinition(def: DomainDefinition): DomainDefinition {
  return {
    ...def,
    os: { ...def.os, boot: [...def.os.boot], extraXml: [...def.os.extraXml] },
    extraXml: [...def.extraXml],
  };
}
