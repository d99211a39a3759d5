/**
 * libvirt storage volume XML: name, capacity/allocation with units, target
 * format and permissions, backing store. A name is one path component
 * (no '/', not '.' or '..'), so it can never reach outside its pool.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { Element } from '@xmldom/xmldom';
import { attr, childElement, childElements, childText, escapeAttr, escapeText, parseXmlRoot, xmlError } from './dom';
import { formatPermissions, parsePermissions, type StoragePermissions } from './storage-perms';
import type { PoolType } from './storage-pool';
import { checkKnownChildren, checkPathText, parseObjectName, parseScaledBytes } from './xml-common';

const STORAGE = ErrorDomain.STORAGE;
/** libvirt's file volume formats (virStorageFileFormat), accepted in dir and fs pools. */
export const FILE_VOLUME_FORMATS = [
  'raw',
  'dir',
  'bochs',
  'cloop',
  'dmg',
  'iso',
  'vpc',
  'vdi',
  'fat',
  'vhd',
  'ploop',
  'cow',
  'qcow',
  'qcow2',
  'qed',
  'vmdk',
];
/** The qcow2 features libvirt knows (virStorageFileFeature), in its order. */
const VOLUME_FEATURES = ['lazy_refcounts', 'extended_l2'];
const VOLUME_ELEMENTS = new Set([
  'name',
  'key',
  'capacity',
  'allocation',
  'physical',
  'source',
  'target',
  'backingStore',
]);

export interface StorageVolDefinition {
  name: string;
  capacity: bigint;
  /** Bytes allocated; the capacity when not given (libvirt's default). */
  allocation: bigint;
  /** Target format; null in pools whose volumes have none (logical). */
  format: string | null;
  permissions: StoragePermissions | null;
  /** qcow2 compatibility level ('0.10', '1.1'); set to '1.1' when features are given without it, as libvirt does. */
  compat: string | null;
  /** qcow2 features, in libvirt's order. */
  features: string[];
  backingStore: { path: string; format: string | null } | null;
}

/** The pool types whose volumes carry a file format. */
function hasFileFormats(poolType: PoolType): boolean {
  return poolType === 'dir' || poolType === 'fs';
}

function parseFormat(el: ReturnType<typeof childElement>, poolType: PoolType, what: string): string | null {
  const format = el ? childElement(el, 'format') : null;
  if (!format) return null;
  const type = attr(format, 'type') ?? '';
  if (!hasFileFormats(poolType) || !FILE_VOLUME_FORMATS.includes(type)) {
    throw XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, STORAGE, `unknown ${what} format type ${type}`);
  }
  return type;
}

function parseCompat(target: Element | null): { compat: string | null; features: string[] } {
  if (!target) return { compat: null, features: [] };
  let compat = childText(target, 'compat');
  if (compat !== null && !/^[0-9]+\.[0-9]+$/.test(compat))
    throw xmlError("forbidden characters in 'compat' attribute", STORAGE);
  const featuresEl = childElement(target, 'features');
  const features: string[] = [];
  for (const f of featuresEl ? childElements(featuresEl) : []) {
    if (!VOLUME_FEATURES.includes(f.nodeName)) {
      throw XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, STORAGE, `unsupported feature ${f.nodeName}`);
    }
    if (!features.includes(f.nodeName)) features.push(f.nodeName);
  }
  if (featuresEl) compat ??= '1.1';
  return { compat, features: VOLUME_FEATURES.filter((f) => features.includes(f)) };
}

/** Refuses volume names that are not one plain path component. */
export function checkVolumeName(name: string): string {
  if (name.includes('/')) throw xmlError(`volume name '${name}' cannot contain '/'`, STORAGE);
  if (name === '.' || name === '..') throw xmlError(`volume name '${name}' is not allowed`, STORAGE);
  return name;
}

/** Parses volume XML for a pool of `poolType`; XML_ERROR naming the problem. */
export function parseStorageVolXml(xml: string, poolType: PoolType): StorageVolDefinition {
  const root = parseXmlRoot(xml, 'volume', 'storage volume XML');
  if (!childText(root, 'name')) throw xmlError('missing volume name element', STORAGE);
  const name = checkVolumeName(parseObjectName(root, 'volume', STORAGE));
  checkKnownChildren(root, VOLUME_ELEMENTS, `volume '${name}'`, STORAGE);
  const capacity = parseScaledBytes(root, 'capacity', STORAGE);
  if (capacity === null) throw xmlError('missing capacity element', STORAGE);
  const allocation = parseScaledBytes(root, 'allocation', STORAGE) ?? capacity;
  const target = childElement(root, 'target');
  if (target)
    checkKnownChildren(
      target,
      new Set(['path', 'format', 'permissions', 'compat', 'features']),
      '<target> of the volume',
      STORAGE,
    );
  const backing = childElement(root, 'backingStore');
  let backingStore: StorageVolDefinition['backingStore'] = null;
  if (backing) {
    checkKnownChildren(backing, new Set(['path', 'format', 'permissions']), '<backingStore> of the volume', STORAGE);
    const path = childText(backing, 'path');
    if (!path) throw xmlError('missing volume backing store path', STORAGE);
    backingStore = {
      path: checkPathText(path, 'backing store path', STORAGE),
      format: parseFormat(backing, poolType, 'backing store'),
    };
  }
  return {
    name,
    capacity,
    allocation,
    format: parseFormat(target, poolType, 'volume') ?? (hasFileFormats(poolType) ? 'raw' : null),
    permissions: target ? parsePermissions(target) : null,
    ...parseCompat(target),
    backingStore,
  };
}

/** Where the driver put a volume: its key and path. */
export interface VolumePlacement {
  key: string;
  path: string;
}

/** Volume XML as libvirt 9.0's test driver formats it. */
export function formatStorageVolXml(def: StorageVolDefinition, at: VolumePlacement): string {
  const lines = [
    "<volume type='file'>",
    `  <name>${escapeText(def.name)}</name>`,
    `  <key>${escapeText(at.key)}</key>`,
    `  <capacity unit='bytes'>${def.capacity}</capacity>`,
    `  <allocation unit='bytes'>${def.allocation}</allocation>`,
    '  <target>',
    `    <path>${escapeText(at.path)}</path>`,
    ...(def.format !== null ? [`    <format type='${def.format}'/>`] : []),
    ...formatPermissions(def.permissions, '    '),
    ...(def.compat !== null ? [`    <compat>${def.compat}</compat>`] : []),
    ...(def.features.length ? ['    <features>', ...def.features.map((f) => `      <${f}/>`), '    </features>'] : []),
    '  </target>',
  ];
  if (def.backingStore) {
    lines.push('  <backingStore>', `    <path>${escapeText(def.backingStore.path)}</path>`);
    if (def.backingStore.format !== null) lines.push(`    <format type='${escapeAttr(def.backingStore.format)}'/>`);
    lines.push('  </backingStore>');
  }
  lines.push('</volume>');
  return lines.join('\n') + '\n';
}
