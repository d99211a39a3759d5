/**
 * What the test driver's statistics need from a domain's <devices>: disk
 * targets and sources, interface names and MACs, and whether a memory balloon
 * is configured. Parsed once per definition's devices text.
 */
import type { DomainDefinition } from '../../xml';
import { attr, childElement, childElements, parseXmlRoot, serializeElement } from '../../xml/dom';

export interface TestDisk {
  /** Target dev, e.g. 'vda'. */
  target: string;
  /** Source file, dev or name, if any. */
  source: string | null;
}

export interface TestNet {
  /** Target dev, e.g. 'testnet0', if any. */
  ifname: string | null;
  /** Lower-case MAC, if any. */
  mac: string | null;
}

export interface TestDevices {
  disks: TestDisk[];
  nets: TestNet[];
  /** A <memballoon> whose model is not 'none' (libvirt's virDomainDefHasMemballoon). */
  memballoon: boolean;
}

const parsed = new WeakMap<DomainDefinition, { text: string | null; devices: TestDevices }>();

function parseDevices(text: string | null): TestDevices {
  const devices: TestDevices = { disks: [], nets: [], memballoon: false };
  if (!text) return devices;
  for (const el of childElements(parseXmlRoot(text, 'devices', 'domain devices'))) {
    if (el.nodeName === 'disk') {
      const target = childElement(el, 'target');
      const source = childElement(el, 'source');
      const dev = target ? attr(target, 'dev') : null;
      const from = source ? (attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'name')) : null;
      if (dev) devices.disks.push({ target: dev, source: from });
    } else if (el.nodeName === 'interface') {
      const target = childElement(el, 'target');
      const mac = childElement(el, 'mac');
      const address = mac ? (attr(mac, 'address')?.toLowerCase() ?? null) : null;
      devices.nets.push({ ifname: target ? attr(target, 'dev') : null, mac: address });
    } else if (el.nodeName === 'memballoon') {
      devices.memballoon = attr(el, 'model') !== 'none';
    }
  }
  return devices;
}

/** The devices of `def` (cached until its devices text changes). */
export function devicesOf(def: DomainDefinition): TestDevices {
  const hit = parsed.get(def);
  if (hit && hit.text === def.devicesXml) return hit.devices;
  const devices = parseDevices(def.devicesXml);
  parsed.set(def, { text: def.devicesXml, devices });
  return devices;
}

const MAC_RE = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i;

/** libvirt's virDomainNetFind: by MAC when `device` reads as one, else by target dev. */
export function findNet(devices: TestDevices, device: string): TestNet | undefined {
  if (MAC_RE.test(device)) {
    const mac = device
      .split(':')
      .map((b) => b.padStart(2, '0'))
      .join(':')
      .toLowerCase();
    return devices.nets.find((n) => n.mac === mac);
  }
  return devices.nets.find((n) => n.ifname === device);
}

/** libvirt's virDomainDiskIndexByName: by target dev or by source path. */
export function findDisk(devices: TestDevices, disk: string): TestDisk | undefined {
  return (
    devices.disks.find((d) => d.target === disk) ?? devices.disks.find((d) => d.source !== null && d.source === disk)
  );
}

/**
 * `devicesXml` with its memory balloon's statistics period set to `period`
 * seconds: libvirt writes `<stats period='N'/>` as the balloon's first child,
 * and nothing for 0. The caller has checked that a balloon exists.
 */
export function withBalloonPeriod(devicesXml: string, period: number): string {
  const devices = parseXmlRoot(devicesXml, 'devices', 'domain devices');
  const balloon = childElements(devices).find((el) => el.nodeName === 'memballoon')!;
  for (const old of childElements(balloon).filter((el) => el.nodeName === 'stats')) balloon.removeChild(old);
  if (period > 0) {
    const stats = balloon.ownerDocument!.createElement('stats');
    stats.setAttribute('period', String(period));
    balloon.insertBefore(stats, balloon.firstChild);
  }
  return serializeElement(devices, '  ');
}
