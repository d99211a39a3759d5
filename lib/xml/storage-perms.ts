/** <permissions> of storage pool and volume targets: mode, owner, group, label. */
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain } from '../errors';
import { childElement, childText, escapeText, xmlError } from './dom';
import { checkKnownChildren } from './xml-common';

const STORAGE = ErrorDomain.STORAGE;

export interface StoragePermissions {
  /** Octal mode bits, or null when not given. */
  mode: number | null;
  /** uid/gid; null when not given (libvirt's -1). */
  owner: number | null;
  group: number | null;
  label: string | null;
}

function parseId(text: string | null, what: string): number | null {
  if (text === null || text === '-1') return null;
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > 0xfffffffe) throw xmlError(`malformed ${what} element`, STORAGE);
  return Number(text);
}

export function parsePermissions(target: Element): StoragePermissions | null {
  const el = childElement(target, 'permissions');
  if (!el) return null;
  checkKnownChildren(el, new Set(['mode', 'owner', 'group', 'label']), '<permissions>', STORAGE);
  const modeText = childText(el, 'mode');
  let mode: number | null = null;
  if (modeText !== null) {
    if (!/^[0-7]{1,4}$/.test(modeText)) throw xmlError('malformed octal mode', STORAGE);
    mode = parseInt(modeText, 8);
  }
  const label = childText(el, 'label');
  // eslint-disable-next-line no-control-regex
  if (label !== null && /[\x00-\x1f]/.test(label)) throw xmlError('malformed permissions label', STORAGE);
  return {
    mode,
    owner: parseId(childText(el, 'owner'), 'owner'),
    group: parseId(childText(el, 'group'), 'group'),
    label,
  };
}

/** The <permissions> block as libvirt prints it (only what was given), at `indent`. */
export function formatPermissions(perms: StoragePermissions | null, indent: string): string[] {
  if (!perms) return [];
  const inner: string[] = [];
  if (perms.mode !== null) inner.push(`<mode>${perms.mode.toString(8).padStart(4, '0')}</mode>`);
  if (perms.owner !== null) inner.push(`<owner>${perms.owner}</owner>`);
  if (perms.group !== null) inner.push(`<group>${perms.group}</group>`);
  if (perms.label !== null) inner.push(`<label>${escapeText(perms.label)}</label>`);
  if (inner.length === 0) return [];
  return [`${indent}<permissions>`, ...inner.map((l) => `${indent}  ${l}`), `${indent}</permissions>`];
}
