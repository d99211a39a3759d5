/**
 * The <devices> of domain XML that xl can build: file, block and storage
 * volume disks (disk or cdrom, raw or qcow2, on the xen bus) and bridged,
 * virtual network or routed (ethernet) interfaces. Everything else, down to a single attribute, is
 * refused by name rather than silently dropped: a guest that boots without
 * the disk its XML asked for is worse than one that does not boot.
 * Values are checked when they become xl specs (xl-devices.ts).
 */
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { attr, childElements, parseXmlRoot } from '../../xml/dom';
import type { XlDisk, XlVif } from './xl-devices';

/** Devices every PV guest has anyway (its console) or that need no config: accepted and not translated. */
const IMPLICIT_DEVICES = new Set(['console', 'serial', 'memballoon']);

function unsupported(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XEN, detail);
}

/**
 * The element's children by name; refuses unknown or repeated children and
 * attributes not listed (`own` for the element's, `children` for each child's).
 */
function shape(el: Element, where: string, own: string[], children: Record<string, string[]>): Map<string, Element> {
  checkAttributes(el, where, own);
  const out = new Map<string, Element>();
  for (const child of childElements(el)) {
    const attrs = Object.hasOwn(children, child.nodeName) ? children[child.nodeName] : undefined;
    if (!attrs) throw unsupported(`${where}: <${child.nodeName}> is not supported by xvirt's Xen driver`);
    if (out.has(child.nodeName)) throw unsupported(`${where}: more than one <${child.nodeName}>`);
    checkAttributes(child, `${where} <${child.nodeName}>`, attrs);
    out.set(child.nodeName, child);
  }
  return out;
}

function checkAttributes(el: Element, where: string, allowed: string[]): void {
  for (let i = 0; i < el.attributes.length; i++) {
    const name = el.attributes.item(i)!.name;
    if (!allowed.includes(name))
      throw unsupported(`${where}: attribute '${name}' is not supported by xvirt's Xen driver`);
  }
}

function oneOf<T extends string>(value: string | null, fallback: T, allowed: readonly T[], what: string): T {
  const v = (value ?? fallback) as T;
  if (!allowed.includes(v))
    throw unsupported(`${what} '${v}' is not supported by xvirt's Xen driver (${allowed.join(' or ')})`);
  return v;
}

const DRIVER_BACKENDS: Record<string, XlDisk['backend']> = { phy: 'phy', qemu: 'qdisk' };

function diskOf(el: Element, index: number): XlDisk {
  const type = oneOf(attr(el, 'type'), 'file', ['file', 'block', 'volume'], '<disk type>');
  const device = oneOf(attr(el, 'device'), 'disk', ['disk', 'cdrom'], '<disk device>');
  const parts = shape(el, `<disk> #${index + 1}`, ['type', 'device'], {
    driver: ['name', 'type'],
    source: type === 'volume' ? ['pool', 'volume'] : ['file', 'dev'],
    target: ['dev', 'bus'],
    readonly: [],
  });
  const target = parts.get('target');
  const vdev = target ? attr(target, 'dev') : null;
  if (!vdev) throw unsupported(`<disk> #${index + 1}: <target dev> is required`);
  const where = `<disk> ${vdev}`;
  oneOf(attr(target!, 'bus'), 'xen', ['xen'], `${where} <target bus>`);
  const source = parts.get('source');
  const located = type === 'volume' ? volumeSource(source, where) : pathSource(source, type, where);
  const driver = parts.get('driver');
  const driverName = driver ? attr(driver, 'name') : null;
  if (driverName !== null && !(driverName in DRIVER_BACKENDS)) {
    throw unsupported(`${where} <driver name='${driverName}'> is not supported by xvirt's Xen driver (phy or qemu)`);
  }
  return {
    ...located,
    vdev,
    cdrom: device === 'cdrom',
    readonly: parts.has('readonly'),
    format: oneOf(driver ? attr(driver, 'type') : null, 'raw', ['raw', 'qcow2'], `${where} <driver type>`),
    backend: driverName === null ? null : DRIVER_BACKENDS[driverName]!,
  };
}

/** A file or block disk's <source file> or <source dev>. */
function pathSource(source: Element | undefined, type: 'file' | 'block', where: string): Pick<XlDisk, 'target'> {
  const sourceAttr = type === 'file' ? 'file' : 'dev';
  const path = source ? attr(source, sourceAttr) : null;
  if (!path) throw unsupported(`${where}: <source ${sourceAttr}> is required (xvirt's Xen driver has no empty drives)`);
  if (source && attr(source, type === 'file' ? 'dev' : 'file') !== null) {
    throw unsupported(
      `${where}: a ${type} disk takes <source ${sourceAttr}>, not <source ${type === 'file' ? 'dev' : 'file'}>`,
    );
  }
  return { target: path };
}

/** A volume disk's <source pool volume>; the path comes from the pool when the domain starts. */
function volumeSource(source: Element | undefined, where: string): Pick<XlDisk, 'target' | 'volume'> {
  const pool = source ? attr(source, 'pool') : null;
  const name = source ? attr(source, 'volume') : null;
  if (!pool || !name) throw unsupported(`${where}: a volume disk needs <source pool='...' volume='...'>`);
  if (name.includes('/') || name === '.' || name === '..') {
    throw unsupported(`${where}: volume name '${name}' is not a plain file name`);
  }
  return { target: '', volume: { pool, name } };
}

function vifOf(el: Element, index: number): XlVif {
  const type = oneOf(attr(el, 'type'), 'bridge', ['bridge', 'network', 'ethernet'], '<interface type>');
  const where = `<interface> #${index + 1}`;
  const sourceAttrs: Record<typeof type, string[]> = { bridge: ['bridge'], network: ['network'], ethernet: [] };
  const parts = shape(el, where, ['type'], {
    mac: ['address'],
    source: sourceAttrs[type],
    script: ['path'],
    model: ['type'],
    target: ['dev'],
  });
  const bridge = type === 'bridge' && parts.has('source') ? attr(parts.get('source')!, 'bridge') : null;
  if (type === 'bridge' && !bridge) throw unsupported(`${where}: a bridge interface needs <source bridge='...'>`);
  const network = type === 'network' && parts.has('source') ? attr(parts.get('source')!, 'network') : null;
  if (type === 'network' && !network) throw unsupported(`${where}: a network interface needs <source network='...'>`);
  const get = (name: string, attribute: string) => (parts.has(name) ? attr(parts.get(name)!, attribute) : null);
  const model = get('model', 'type');
  return {
    mac: get('mac', 'address'),
    bridge,
    ...(network ? { network } : {}),
    script: get('script', 'path'),
    // netfront is the PV NIC itself; any other model is emulated (vifSpec allows those for HVM only).
    model: model === 'netfront' ? null : model,
    vifname: get('target', 'dev'),
  };
}

/** The disks and interfaces of a <devices> element (serialized), refusing what xl could not build from it. */
export function devicesOf(devicesXml: string | null): { disks: XlDisk[]; vifs: XlVif[] } {
  const disks: XlDisk[] = [];
  const vifs: XlVif[] = [];
  if (!devicesXml) return { disks, vifs };
  const other = new Set<string>();
  for (const el of childElements(parseXmlRoot(devicesXml, 'devices', 'devices'))) {
    if (el.nodeName === 'disk') disks.push(diskOf(el, disks.length));
    else if (el.nodeName === 'interface') vifs.push(vifOf(el, vifs.length));
    else if (!IMPLICIT_DEVICES.has(el.nodeName)) other.add(el.nodeName);
  }
  if (other.size > 0) throw unsupported(`devices not supported by xvirt's Xen driver: ${[...other].join(', ')}`);
  const vdevs = disks.map((d) => d.vdev);
  const twice = vdevs.find((v, i) => vdevs.indexOf(v) !== i);
  if (twice) throw unsupported(`two disks use <target dev='${twice}'>`);
  return { disks, vifs };
}
