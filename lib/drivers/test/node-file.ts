/**
 * Reads a node file in the format of libvirt's test driver (test:///PATH.xml):
 *
 *   <node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
 *     <cpu><mhz/><model/><nodes/><sockets/><cores/><threads/><active/></cpu>
 *     <memory>KiB</memory>
 *     <domain type='test'>... <test:runstate>3</test:runstate></domain>
 *     <domain file='guest.xml'/>            (relative to the node file)
 *   </node>
 *
 * Supported subset: node CPU and memory, domains inline or by file with the
 * test:runstate and test:transient extensions, plus xvirt's own
 * test:autostart (marks a persistent domain autostart, for trying xvirtd's
 * autostart). Networks, pools (with volumes), interfaces and devices:
 * see netstore-node-file.ts. Authentication (<auth>) is refused.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { DomainState } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../../errors';
import type { NodeInfo } from '../../types';
import { attr, childElement, childElements, childText, MAX_XML_LENGTH, parseXmlRoot } from '../../xml/dom';
import { parseDomainElement, type DomainDefinition } from '../../xml';
import { DEFAULT_NODE_INFO } from './defaults';
import { loadNetStore } from './netstore-node-file';
import type { NetStoreState } from './netstore-state';

export const TEST_NAMESPACE = 'http://libvirt.org/schemas/domain/test/1.0';

export interface NodeFileDomain {
  def: DomainDefinition;
  /** State to start in: SHUTOFF leaves it defined but not running. */
  runstate: DomainState;
  transient: boolean;
  autostart: boolean;
}

export interface NodeFile {
  nodeInfo: NodeInfo;
  domains: NodeFileDomain[];
  netstore: NetStoreState;
}

function fileError(file: string, detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.XML_ERROR, ErrorDomain.TEST, `test driver file '${file}': ${detail}`);
}

/** Re-raises an error from a nested parser with the file (and domain) it came from. */
function inFile(file: string, where: string, err: unknown): XvirtError {
  if (!isXvirtError(err)) return fileError(file, `${where}${String(err)}`);
  const detail = err.message.replace(/^XML error: /, '');
  return XvirtError.of(err.number, ErrorDomain.TEST, `test driver file '${file}': ${where}${detail}`, { cause: err });
}

/** Reads `file`; `what` says what it is in the error ("test driver file '...'" or "... domain file '...'"). */
async function readXmlFile(file: string, what = `test driver file '${file}'`): Promise<string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_XML_LENGTH) throw new Error(`larger than ${MAX_XML_LENGTH} bytes`);
    return await readFile(file, 'utf8');
  } catch (err) {
    throw XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.TEST, `cannot read ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function readCount(cpu: Element, name: string, min: number, file: string): number | null {
  const text = childText(cpu, name);
  if (text === null) return null;
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > 0xffffffff) {
    throw fileError(file, `invalid <cpu><${name}> value '${text}' (expected an integer from ${min} to ${0xffffffff})`);
  }
  return Number(text);
}

function parseNodeInfo(root: Element, file: string): NodeInfo {
  const info: NodeInfo = { ...DEFAULT_NODE_INFO };
  const cpu = childElement(root, 'cpu');
  if (cpu) {
    info.nodes = readCount(cpu, 'nodes', 1, file) ?? info.nodes;
    info.sockets = readCount(cpu, 'sockets', 1, file) ?? info.sockets;
    info.cores = readCount(cpu, 'cores', 1, file) ?? info.cores;
    info.threads = readCount(cpu, 'threads', 1, file) ?? info.threads;
    info.cpus = info.nodes * info.sockets * info.cores * info.threads;
    const active = readCount(cpu, 'active', 1, file);
    if (active !== null && active < info.cpus) info.cpus = active;
    info.mhz = readCount(cpu, 'mhz', 0, file) ?? info.mhz;
    const model = childText(cpu, 'model');
    if (model !== null) {
      if (model.length === 0 || model.length > 31)
        throw fileError(file, `<cpu><model> must be 1 to 31 characters, got '${model}'`);
      info.model = model;
    }
  }
  const memory = childText(root, 'memory');
  if (memory !== null) {
    if (!/^[0-9]+$/.test(memory) || Number(memory) < 1 || !Number.isSafeInteger(Number(memory))) {
      throw fileError(file, `invalid <memory> value '${memory}' (expected a positive integer, in KiB)`);
    }
    info.memoryKiB = Number(memory);
  }
  return info;
}

/** Takes the test-namespace elements out of a <domain> (they are not part of its definition). */
function takeTestExtensions(dom: Element, file: string, where: string): Omit<NodeFileDomain, 'def'> {
  let runstate = DomainState.RUNNING;
  let transient = false;
  let autostart = false;
  for (const el of childElements(dom)) {
    if (el.namespaceURI !== TEST_NAMESPACE) continue;
    if (el.localName === 'runstate') {
      const text = (el.textContent ?? '').trim();
      if (!/^[0-7]$/.test(text))
        throw fileError(file, `${where}invalid <test:runstate> '${text}' (expected a domain state 0-7)`);
      runstate = Number(text);
    } else if (el.localName === 'transient') {
      transient = true;
    } else if (el.localName === 'autostart') {
      autostart = true;
    } else {
      throw fileError(file, `${where}<test:${el.localName}> is not supported by xvirt's test driver`);
    }
    dom.removeChild(el);
  }
  if (transient && runstate === DomainState.SHUTOFF) {
    throw fileError(file, `${where}a transient domain cannot have runstate 'shutoff' (5)`);
  }
  if (transient && autostart) throw fileError(file, `${where}a transient domain cannot be autostart`);
  return { runstate, transient, autostart };
}

async function loadDomain(node: Element, index: number, file: string): Promise<NodeFileDomain> {
  let where = `domain #${index + 1}: `;
  let dom = node;
  const ref = attr(node, 'file');
  if (ref !== null) {
    const domFile = path.resolve(path.dirname(file), ref);
    where = `domain file '${domFile}': `;
    const text = await readXmlFile(domFile, `domain file '${domFile}' of test driver file '${file}'`);
    try {
      dom = parseXmlRoot(text, 'domain', domFile);
    } catch (err) {
      throw inFile(file, '', err);
    }
  }
  const ext = takeTestExtensions(dom, file, where);
  try {
    return { def: parseDomainElement(dom), ...ext };
  } catch (err) {
    throw inFile(file, where, err);
  }
}

/** Loads and validates a node file; throws XvirtError naming the file and the problem. */
export async function loadNodeFile(file: string): Promise<NodeFile> {
  const text = await readXmlFile(file);
  let root: Element;
  try {
    root = parseXmlRoot(text, 'node', 'document');
  } catch (err) {
    throw inFile(file, '', err);
  }
  if (childElement(root, 'auth')) {
    throw XvirtError.of(
      ErrorNumber.CONFIG_UNSUPPORTED,
      ErrorDomain.TEST,
      `test driver file '${file}': <auth> (authenticated test connections) is not supported by xvirt`,
    );
  }
  const nodeInfo = parseNodeInfo(root, file);
  const elements = childElements(root).filter((el) => el.nodeName === 'domain');
  const domains: NodeFileDomain[] = [];
  for (const [i, el] of elements.entries()) domains.push(await loadDomain(el, i, file));
  const seenNames = new Set<string>();
  const seenUuids = new Set<string>();
  for (const { def } of domains) {
    if (seenNames.has(def.name)) throw fileError(file, `domain name '${def.name}' is used twice`);
    if (seenUuids.has(def.uuid)) throw fileError(file, `domain uuid ${def.uuid} is used twice`);
    seenNames.add(def.name);
    seenUuids.add(def.uuid);
  }
  return { nodeInfo, domains, netstore: await loadNetStore(root, file) };
}
