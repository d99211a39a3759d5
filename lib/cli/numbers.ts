/** Numeric command arguments, checked and worded the way virsh words them. */
import { usageError } from './args';

const DECIMAL_RE = /^[0-9]+$/;
const SCALED_RE = /^([0-9]+)(?:(bytes?|b)|([kmgtpe])(ib|b)?)?$/i;
const POWERS = 'kmgtpe';

/** An unsigned integer option (`<count>`), at most `max`. */
export function parseUnsigned(text: string, option: string, max = 0xffffffff): number {
  const value = DECIMAL_RE.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value > max) {
    throw usageError(`Numeric value '${text}' for <${option}> option is malformed or out of range`);
  }
  return value;
}

/** A signed 32-bit integer option (virsh's vshCommandOptInt). */
export function parseInt32(text: string, option: string): number {
  const value = /^-?[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw usageError(`Numeric value '${text}' for <${option}> option is malformed or out of range`);
  }
  return value;
}

/**
 * A size with an optional unit suffix, returned in KiB (rounded up), like
 * virsh's setmem: no suffix means KiB; `b`/`bytes`; `k`, `KiB`, `M`, `MiB`...
 * are powers of 1024 and `KB`, `MB`... powers of 1000.
 */
export function parseScaledKiB(text: string, option: string): number {
  const m = SCALED_RE.exec(text);
  const bad = (): Error =>
    usageError(`Scaled numeric value '${text}' for <${option}> option is malformed or out of range`);
  if (!m) throw bad();
  let scale: bigint;
  if (m[2]) scale = 1n;
  else if (m[3])
    scale = (m[4]?.toLowerCase() === 'b' ? 1000n : 1024n) ** BigInt(POWERS.indexOf(m[3].toLowerCase()) + 1);
  else scale = 1024n;
  const bytes = BigInt(m[1]!) * scale;
  const kib = (bytes + 1023n) / 1024n;
  if (kib > BigInt(Number.MAX_SAFE_INTEGER)) throw bad();
  return Number(kib);
}
