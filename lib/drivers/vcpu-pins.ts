/**
 * vCPU pins in a domain definition, as libvirt keeps them: a vCPU's CPU mask
 * is a <vcpupin vcpu='N' cpuset='...'/> in <cputune> (carried as extra XML;
 * its other children stay as they are). The test driver and the Xen driver
 * (whose xl config turns them into `cpus=`) share this.
 */
import { cpuListText, parseCpuList } from '../cpu-list';
import type { DomainDefinition } from '../xml';
import type { Element } from '@xmldom/xmldom';
import { attr, childElements, parseXmlRoot, serializeElement } from '../xml/dom';

/** <cputune> children libvirt writes before the vcpupin elements (virDomainCputuneDefFormat's order). */
const BEFORE_PINS = new Set([
  'shares',
  'period',
  'quota',
  'global_period',
  'global_quota',
  'emulator_period',
  'emulator_quota',
  'iothread_period',
  'iothread_quota',
]);

/** The most CPU ids a cpuset in XML may name (libvirt's VIR_DOMAIN_CPUMASK_LEN): bounds what a range builds. */
const CPUSET_IDS = 16384;

function cputuneIndex(def: DomainDefinition): number {
  return def.extraXml.findIndex((x) => /^\s*<cputune[\s/>]/.test(x));
}

function vcpupins(def: DomainDefinition): Element[] {
  const i = cputuneIndex(def);
  if (i < 0) return [];
  return childElements(parseXmlRoot(def.extraXml[i]!, 'cputune', 'cputune')).filter((el) => el.nodeName === 'vcpupin');
}

/** A cpuset's map over `width` CPUs (CPUs beyond cut off, as libvirt's pin info does); all clear if malformed. */
export function cpusetMap(cpuset: string, width: number): boolean[] {
  const map = parseCpuList(cpuset, CPUSET_IDS) ?? [];
  return Array.from({ length: width }, (_, c) => map[c] === true);
}

/** vCPU `vcpu`'s pinned map over `width` CPUs, or null when it is not pinned. */
export function pinnedMap(def: DomainDefinition, vcpu: number, width: number): boolean[] | null {
  const pin = vcpupins(def).find((el) => attr(el, 'vcpu') === String(vcpu));
  return pin ? cpusetMap(attr(pin, 'cpuset') ?? '', width) : null;
}

/**
 * Every vCPU's pin by vCPU id: its CPU list ("0-1,3"), null for an unpinned
 * vCPU; as long as the highest pinned id + 1 ([] when none is pinned).
 */
export function vcpuPinLists(def: DomainDefinition): (string | null)[] {
  const lists: (string | null)[] = [];
  for (const el of vcpupins(def)) {
    const vcpu = Number(attr(el, 'vcpu'));
    const map = parseCpuList(attr(el, 'cpuset') ?? '', CPUSET_IDS);
    // As libvirt's parser: a pin of no vCPU or no CPU pins nothing.
    if (!Number.isSafeInteger(vcpu) || vcpu < 0 || vcpu >= CPUSET_IDS || !map?.includes(true)) continue;
    while (lists.length <= vcpu) lists.push(null);
    lists[vcpu] = cpuListText(map);
  }
  return lists;
}

/** Sets vCPU `vcpu`'s mask to `map` (replacing its pin, pins in vCPU order); the caller checked the vCPU. */
export function setVcpuPin(def: DomainDefinition, vcpu: number, map: readonly boolean[]): void {
  const i = cputuneIndex(def);
  const children = i < 0 ? [] : childElements(parseXmlRoot(def.extraXml[i]!, 'cputune', 'cputune'));
  const pins = children
    .filter((el) => el.nodeName === 'vcpupin' && attr(el, 'vcpu') !== String(vcpu))
    .map((el) => ({ vcpu: Number(attr(el, 'vcpu')), xml: serializeElement(el, '    ') }));
  pins.push({ vcpu, xml: `    <vcpupin vcpu='${vcpu}' cpuset='${cpuListText(map)}'/>` });
  pins.sort((a, b) => a.vcpu - b.vcpu);
  const others = (before: boolean) =>
    children
      .filter((el) => el.nodeName !== 'vcpupin' && BEFORE_PINS.has(el.nodeName) === before)
      .map((el) => serializeElement(el, '    '));
  const xml = ['  <cputune>', ...others(true), ...pins.map((p) => p.xml), ...others(false), '  </cputune>'].join('\n');
  if (i < 0) def.extraXml.push(xml);
  else def.extraXml[i] = xml;
}
