/**
 * Small helpers over @xmldom/xmldom: strict parsing (any parser complaint is
 * an error, DOCTYPEs are refused so no entity tricks reach us), child-element
 * access, and a libvirt-style serializer (single-quoted attributes, two-space
 * indentation) used to carry unknown elements through unchanged.
 */
import type { Element, Node } from '@xmldom/xmldom';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

type XmlDom = typeof import('@xmldom/xmldom');
/**
 * The parser loads on the first parse, not with this module: it is the
 * costliest thing to load at start-up, and most CLI commands and connections
 * never parse XML (formatting needs none of it).
 */
let xmldom: XmlDom | null = null;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/** Documents larger than this are refused before parsing. */
export const MAX_XML_LENGTH = 16 * 1024 * 1024;

export function xmlError(detail: string, domain: ErrorDomain = ErrorDomain.DOMAIN): XvirtError {
  return XvirtError.of(ErrorNumber.XML_ERROR, domain, detail);
}

/**
 * Parses `text` and returns its root element, which must be named `rootName`.
 * `what` names the document in error messages (e.g. "domain XML", a file path).
 */
export function parseXmlRoot(text: string, rootName: string, what: string): Element {
  if (typeof text !== 'string') throw xmlError(`${what}: expected a string, got ${typeof text}`);
  if (text.length > MAX_XML_LENGTH) throw xmlError(`${what}: document larger than ${MAX_XML_LENGTH} characters`);
  if (/<!DOCTYPE/i.test(text)) throw xmlError(`${what}: DOCTYPE declarations are not allowed`);
  let complaint: string | null = null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  xmldom ??= require('@xmldom/xmldom') as XmlDom;
  const parser = new xmldom.DOMParser({
    onError: (_level: string, message: string) => {
      complaint ??= message;
    },
  });
  let root: Element | null = null;
  try {
    root = parser.parseFromString(text, 'text/xml').documentElement;
  } catch (err) {
    complaint ??= (err as Error).message;
  }
  if (complaint !== null || !root) {
    throw xmlError(`${what}: not well-formed XML: ${String(complaint ?? 'no root element').split('\n')[0]}`);
  }
  if (root.nodeName !== rootName) {
    throw xmlError(`${what}: expecting root element of '${rootName}', not '${root.nodeName}'`);
  }
  return root;
}

/** Direct element children of `el`, in document order. */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  }
  return out;
}

/** The first direct child element named `name`, or null. */
export function childElement(el: Element, name: string): Element | null {
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE && n.nodeName === name) return n as Element;
  }
  return null;
}

/** Text of a child element, trimmed; null when the element is absent. */
export function childText(el: Element, name: string): string | null {
  const child = childElement(el, name);
  return child ? (child.textContent ?? '').trim() : null;
}

/** An attribute's value, or null when absent. */
export function attr(el: Element, name: string): string | null {
  return el.hasAttribute(name) ? el.getAttribute(name) : null;
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a value for a single-quoted attribute. */
export function escapeAttr(text: string): string {
  return escapeText(text)
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function isBlank(n: Node): boolean {
  return n.nodeType === TEXT_NODE && /^\s*$/.test(n.nodeValue ?? '');
}

function openTag(el: Element, extraNs: string): string {
  let s = `<${el.nodeName}${extraNs}`;
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    s += ` ${a.name}='${escapeAttr(a.value)}'`;
  }
  return s;
}

/**
 * Serializes an element the way libvirt formats XML: single-quoted attributes,
 * whitespace-only text dropped and children indented by two spaces per level
 * (elements holding text, or text mixed with elements, are written inline).
 * Comments and processing instructions are dropped, as libvirt does.
 * Namespace prefixes the fragment uses but that are declared on an ancestor
 * get their declarations added, so the fragment stands on its own.
 */
export function serializeElement(el: Element, indent = ''): string {
  const declared = new Set<string>();
  const used = new Map<string, string>();
  collectPrefixes(el, declared, used);
  let extraNs = '';
  for (const [prefix, uri] of used) {
    if (!declared.has(prefix)) extraNs += ` xmlns:${prefix}='${escapeAttr(uri)}'`;
  }
  return serializeWith(el, indent, extraNs);
}

/** Prefixes the subtree uses (with their namespaces) and those it declares itself. */
function collectPrefixes(el: Element, declared: Set<string>, used: Map<string, string>): void {
  if (el.prefix && el.namespaceURI) used.set(el.prefix, el.namespaceURI);
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (a.name.startsWith('xmlns:')) declared.add(a.name.slice(6));
    else if (a.prefix && a.prefix !== 'xml' && a.namespaceURI) used.set(a.prefix, a.namespaceURI);
  }
  for (const child of childElements(el)) collectPrefixes(child, declared, used);
}

function serializeWith(el: Element, indent: string, extraNs: string): string {
  const children: Node[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) children.push(n);
  const content = children.filter(
    (n) => n.nodeType === ELEMENT_NODE || n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE,
  );
  const open = openTag(el, extraNs);
  if (content.every(isBlank)) return `${indent}${open}/>`;
  const hasElements = content.some((n) => n.nodeType === ELEMENT_NODE);
  const hasText = content.some((n) => n.nodeType !== ELEMENT_NODE && !isBlank(n));
  if (!hasElements || hasText) {
    // Text or mixed content: whitespace is significant, write it inline as-is.
    return `${indent}${open}>${content.map((n) => inline(n)).join('')}</${el.nodeName}>`;
  }
  const inner = content
    .filter((n) => n.nodeType === ELEMENT_NODE)
    .map((n) => serializeWith(n as Element, indent + '  ', ''));
  return `${indent}${open}>\n${inner.join('\n')}\n${indent}</${el.nodeName}>`;
}

function inline(n: Node): string {
  if (n.nodeType !== ELEMENT_NODE) return escapeText(n.nodeValue ?? '');
  const el = n as Element;
  const inner: string[] = [];
  for (let c: Node | null = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT_NODE || c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE)
      inner.push(inline(c));
  }
  return inner.length === 0 ? `${openTag(el, '')}/>` : `${openTag(el, '')}>${inner.join('')}</${el.nodeName}>`;
}
