/**
 * libvirt network XML (the subset management tools write and read): name,
 * uuid, forward mode, bridge, MAC, IP addresses with DHCP ranges and hosts.
 * Parsed strictly (an element we would not keep is refused) and formatted
 * as libvirt 9.0's virNetworkDefFormat lays it out.
 */
import type { Element } from '@xmldom/xmldom';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { attr, childElement, childElements, escapeAttr, escapeText, parseXmlRoot, xmlError } from './dom';
import { defaultPrefix, familyBits, inNetwork, ipFamily, ipToBigInt, netmaskPrefix, type IpFamily } from './ip-address';
import { checkKnownChildren, parseUuidChild } from './xml-common';

const NET = ErrorDomain.NETWORK;
export const FORWARD_MODES = ['nat', 'route', 'bridge', 'open', 'none'] as const;
export type ForwardMode = (typeof FORWARD_MODES)[number];
const NETWORK_ELEMENTS = new Set(['name', 'uuid', 'forward', 'bridge', 'mac', 'ip']);
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
/** libvirt refuses DHCP ranges of more than 65535 addresses. */
const MAX_RANGE_SIZE = 65535n;
/** Linux's IFNAMSIZ - 1. */
const MAX_IFNAME = 15;

export interface DhcpRange {
  start: string;
  end: string;
}
export interface DhcpHost {
  mac: string | null;
  name: string | null;
  ip: string | null;
}

export interface NetworkIp {
  /** As written (libvirt prints `family` only when given). */
  family: IpFamily | null;
  address: string;
  netmask: string | null;
  prefix: number | null;
  ranges: DhcpRange[];
  hosts: DhcpHost[];
  /** Whether a <dhcp> element was given (even empty). */
  dhcp: boolean;
}

export interface NetworkDefinition {
  name: string;
  uuid: string;
  forward: ForwardMode;
  /** <forward dev='...'>: the host interface traffic leaves by. */
  forwardDev: string | null;
  bridge: string | null;
  stp: boolean;
  /** Bridge forward delay in seconds. */
  delay: number;
  mac: string | null;
  ips: NetworkIp[];
}

function detail(message: string): XvirtError {
  return new XvirtError(ErrorNumber.XML_DETAIL, NET, message);
}

function parseName(root: Element): string {
  const name = (childElement(root, 'name')?.textContent ?? '').trim();
  if (!name) throw new XvirtError(ErrorNumber.NO_NAME, NET, 'missing name information');
  if (name.includes('/')) throw detail('invalid char in name: /');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name) || name.length > 1024)
    throw xmlError(`invalid network name ${JSON.stringify(name)}`, NET);
  return name;
}

function checkIfname(value: string, what: string, network: string): string {
  // eslint-disable-next-line no-control-regex
  if (value === '' || value.length > MAX_IFNAME || /[\s/\x00-\x1f]/.test(value) || value === '.' || value === '..') {
    throw xmlError(`invalid ${what} '${value}' in network '${network}'`, NET);
  }
  return value;
}

function parseForward(root: Element, name: string): { forward: ForwardMode; forwardDev: string | null } {
  const el = childElement(root, 'forward');
  if (!el) return { forward: 'none', forwardDev: null };
  checkKnownChildren(el, new Set(['interface']), `<forward> of network '${name}'`, NET);
  const mode = attr(el, 'mode') ?? 'nat';
  if (!(FORWARD_MODES as readonly string[]).includes(mode)) {
    throw XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, NET, `unknown forwarding type '${mode}'`);
  }
  let dev = attr(el, 'dev');
  const ifaces = childElements(el).map((i) => attr(i, 'dev'));
  if (ifaces.length > 1)
    throw xmlError(`only one <forward><interface> is supported by xvirt in network '${name}'`, NET);
  if (ifaces.length === 1) {
    if (ifaces[0] === null)
      throw xmlError(`Missing required dev attribute in <forward> <interface> element of network ${name}`, NET);
    if (dev !== null && dev !== ifaces[0]) {
      throw xmlError(
        `forward dev '${dev}' must match first interface element dev '${ifaces[0]}' in network '${name}'`,
        NET,
      );
    }
    dev = ifaces[0];
  }
  return { forward: mode as ForwardMode, forwardDev: dev === null ? null : checkIfname(dev, 'forward dev', name) };
}

function parseBridge(root: Element, name: string): { bridge: string | null; stp: boolean; delay: number } {
  const el = childElement(root, 'bridge');
  if (!el) return { bridge: null, stp: true, delay: 0 };
  const bridgeName = attr(el, 'name');
  const stp = attr(el, 'stp') ?? 'on';
  if (stp !== 'on' && stp !== 'off') throw xmlError(`Invalid stp setting '${stp}' in network '${name}'`, NET);
  const delayText = attr(el, 'delay') ?? '0';
  if (!/^[0-9]{1,9}$/.test(delayText)) throw xmlError(`Invalid delay value '${delayText}' in network '${name}'`, NET);
  return {
    bridge: bridgeName === null ? null : checkIfname(bridgeName, 'bridge name', name),
    stp: stp === 'on',
    delay: Number(delayText),
  };
}

function parseMac(root: Element, name: string): string | null {
  const el = childElement(root, 'mac');
  if (!el) return null;
  const mac = attr(el, 'address') ?? '';
  if (!MAC_RE.test(mac)) throw xmlError(`Invalid bridge mac address '${mac}' in network '${name}'`, NET);
  if (parseInt(mac.slice(0, 2), 16) & 1)
    throw xmlError(`Invalid multicast bridge mac address '${mac}' in network '${name}'`, NET);
  return mac.toLowerCase();
}

function parseAddress(value: string | null, family: IpFamily, what: string, name: string): string {
  if (value === null || ipFamily(value) !== family)
    throw xmlError(`Invalid ${what} '${value ?? ''}' in network '${name}'`, NET);
  return value;
}

function parseDhcp(el: Element, ip: NetworkIp, prefix: number, family: IpFamily, name: string): void {
  checkKnownChildren(el, new Set(['range', 'host']), `<dhcp> of network '${name}'`, NET);
  for (const child of childElements(el)) {
    if (child.nodeName === 'range') {
      const start = parseAddress(attr(child, 'start'), family, 'dhcp range start address', name);
      const end = parseAddress(attr(child, 'end'), family, 'dhcp range end address', name);
      if (!inNetwork(start, ip.address, prefix, family) || !inNetwork(end, ip.address, prefix, family)) {
        throw XvirtError.of(
          ErrorNumber.INTERNAL_ERROR,
          NET,
          `range ${start} - ${end} is not entirely within network ${ip.address}/${prefix}`,
        );
      }
      const size = ipToBigInt(end) - ipToBigInt(start);
      if (size < 0n) throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, NET, `range ${start} - ${end} is reversed`);
      if (size >= MAX_RANGE_SIZE) {
        throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, NET, `range ${start} - ${end} is too large (> 65535)`);
      }
      ip.ranges.push({ start, end });
    } else {
      const mac = attr(child, 'mac');
      if (mac !== null && !MAC_RE.test(mac))
        throw xmlError(`Cannot parse MAC address '${mac}' in network '${name}'`, NET);
      const host = attr(child, 'name');
      if (host !== null && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(host)) {
        throw xmlError(`Cannot use host name '${host}' in network '${name}'`, NET);
      }
      const hostIp = attr(child, 'ip');
      if (hostIp !== null) {
        parseAddress(hostIp, family, 'dhcp host address', name);
        if (!inNetwork(hostIp, ip.address, prefix, family)) {
          throw XvirtError.of(
            ErrorNumber.INTERNAL_ERROR,
            NET,
            `host address ${hostIp} is not within network ${ip.address}/${prefix}`,
          );
        }
      }
      if (mac === null && host === null) {
        throw xmlError(`Static host definition in network '${name}' must have mac or name attribute`, NET);
      }
      if (hostIp === null) throw xmlError(`Missing IP address in static host definition for network '${name}'`, NET);
      ip.hosts.push({ mac: mac === null ? null : mac.toLowerCase(), name: host, ip: hostIp });
    }
  }
}

function parseIp(el: Element, name: string): NetworkIp {
  checkKnownChildren(el, new Set(['dhcp']), `<ip> of network '${name}'`, NET);
  const familyAttr = attr(el, 'family');
  if (familyAttr !== null && familyAttr !== 'ipv4' && familyAttr !== 'ipv6') {
    throw xmlError(`Unrecognized family '${familyAttr}' in network '${name}'`, NET);
  }
  const addressText = attr(el, 'address');
  const family = addressText === null ? null : ipFamily(addressText);
  if (addressText === null || family === null || (familyAttr !== null && familyAttr !== family)) {
    throw xmlError(`Invalid address '${addressText ?? ''}' in network '${name}'`, NET);
  }
  const netmask = attr(el, 'netmask');
  const prefixText = attr(el, 'prefix');
  if (netmask !== null && prefixText !== null) {
    throw xmlError(`Network '${name}' IP address cannot have both a prefix and a netmask`, NET);
  }
  let prefix: number | null = null;
  if (prefixText !== null) {
    prefix = /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (prefix < 0 || prefix > familyBits(family))
      throw xmlError(`Invalid ip address prefix value '${prefixText}' in network '${name}'`, NET);
  }
  if (netmask !== null && (family !== 'ipv4' || netmaskPrefix(netmask) === null)) {
    throw xmlError(`Invalid netmask '${netmask}' in network '${name}'`, NET);
  }
  const ip: NetworkIp = {
    family: familyAttr as IpFamily | null,
    address: addressText,
    netmask,
    prefix,
    ranges: [],
    hosts: [],
    dhcp: false,
  };
  const dhcp = childElement(el, 'dhcp');
  if (dhcp) {
    ip.dhcp = true;
    parseDhcp(
      dhcp,
      ip,
      prefix ?? (netmask !== null ? netmaskPrefix(netmask)! : defaultPrefix(addressText)),
      family,
      name,
    );
  }
  return ip;
}

/** Parses network XML; XML_ERROR (or libvirt's number for the case) naming the problem. */
export function parseNetworkXml(xml: string): NetworkDefinition {
  const root = parseXmlRoot(xml, 'network', 'network XML');
  const name = parseName(root);
  checkKnownChildren(root, NETWORK_ELEMENTS, `network '${name}'`, NET);
  const def: NetworkDefinition = {
    name,
    uuid: parseUuidChild(root, NET),
    ...parseForward(root, name),
    ...parseBridge(root, name),
    mac: parseMac(root, name),
    ips: childElements(root)
      .filter((c) => c.nodeName === 'ip')
      .map((el) => parseIp(el, name)),
  };
  if (def.forward === 'open' && def.ips.length === 0) {
    throw xmlError(`open forwarding requested, but no IP address provided for network '${name}'`, NET);
  }
  if (def.forward === 'bridge' && def.ips.length > 0) {
    throw xmlError(`Unsupported <ip> element in network ${name} with forward mode='bridge'`, NET);
  }
  if (def.forward === 'bridge' && def.bridge !== null && def.forwardDev !== null) {
    throw xmlError(
      `A network with forward mode='bridge' can specify a bridge name or a forward dev, but not both (network '${name}')`,
      NET,
    );
  }
  return def;
}

function formatIp(ip: NetworkIp): string[] {
  let open = '  <ip';
  if (ip.family !== null) open += ` family='${ip.family}'`;
  open += ` address='${ip.address}'`;
  if (ip.netmask !== null) open += ` netmask='${ip.netmask}'`;
  if (ip.prefix !== null) open += ` prefix='${ip.prefix}'`;
  const dhcp = [
    ...ip.ranges.map((r) => `      <range start='${r.start}' end='${r.end}'/>`),
    ...ip.hosts.map(
      (h) =>
        '      <host' +
        (h.mac !== null ? ` mac='${h.mac}'` : '') +
        (h.name !== null ? ` name='${escapeAttr(h.name)}'` : '') +
        (h.ip !== null ? ` ip='${h.ip}'` : '') +
        '/>',
    ),
  ];
  // libvirt always writes <ip> open and closed, and <dhcp> only with content.
  const body = dhcp.length === 0 ? [] : ['    <dhcp>', ...dhcp, '    </dhcp>'];
  return [`${open}>`, ...body, '  </ip>'];
}

/** Network XML as libvirt 9.0 formats it (trailing newline included). */
export function formatNetworkXml(def: NetworkDefinition): string {
  const lines = ['<network>', `  <name>${escapeText(def.name)}</name>`, `  <uuid>${def.uuid}</uuid>`];
  if (def.forward !== 'none') {
    const dev = def.forwardDev === null ? '' : ` dev='${def.forwardDev}'`;
    if (def.forwardDev !== null) {
      lines.push(`  <forward${dev} mode='${def.forward}'>`, `    <interface dev='${def.forwardDev}'/>`, '  </forward>');
    } else {
      lines.push(`  <forward${dev} mode='${def.forward}'/>`);
    }
  }
  const routed = def.forward !== 'bridge';
  if (routed || def.bridge !== null) {
    let bridge = '  <bridge';
    if (def.bridge !== null) bridge += ` name='${def.bridge}'`;
    if (routed) bridge += ` stp='${def.stp ? 'on' : 'off'}' delay='${def.delay}'`;
    lines.push(`${bridge}/>`);
  }
  if (def.mac !== null) lines.push(`  <mac address='${def.mac}'/>`);
  for (const ip of def.ips) lines.push(...formatIp(ip));
  lines.push('</network>');
  return lines.join('\n') + '\n';
}
