/**
 * libvirt storage pool XML for the pool types xvirt serves: dir, fs and
 * logical (type, name, uuid, source device/name/format, target path and
 * permissions); capacity figures are the driver's and are formatted, not read.
 */
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { attr, childElement, childElements, childText, escapeAttr, escapeText, parseXmlRoot, xmlError } from './dom';
import { formatPermissions, parsePermissions, type StoragePermissions } from './storage-perms';
import { checkKnownChildren, checkPathText, parseObjectName, parseUuidChild } from './xml-common';

const STORAGE = ErrorDomain.STORAGE;
export const POOL_TYPES = ['dir', 'fs', 'logical'] as const;
export type PoolType = (typeof POOL_TYPES)[number];
/** Types libvirt knows but xvirt does not serve (refused as unsupported, not as unknown). */
const OTHER_LIBVIRT_TYPES = [
  'netfs',
  'disk',
  'iscsi',
  'iscsi-direct',
  'scsi',
  'mpath',
  'rbd',
  'sheepdog',
  'gluster',
  'zfs',
  'vstorage',
];
const FS_FORMATS = [
  'auto',
  'ext2',
  'ext3',
  'ext4',
  'ufs',
  'iso9660',
  'udf',
  'gfs',
  'gfs2',
  'vfat',
  'hfs+',
  'xfs',
  'ocfs2',
  'vmfs',
];
const LOGICAL_FORMATS = ['unknown', 'lvm2'];
const POOL_ELEMENTS = new Set(['name', 'uuid', 'capacity', 'allocation', 'available', 'source', 'target']);

export interface StoragePoolDefinition {
  type: PoolType;
  name: string;
  uuid: string;
  source: { devices: string[]; name: string | null; format: string | null };
  targetPath: string;
  permissions: StoragePermissions | null;
}

/** libvirt's virFileSanitizePath: repeated slashes collapse, a trailing slash goes. */
export function sanitizePath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

function parseSource(root: Element, type: PoolType, name: string): StoragePoolDefinition['source'] {
  const el = childElement(root, 'source');
  const source = { devices: [] as string[], name: null as string | null, format: null as string | null };
  if (el) {
    checkKnownChildren(el, new Set(['device', 'name', 'format']), '<source> of the pool', STORAGE);
    for (const dev of childElements(el).filter((c) => c.nodeName === 'device')) {
      const path = attr(dev, 'path');
      if (path === null) throw xmlError('missing storage pool source device path', STORAGE);
      source.devices.push(checkPathText(path, 'source device path', STORAGE));
    }
    source.name = childText(el, 'name');
    const format = childElement(el, 'format');
    if (format) {
      source.format = attr(format, 'type');
      const allowed = type === 'fs' ? FS_FORMATS : type === 'logical' ? LOGICAL_FORMATS : [];
      if (source.format === null || !allowed.includes(source.format)) {
        throw xmlError(`unknown pool format type ${source.format ?? ''}`, STORAGE);
      }
    }
  }
  if (type === 'fs') {
    if (source.devices.length !== 1) throw xmlError('missing storage pool source device name', STORAGE);
    source.format ??= 'auto';
  } else if (type === 'logical') {
    source.name ??= name;
    source.format ??= 'lvm2';
  } else if (source.devices.length || source.name !== null || source.format !== null) {
    throw xmlError(`a dir pool takes no <source> (pool '${name}')`, STORAGE);
  }
  return source;
}

/** Parses pool XML; XML_ERROR naming the problem, CONFIG_UNSUPPORTED for pool types xvirt does not serve. */
export function parseStoragePoolXml(xml: string): StoragePoolDefinition {
  const root = parseXmlRoot(xml, 'pool', 'storage pool XML');
  const type = attr(root, 'type');
  if (type === null || !(POOL_TYPES as readonly string[]).includes(type)) {
    if (type !== null && OTHER_LIBVIRT_TYPES.includes(type)) {
      throw XvirtError.of(
        ErrorNumber.CONFIG_UNSUPPORTED,
        STORAGE,
        `storage pool type '${type}' is not supported by xvirt (dir, fs, logical)`,
      );
    }
    throw xmlError(`Invalid value for attribute 'type' in element 'pool': '${type ?? ''}'.`, STORAGE);
  }
  const name = parseObjectName(root, 'pool', STORAGE);
  checkKnownChildren(root, POOL_ELEMENTS, `pool '${name}'`, STORAGE);
  const uuid = parseUuidChild(root, STORAGE);
  const source = parseSource(root, type as PoolType, name);
  const target = childElement(root, 'target');
  if (target) checkKnownChildren(target, new Set(['path', 'permissions']), '<target> of the pool', STORAGE);
  const path = target ? childText(target, 'path') : null;
  if (!path) throw xmlError('missing storage pool target path', STORAGE);
  return {
    type: type as PoolType,
    name,
    uuid,
    source,
    targetPath: sanitizePath(checkPathText(path, 'storage pool target path', STORAGE)),
    permissions: target ? parsePermissions(target) : null,
  };
}

export interface PoolFigures {
  capacity: bigint;
  allocation: bigint;
  available: bigint;
}

/** Pool XML as libvirt 9.0 formats it, with the driver's capacity figures. */
export function formatStoragePoolXml(def: StoragePoolDefinition, figures: PoolFigures): string {
  const src = def.source;
  const lines = [
    `<pool type='${def.type}'>`,
    `  <name>${escapeText(def.name)}</name>`,
    `  <uuid>${def.uuid}</uuid>`,
    `  <capacity unit='bytes'>${figures.capacity}</capacity>`,
    `  <allocation unit='bytes'>${figures.allocation}</allocation>`,
    `  <available unit='bytes'>${figures.available}</available>`,
    '  <source>',
    ...src.devices.map((d) => `    <device path='${escapeAttr(d)}'/>`),
    ...(src.name !== null ? [`    <name>${escapeText(src.name)}</name>`] : []),
    ...(src.format !== null ? [`    <format type='${src.format}'/>`] : []),
    '  </source>',
    '  <target>',
    `    <path>${escapeText(def.targetPath)}</path>`,
    ...formatPermissions(def.permissions, '    '),
    '  </target>',
    '</pool>',
  ];
  return lines.join('\n') + '\n';
}
