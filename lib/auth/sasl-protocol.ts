/**
 * libvirt's optional SASL byte strings ({ nil, data }) to and from Buffers;
 * the wire codecs themselves are lib/rpc/sasl-codecs.ts (re-exported here for
 * the SASL code's callers).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

export {
  AUTH_SASL_INIT,
  AUTH_SASL_START,
  AUTH_SASL_STEP,
  REMOTE_AUTH_SASL_DATA_MAX,
  saslBytes,
} from '../rpc/sasl-codecs';

/** { nil, data } as libvirt sends it for an optional byte string. */
export function toWire(bytes: Buffer | null): { nil: boolean; data: Buffer } {
  return bytes === null ? { nil: true, data: Buffer.alloc(0) } : { nil: false, data: bytes };
}

export function fromWire(msg: { nil: boolean; data: Buffer }): Buffer | null {
  return msg.nil ? null : msg.data;
}

/** The error libvirtd sends for every authentication failure, whatever the reason. */
export function authFailedError(): XvirtError {
  return new XvirtError(ErrorNumber.AUTH_FAILED, ErrorDomain.RPC, 'authentication failed');
}
