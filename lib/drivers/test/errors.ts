/** The errors the test driver raises, worded as libvirt words them. */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { rejectUnknownFlags } from '../unknown-flags';

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

/** Rejects flag bits outside `allowed`, as libvirt's virCheckFlags does in the test driver. */
export function checkFlags(flags: number, allowed: number, fn: string): void {
  rejectUnknownFlags(ErrorDomain.TEST, flags, allowed, fn);
}
