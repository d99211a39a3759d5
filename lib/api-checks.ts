/**
 * Argument checks shared by the public API (Connection, Domain and the
 * monitoring calls), worded as libvirt's virCheck*Arg macros word them.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';
import type { Driver } from './types';

export function invalidArg(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, detail);
}

export function checkUnsigned(value: unknown, what: string, max = 0xffffffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw invalidArg(`${what} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** An options object: undefined (use the defaults) or a plain object. */
export function checkOptions(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw invalidArg(`${what} must be an object, got ${value === null ? 'null' : typeof value}`);
  }
}

/** An optional AbortSignal (anything with `aborted` and `addEventListener`, as other realms' signals too). */
export function checkSignal(value: unknown, what: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<AbortSignal> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.aborted !== 'boolean' ||
    typeof s.addEventListener !== 'function'
  ) {
    throw invalidArg(`${what} must be an AbortSignal, got ${s === null ? 'null' : typeof s}`);
  }
  return value as AbortSignal;
}

export function checkListener(value: unknown, what: string): void {
  if (typeof value !== 'function')
    throw invalidArg(`${what} must be a function, got ${value === null ? 'null' : typeof value}`);
}

/** What an aborted signal makes of the call: libvirt's OPERATION_ABORTED, the reason as its cause. */
export function abortedError(signal: AbortSignal, what: string): XvirtError {
  const reason: unknown = signal.reason;
  // A reason is whatever the caller aborted with: String() is what it says of itself.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return XvirtError.of(ErrorNumber.OPERATION_ABORTED, ErrorDomain.NONE, `${what}: ${why}`, { cause: reason });
}

export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArg(`${what} must be a non-empty string`);
  return value;
}

/** A string (libvirt's virCheckNonNullArg: empty is the driver's to judge). */
export function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalidArg(`${what} must be a string, got ${typeof value}`);
  return value;
}

/** An int (C int range), e.g. a CPU or cell number where -1 means "all". */
export function checkInt(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw invalidArg(`${what} must be an integer from ${min} to ${0x7fffffff}, got ${String(value)}`);
  }
  return value;
}

/**
 * INVALID_ARG worded exactly as libvirt's virReportInvalidArg (no "invalid
 * argument:" prefix), raised by libvirt's public API in `domain`.
 */
export function apiArgError(message: string, domain = ErrorDomain.DOMAIN): XvirtError {
  return new XvirtError(ErrorNumber.INVALID_ARG, domain, message);
}

/** libvirt's VIR_EXCLUSIVE_FLAGS: `a` and `b` together are refused. */
export function checkExclusive(flags: number, a: number, b: number, aName: string, bName: string): void {
  if ((flags & a) !== 0 && (flags & b) !== 0) {
    throw apiArgError(`Flags '${aName}' and '${bName}' are mutually exclusive`);
  }
}

type OptionalMethods = { [K in keyof Driver]-?: undefined extends Driver[K] ? K : never }[keyof Driver];

/**
 * The driver's implementation of an optional call, bound to it, or
 * NO_SUPPORT naming libvirt's API (as libvirt's virReportUnsupportedError,
 * in the DOMAIN error domain for host calls too, as libvirtd 9.0 reports them).
 */
export function need<K extends OptionalMethods>(
  driver: Driver,
  method: K,
  api: string,
  domain = ErrorDomain.DOMAIN,
): NonNullable<Driver[K]> {
  const fn = driver[method] as unknown as ((...args: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') throw XvirtError.of(ErrorNumber.NO_SUPPORT, domain, api);
  return fn.bind(driver) as NonNullable<Driver[K]>;
}
