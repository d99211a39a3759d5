/**
 * Domain XML → DomainDefinition. Validates everything it reads and fails with
 * XML_ERROR naming the problem; the result is complete (defaults applied the
 * way libvirt applies them), so callers never hold a half-parsed definition.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { isUuid, parseUuid } from '../uuid';
import { attr, childElement, childElements, childText, parseXmlRoot, serializeElement, xmlError } from './dom';
import { parseMemoryKiB } from './units';
import {
  BOOT_DEVICES,
  CRASH_ACTIONS,
  OS_TYPES,
  POWEROFF_REBOOT_ACTIONS,
  VIRT_TYPES,
  type DomainDefinition,
  type DomainOsDefinition,
  type LifecycleAction,
} from './domain-types';

/** libvirt's architecture names. */
const ARCHES = new Set([
  'alpha',
  'armv6l',
  'armv7l',
  'armv7b',
  'aarch64',
  'cris',
  'i686',
  'ia64',
  'lm32',
  'loongarch64',
  'm68k',
  'microblaze',
  'microblazeel',
  'mips',
  'mipsel',
  'mips64',
  'mips64el',
  'openrisc',
  'parisc',
  'parisc64',
  'ppc',
  'ppcle',
  'ppc64',
  'ppc64le',
  'ppcemb',
  'riscv32',
  'riscv64',
  's390',
  's390x',
  'sh4',
  'sh4eb',
  'sparc',
  'sparc64',
  'unicore32',
  'x86_64',
  'xtensa',
  'xtensaeb',
]);

/** More vCPUs than any hypervisor xvirt drives supports; a guard against typos. */
export const MAX_VCPUS = 16384;
const MAX_NAME_LENGTH = 1024;

/** Elements parsed into typed fields rather than carried as extraXml. */
const KNOWN_ELEMENTS = new Set([
  'name',
  'uuid',
  'memory',
  'currentMemory',
  'vcpu',
  'os',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'devices',
]);
const KNOWN_OS_ELEMENTS = new Set(['type', 'kernel', 'initrd', 'cmdline', 'boot']);

function parseName(root: Element): string {
  const name = childText(root, 'name');
  if (!name) throw xmlError('missing domain name: <name> is absent or empty');
  if (name.length > MAX_NAME_LENGTH) throw xmlError(`domain name longer than ${MAX_NAME_LENGTH} characters`);
  if (name.includes('/')) throw xmlError(`name '${name}' cannot contain '/'`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name))
    throw xmlError(`name '${JSON.stringify(name)}' cannot contain control characters or newlines`);
  return name;
}

function parseUuidElement(root: Element): string {
  const text = childText(root, 'uuid');
  if (text === null) return randomUUID();
  if (!isUuid(text))
    throw xmlError(`malformed uuid '${text}': expected 32 hex digits, e.g. 6695eb01-f6a4-8304-79aa-97f2502e193f`);
  return parseUuid(text);
}

function parsePositiveInt(text: string, what: string, max: number): number {
  if (!/^\s*[0-9]+\s*$/.test(text)) throw xmlError(`${what} must be a positive integer, got '${text}'`);
  const n = Number(text);
  if (n < 1) throw xmlError(`${what} must be at least 1, got ${n}`);
  if (n > max) throw xmlError(`${what} must be at most ${max}, got ${n}`);
  return n;
}

function parseMemory(root: Element): { memoryKiB: number; currentMemoryKiB: number } {
  const memory = childElement(root, 'memory');
  if (!memory) throw xmlError("missing <memory>: the domain's memory size must be given");
  const memoryKiB = parseMemoryKiB(memory.textContent ?? '', attr(memory, 'unit'), '<memory>');
  if (memoryKiB === 0) throw xmlError('<memory> must be greater than 0');
  const current = childElement(root, 'currentMemory');
  let currentMemoryKiB = current
    ? parseMemoryKiB(current.textContent ?? '', attr(current, 'unit'), '<currentMemory>')
    : memoryKiB;
  // libvirt clamps a missing, zero or too large balloon target to the maximum.
  if (currentMemoryKiB === 0 || currentMemoryKiB > memoryKiB) currentMemoryKiB = memoryKiB;
  return { memoryKiB, currentMemoryKiB };
}

function parseVcpus(root: Element): { maxVcpus: number; vcpus: number } {
  const vcpu = childElement(root, 'vcpu');
  if (!vcpu) return { maxVcpus: 1, vcpus: 1 };
  const maxVcpus = parsePositiveInt(vcpu.textContent ?? '', '<vcpu> count', MAX_VCPUS);
  const current = attr(vcpu, 'current');
  const vcpus = current === null ? maxVcpus : parsePositiveInt(current, "<vcpu current='...'>", MAX_VCPUS);
  if (vcpus > maxVcpus) {
    throw xmlError(`<vcpu current='${vcpus}'> exceeds the maximum vCPU count ${maxVcpus}`);
  }
  return { maxVcpus, vcpus };
}

function parseOs(root: Element): DomainOsDefinition {
  const os = childElement(root, 'os');
  const typeEl = os ? childElement(os, 'type') : null;
  if (!os || !typeEl) throw xmlError('missing <os><type>: an OS type (hvm, xen, ...) must be specified');
  let type = (typeEl.textContent ?? '').trim();
  if (type === 'linux') type = 'xen';
  if (!(OS_TYPES as readonly string[]).includes(type)) {
    throw xmlError(`unknown OS type '${type}' in <os><type> (expected one of ${OS_TYPES.join(', ')})`);
  }
  const arch = attr(typeEl, 'arch');
  if (arch !== null && !ARCHES.has(arch)) throw xmlError(`unknown architecture '${arch}' in <os><type arch=...>`);
  const boot: string[] = [];
  const extraXml: string[] = [];
  for (const child of childElements(os)) {
    if (child.nodeName === 'boot') {
      const dev = attr(child, 'dev') ?? '';
      if (!(BOOT_DEVICES as readonly string[]).includes(dev)) {
        throw xmlError(
          `unknown boot device '${dev}' in <os><boot dev=...> (expected one of ${BOOT_DEVICES.join(', ')})`,
        );
      }
      boot.push(dev);
    } else if (!KNOWN_OS_ELEMENTS.has(child.nodeName)) {
      extraXml.push(serializeElement(child, '    '));
    }
  }
  if (type === 'exe' && !childElement(os, 'init')) throw xmlError("OS type 'exe' needs an <os><init> binary");
  const kernel = childText(os, 'kernel') || null;
  // As libvirt does: a full-virt guest with no kernel and no boot order boots from disk.
  if (type === 'hvm' && boot.length === 0 && !kernel) boot.push('hd');
  return {
    type,
    arch,
    machine: attr(typeEl, 'machine'),
    kernel,
    initrd: childText(os, 'initrd') || null,
    cmdline: rawChildText(os, 'cmdline'),
    boot,
    extraXml,
  };
}

/** A child's text exactly as written (libvirt keeps the kernel command line's spaces); null when absent or blank. */
function rawChildText(el: Element, name: string): string | null {
  const text = childElement(el, name)?.textContent ?? '';
  return text.trim() === '' ? null : text;
}

function parseAction(
  root: Element,
  name: string,
  allowed: readonly LifecycleAction[],
  fallback: LifecycleAction,
): LifecycleAction {
  const text = childText(root, name);
  if (text === null) return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw xmlError(`unknown <${name}> action '${text}' (expected one of ${allowed.join(', ')})`);
  }
  return text as LifecycleAction;
}

/** Parses libvirt domain XML. Throws XvirtError XML_ERROR naming the problem. */
export function parseDomainXml(xml: string): DomainDefinition {
  const root = parseXmlRoot(xml, 'domain', 'domain XML');
  return parseDomainElement(root);
}

/** Parses an already-parsed `<domain>` element (e.g. one inside a test driver node file). */
export function parseDomainElement(root: Element): DomainDefinition {
  const type = attr(root, 'type');
  if (!type) throw xmlError("missing domain type attribute: <domain type='...'>");
  if (!(VIRT_TYPES as readonly string[]).includes(type)) {
    throw xmlError(`unknown domain type '${type}' (expected one of ${VIRT_TYPES.join(', ')})`);
  }
  const name = parseName(root);
  const uuid = parseUuidElement(root);
  const memory = parseMemory(root);
  const vcpus = parseVcpus(root);
  const os = parseOs(root);
  const devices = childElement(root, 'devices');
  const extraXml = childElements(root)
    .filter((el) => !KNOWN_ELEMENTS.has(el.nodeName))
    .map((el) => serializeElement(el, '  '));
  return {
    type,
    name,
    uuid,
    ...memory,
    ...vcpus,
    os,
    onPoweroff: parseAction(root, 'on_poweroff', POWEROFF_REBOOT_ACTIONS, 'destroy'),
    onReboot: parseAction(root, 'on_reboot', POWEROFF_REBOOT_ACTIONS, 'restart'),
    onCrash: parseAction(root, 'on_crash', CRASH_ACTIONS, 'destroy'),
    // An empty <devices> is the same as none (libvirt writes it as an empty pair of tags).
    devicesXml: devices && childElements(devices).length > 0 ? serializeElement(devices, '  ') : null,
    extraXml,
  };
}
