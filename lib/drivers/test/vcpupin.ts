/**
 * vCPU pinning on the test driver, as libvirt 9.0's testDomainPinVcpuFlags:
 * a vCPU's CPU mask is a <vcpupin vcpu='N' cpuset='...'/> in the
 * definition's <cputune> (carried as extra XML; its other children stay as
 * they are), read back by getVcpuPinInfo, getVcpus and the domain XML.
 */
import { cpuListText, parseCpuList } from '../../cpu-list';
import type { DomainDefinition } from '../../xml';
import { attr, childElements, parseXmlRoot, serializeElement } from '../../xml/dom';
import { invalidArg } from './errors';

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

function cputuneIndex(def: DomainDefinition): number {
  return def.extraXml.findIndex((x) => /^\s*<cputune[\s/>]/.test(x));
}

/** vCPU `vcpu`'s pinned map over `width` CPUs, or null when it is not pinned. */
export function pinnedMap(def: DomainDefinition, vcpu: number, width: number): boolean[] | null {
  const i = cputuneIndex(def);
  if (i < 0) return null;
  const pin = childElements(parseXmlRoot(def.extraXml[i]!, 'cputune', 'cputune')).find(
    (el) => el.nodeName === 'vcpupin' && attr(el, 'vcpu') === String(vcpu),
  );
  if (!pin) return null;
  const map = parseCpuList(attr(pin, 'cpuset') ?? '', Infinity) ?? [];
  return Array.from({ length: width }, (_, c) => map[c] === true);
}

/** testDomainPinVcpuFlags once the definition is chosen: only an online vCPU; replaces its mask. */
export function pinVcpu(def: DomainDefinition, vcpu: number, map: readonly boolean[]): void {
  if (vcpu >= def.vcpus) throw invalidArg(`requested vcpu '${vcpu}' is not present in the domain`);
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
