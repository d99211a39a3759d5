/**
 * libvirt's scaled integers (`<memory unit='MiB'>64</memory>`): a unit of one
 * letter or 'XiB' is a power of 1024, 'XB' a power of 1000, 'b'/'bytes' is
 * bytes; case does not matter. Memory is kept in KiB, rounded up as libvirt does.
 */
import { xmlError } from './dom';

const POWERS: Record<string, bigint> = { k: 1n, m: 2n, g: 3n, t: 4n, p: 5n, e: 6n };
const MAX_BYTES = (1n << 64n) - 1n;

/** Bytes per unit, or null if `unit` is not one libvirt accepts. */
export function unitScale(unit: string): bigint | null {
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1n;
  const power = POWERS[u[0] ?? ''];
  if (power === undefined) return null;
  const rest = u.slice(1);
  if (rest === '' || rest === 'ib') return 1024n ** power;
  if (rest === 'b') return 1000n ** power;
  return null;
}

/**
 * Converts `value` given in `unit` (default KiB) to KiB, rounding up.
 * `what` names the element in errors, e.g. '<memory>'.
 */
export function parseMemoryKiB(value: string, unit: string | null, what: string): number {
  const text = value.trim();
  if (!/^[0-9]+$/.test(text)) throw xmlError(`invalid ${what} value '${value}': expected a non-negative integer`);
  const scale = unit === null || unit === '' ? 1024n : unitScale(unit);
  if (scale === null)
    throw xmlError(`unknown unit '${unit}' in ${what} (use b, KiB, MiB, GiB, TiB, KB, MB, GB, k, M, G, ...)`);
  const bytes = BigInt(text) * scale;
  if (bytes > MAX_BYTES) throw xmlError(`${what} value ${text} ${unit ?? 'KiB'} is too large`);
  const kib = (bytes + 1023n) / 1024n;
  if (kib > BigInt(Number.MAX_SAFE_INTEGER)) throw xmlError(`${what} value ${text} ${unit ?? 'KiB'} is too large`);
  return Number(kib);
}
