/**
 * IPv4/IPv6 address arithmetic for network XML checks: addresses as
 * bigints, prefixes from netmasks, "is this range inside that network".
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export function ipFamily(address: string): IpFamily | null {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address) && !address.includes('%')) return 'ipv6';
  return null;
}

/** The address as an unsigned integer (32 or 128 bits). Callers pass a valid address. */
export function ipToBigInt(address: string): bigint {
  if (isIPv4(address)) return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  let text = address;
  let tail: bigint[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]!);
    tail = [n >> 16n, n & 0xffffn];
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const left = head === '' ? [] : head.split(':');
  const right = rest === null || rest === '' ? [] : rest.split(':');
  const zeros = rest === null ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].map((g) => BigInt(parseInt(g, 16)));
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function familyBits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

/** The prefix length a netmask stands for, or null if its one-bits are not contiguous. */
export function netmaskPrefix(netmask: string): number | null {
  if (!isIPv4(netmask)) return null;
  const n = ipToBigInt(netmask);
  const ones = n.toString(2).replace(/^0+/, '');
  if (n !== 0n && (ones.length !== 32 || /01/.test(ones))) return null;
  const prefix = n === 0n ? 0 : ones.indexOf('0') === -1 ? 32 : ones.indexOf('0');
  return prefix;
}

/** libvirt's default when neither prefix nor netmask is given: the classful prefix (IPv4) or 64 (IPv6). */
export function defaultPrefix(address: string): number {
  if (!isIPv4(address)) return 64;
  const first = Number(address.split('.')[0]);
  if (first < 128) return 8;
  if (first < 192) return 16;
  return 24;
}

/** Whether `address` lies in the network `base`/`prefix`. */
export function inNetwork(address: string, base: string, prefix: number, family: IpFamily): boolean {
  const bits = BigInt(familyBits(family));
  const shift = bits - BigInt(prefix);
  return ipToBigInt(address) >> shift === ipToBigInt(base) >> shift;
}
