/** The errors the test driver raises, worded as libvirt words them. */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

export function noDomain(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.NO_DOMAIN, ErrorDomain.TEST, detail);
}

export function operationInvalid(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, detail);
}

export function operationFailed(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, detail);
}

export function invalidArg(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, detail);
}

/** Rejects flag bits outside `allowed`, as libvirt's virCheckFlags does (INVALID_ARG without the usual prefix). */
export function checkFlags(flags: number, allowed: number, fn: string): void {
  const unknown = flags & ~allowed;
  if (unknown !== 0) {
    // libvirt's virReportInvalidArg: its own text, without the "invalid argument:" prefix.
    throw new XvirtError(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.TEST,
      `unsupported flags (0x${(unknown >>> 0).toString(16)}) in function ${fn}`,
    );
  }
}
