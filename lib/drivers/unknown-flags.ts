/**
 * libvirt's virCheckFlags as its drivers report it: INVALID_ARG with its own
 * text ("unsupported flags (0x4) in function storagePoolBuild"), without the
 * usual "invalid argument:" prefix, in the reporting driver's error domain.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

export function rejectUnknownFlags(domain: ErrorDomain, flags: number, allowed: number, fn: string): void {
  const unknown = (flags & ~allowed) >>> 0;
  if (unknown !== 0) {
    throw new XvirtError(
      ErrorNumber.INVALID_ARG,
      domain,
      `unsupported flags (0x${unknown.toString(16)}) in function ${fn}`,
    );
  }
}
