/**
 * libvirt's remote protocol: programs, message header, limits, the error
 * body and the shared wire types. Numbers are libvirt's wire ABI
 * (virnetprotocol.x, virkeepaliveprotocol.x, remote_protocol.x) and never
 * change; see docs/protocol.md. The per-procedure table is in procedures.ts.
 */
import { ErrorDomain, ErrorLevel, ErrorNumber, XvirtError } from '../errors';
import type { DomainRef } from '../types';
import { uuidFromBytes, uuidToBytes } from '../uuid';
import { int, mapped, opaqueFixed, optional, string, struct, xdrError, type Codec, type CodecType } from './xdr';

export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROGRAM = 0x6b656570; // "keep"
export const KEEPALIVE_PROTOCOL_VERSION = 1;

export enum KeepaliveProcedure {
  PING = 1,
  PONG = 2,
}

/** virNetMessageType */
export enum MessageType {
  CALL = 0,
  REPLY = 1,
  /** Asynchronous: events, keepalive. */
  MESSAGE = 2,
  STREAM = 3,
  CALL_WITH_FDS = 4,
  REPLY_WITH_FDS = 5,
  STREAM_HOLE = 6,
}

/** virNetMessageStatus */
export enum MessageStatus {
  OK = 0,
  ERROR = 1,
  CONTINUE = 2,
}

/** Bytes of the length word that starts every message (it counts itself). */
export const LENGTH_WORD_SIZE = 4;
/** prog, vers, proc, type, serial, status: 6 × 4 bytes. */
export const HEADER_SIZE = 24;
/** VIR_NET_MESSAGE_MAX: largest message, not counting the length word. */
export const MESSAGE_MAX = 33554432;
/** Largest value the length word may hold. */
export const MAX_FRAME_LENGTH = LENGTH_WORD_SIZE + MESSAGE_MAX;
/** Smallest: a header-only message. */
export const MIN_FRAME_LENGTH = LENGTH_WORD_SIZE + HEADER_SIZE;
/** REMOTE_STRING_MAX / VIR_NET_MESSAGE_STRING_MAX */
export const REMOTE_STRING_MAX = 4194304;
export const REMOTE_DOMAIN_LIST_MAX = 16384;
export const REMOTE_DOMAIN_ID_LIST_MAX = 16384;
export const REMOTE_DOMAIN_NAME_LIST_MAX = 16384;
export const REMOTE_AUTH_TYPE_LIST_MAX = 20;
export const REMOTE_SECURITY_MODEL_MAX = 257;
export const REMOTE_SECURITY_LABEL_MAX = 4097;
export const REMOTE_DOMAIN_MESSAGES_MAX = 2048;
export const REMOTE_NODE_MODEL_SIZE = 32;

/** Serial libvirtd puts on event messages (clients must ignore it). */
export const EVENT_SERIAL = 1;
/** Serial of keepalive messages. */
export const KEEPALIVE_SERIAL = 0;

/** remote_auth_type */
export enum AuthType {
  NONE = 0,
  SASL = 1,
  POLKIT = 2,
}

/** virDrvFeature numbers a remote peer asks about with CONNECT_SUPPORTS_FEATURE. */
export enum DrvFeature {
  MIGRATION_V1 = 1,
  REMOTE = 2,
  MIGRATION_V2 = 3,
  MIGRATION_P2P = 4,
  MIGRATION_DIRECT = 5,
  MIGRATION_V3 = 6,
  MIGRATE_CHANGE_PROTECTION = 7,
  FD_PASSING = 8,
  TYPED_PARAM_STRING = 9,
  PROGRAM_KEEPALIVE = 10,
  XML_MIGRATABLE = 11,
  MIGRATION_OFFLINE = 12,
  MIGRATION_PARAMS = 13,
  REMOTE_EVENT_CALLBACK = 14,
  REMOTE_CLOSE_CALLBACK = 15,
}

/** Bits of CONNECT_OPEN's flags (the client's REMOTE_DRIVER_OPEN_*): servers honour RO only. */
export enum RemoteOpenFlags {
  RO = 1,
  USER = 2,
  AUTOSTART = 4,
}

export interface MessageHeader {
  program: number;
  version: number;
  procedure: number;
  type: MessageType;
  serial: number;
  status: MessageStatus;
}

// ---- shared wire types --------------------------------------------------------

/** remote_nonnull_string */
export const nonnullString = string(REMOTE_STRING_MAX);
/** remote_string: may be null (absent), which differs from ''. */
export const remoteString = optional(nonnullString);
/** remote_uuid as canonical text. */
export const remoteUuid: Codec<string> = {
  ...mapped(
    opaqueFixed(16),
    (bytes) => uuidFromBytes(bytes),
    (text, field) => {
      try {
        return uuidToBytes(text);
      } catch {
        throw xdrError(field, `malformed UUID '${String(text)}'`);
      }
    },
  ),
  // opaqueFixed(16)'s checks, but the 16 bytes become text at once: read them in place, not as a copy.
  read: (r, f) => uuidFromBytes(r.view(16, f)),
};

/** remote_nonnull_domain, as the API's DomainRef. */
export const nonnullDomain = struct({ name: nonnullString, uuid: remoteUuid, id: int });
/** remote_domain (optional). */
export const remoteDomain = optional(nonnullDomain);
/** remote_nonnull_network: only ever sent absent by us, but decoded in full. */
export const nonnullNetwork = struct({ name: nonnullString, uuid: remoteUuid });

// Compile-time check that the wire struct and the API type agree.
const _domainRefMatches: CodecType<typeof nonnullDomain> extends DomainRef ? true : never = true;
void _domainRefMatches;

/** remote_error (≡ virNetMessageError): the body of every status=ERROR reply. */
export const remoteError = struct({
  code: int,
  domain: int,
  message: remoteString,
  level: int,
  dom: remoteDomain,
  str1: remoteString,
  str2: remoteString,
  str3: remoteString,
  int1: int,
  int2: int,
  net: optional(nonnullNetwork),
});
export type RemoteError = CodecType<typeof remoteError>;

/** The XvirtError a peer's error body describes (code, domain, message kept as sent). */
export function errorFromRemote(body: RemoteError): XvirtError {
  const level = body.level === ErrorLevel.WARNING ? ErrorLevel.WARNING : ErrorLevel.ERROR;
  const message = body.message ?? `remote error ${body.code} without a message`;
  return new XvirtError(body.code as ErrorNumber, body.domain as ErrorDomain, message, { level });
}

/** The error body for `err` (anything thrown); non-XvirtErrors become INTERNAL_ERROR. */
export function remoteErrorFrom(err: unknown): RemoteError {
  const x =
    err instanceof XvirtError
      ? err
      : XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, err instanceof Error ? err.message : String(err));
  return {
    code: x.number,
    domain: x.domain,
    message: x.message,
    level: x.level,
    dom: null,
    str1: null,
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
    net: null,
  };
}

/** A protocol violation by the peer (bad frame, unexpected message): always RPC/RPC. */
export function protocolError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.RPC, ErrorDomain.RPC, detail);
}
