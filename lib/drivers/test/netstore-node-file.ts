/**
 * The networks, storage pools (with their volumes), host interfaces and node
 * devices a test node file describes, loaded as libvirt's test driver loads
 * them: networks and pools running, volumes placed at TARGET/NAME. An element
 * may come from a file (`<pool file='pool.xml'/>`, relative to the node file).
 * Interfaces and devices are kept as written (not re-formatted by libvirt's rules).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../../errors';
import { ListNodeDevicesFlags as F } from '../../netstore-constants';
import {
  attr,
  childElement,
  childElements,
  childText,
  MAX_XML_LENGTH,
  parseXmlRoot,
  serializeElement,
} from '../../xml/dom';
import { parseNetworkXml } from '../../xml/network';
import { parseStoragePoolXml } from '../../xml/storage-pool';
import { parseStorageVolXml } from '../../xml/storage-vol';
import { TestHostDevices, type TestInterface, type TestNodeDevice } from './host-devices';
import { NetStoreState } from './netstore-state';

/** ListNodeDevicesFlags bit for each capability type name. */
const CAP_FLAGS: Record<string, number> = {
  system: F.CAP_SYSTEM,
  pci: F.CAP_PCI_DEV,
  usb_device: F.CAP_USB_DEV,
  usb: F.CAP_USB_INTERFACE,
  net: F.CAP_NET,
  scsi_host: F.CAP_SCSI_HOST,
  scsi_target: F.CAP_SCSI_TARGET,
  scsi: F.CAP_SCSI,
  storage: F.CAP_STORAGE,
  scsi_generic: F.CAP_SCSI_GENERIC,
  drm: F.CAP_DRM,
  mdev: F.CAP_MDEV,
  ccw: F.CAP_CCW_DEV,
  css: F.CAP_CSS_DEV,
  vdpa: F.CAP_VDPA,
  fc_host: F.CAP_FC_HOST,
  vport_ops: F.CAP_VPORTS,
};

function wrap(file: string, where: string, err: unknown): XvirtError {
  const detail = isXvirtError(err) ? err.message.replace(/^XML error: /, '') : String(err);
  const number = isXvirtError(err) ? err.number : ErrorNumber.XML_ERROR;
  return XvirtError.of(number, ErrorDomain.TEST, `test driver file '${file}': ${where}: ${detail}`, { cause: err });
}

/** The element itself, or the root of the file its `file` attribute names. */
async function resolve(el: Element, file: string, what: string): Promise<Element> {
  const ref = attr(el, 'file');
  if (ref === null) return el;
  const target = path.resolve(path.dirname(file), ref);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (err) {
    throw XvirtError.of(
      ErrorNumber.SYSTEM_ERROR,
      ErrorDomain.TEST,
      `cannot read ${what} file '${target}' of test driver file '${file}': ${(err as Error).message}`,
    );
  }
  if (text.length > MAX_XML_LENGTH)
    throw wrap(file, `${what} file '${target}'`, `larger than ${MAX_XML_LENGTH} characters`);
  return parseXmlRoot(text, what === 'volume' ? 'volume' : el.nodeName, target);
}

function loadDevice(el: Element): TestNodeDevice {
  const name = childText(el, 'name');
  if (!name) throw new Error('device without <name>');
  const caps: string[] = [];
  let capFlags = 0;
  for (const cap of childElements(el).filter((c) => c.nodeName === 'capability')) {
    const type = attr(cap, 'type') ?? '';
    caps.push(type);
    capFlags |= CAP_FLAGS[type] ?? 0;
    for (const sub of childElements(cap).filter((c) => c.nodeName === 'capability'))
      capFlags |= CAP_FLAGS[attr(sub, 'type') ?? ''] ?? 0;
  }
  return { name, parent: childText(el, 'parent'), caps, capFlags, xml: serializeElement(el) + '\n' };
}

function loadInterface(el: Element): TestInterface {
  const name = attr(el, 'name');
  if (!name) throw new Error('interface without a name attribute');
  const mac = childElement(el, 'mac');
  return { name, mac: mac ? (attr(mac, 'address') ?? '') : '', active: true, xml: serializeElement(el) + '\n' };
}

/** Loads the network/storage/host part of a node file's root element. */
export async function loadNetStore(root: Element, file: string): Promise<NetStoreState> {
  const devices: TestNodeDevice[] = [];
  const interfaces: TestInterface[] = [];
  const deferred: Array<(state: NetStoreState) => Promise<void>> = [];
  for (const [i, node] of childElements(root).entries()) {
    const where = `<${node.nodeName}> #${i + 1}`;
    try {
      if (node.nodeName === 'device') devices.push(loadDevice(await resolve(node, file, 'device')));
      else if (node.nodeName === 'interface') interfaces.push(loadInterface(await resolve(node, file, 'interface')));
      else if (node.nodeName === 'network') {
        const def = parseNetworkXml(serializeElement(await resolve(node, file, 'network')));
        deferred.push(async (state) => {
          state.networks.load(def);
        });
      } else if (node.nodeName === 'pool') {
        const el = await resolve(node, file, 'pool');
        const volumes = childElements(el).filter((c) => c.nodeName === 'volume');
        for (const v of volumes) el.removeChild(v);
        const def = parseStoragePoolXml(serializeElement(el));
        const vols = await Promise.all(
          volumes.map(async (v) => parseStorageVolXml(serializeElement(await resolve(v, file, 'volume')), def.type)),
        );
        deferred.push(async (state) => {
          const pool = state.pools.load(def);
          for (const vol of vols) state.pools.addVolume(pool, vol);
        });
      }
    } catch (err) {
      throw wrap(file, where, err);
    }
  }
  const state = new NetStoreState(new TestHostDevices(devices, interfaces));
  for (const load of deferred) {
    try {
      await load(state);
    } catch (err) {
      throw wrap(file, 'networks and pools', err);
    }
  }
  return state;
}
