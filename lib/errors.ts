/**
 * Typed errors. Every failure that crosses the public API is an XvirtError
 * whose `number` and `domain` are libvirt's virErrorNumber and virErrorDomain,
 * so callers (and the wire protocol) can compare them with libvirt's.
 */

/** libvirt's virErrorNumber (append-only upstream; values are wire ABI). */
export enum ErrorNumber {
  OK = 0,
  INTERNAL_ERROR = 1,
  NO_MEMORY = 2,
  NO_SUPPORT = 3,
  UNKNOWN_HOST = 4,
  NO_CONNECT = 5,
  INVALID_CONN = 6,
  INVALID_DOMAIN = 7,
  INVALID_ARG = 8,
  OPERATION_FAILED = 9,
  GET_FAILED = 10,
  POST_FAILED = 11,
  HTTP_ERROR = 12,
  SEXPR_SERIAL = 13,
  NO_XEN = 14,
  XEN_CALL = 15,
  OS_TYPE = 16,
  NO_KERNEL = 17,
  NO_ROOT = 18,
  NO_SOURCE = 19,
  NO_TARGET = 20,
  NO_NAME = 21,
  NO_OS = 22,
  NO_DEVICE = 23,
  NO_XENSTORE = 24,
  DRIVER_FULL = 25,
  CALL_FAILED = 26,
  XML_ERROR = 27,
  DOM_EXIST = 28,
  OPERATION_DENIED = 29,
  OPEN_FAILED = 30,
  READ_FAILED = 31,
  PARSE_FAILED = 32,
  CONF_SYNTAX = 33,
  WRITE_FAILED = 34,
  XML_DETAIL = 35,
  INVALID_NETWORK = 36,
  NETWORK_EXIST = 37,
  SYSTEM_ERROR = 38,
  RPC = 39,
  GNUTLS_ERROR = 40,
  NO_DOMAIN = 42,
  NO_NETWORK = 43,
  INVALID_MAC = 44,
  AUTH_FAILED = 45,
  INVALID_STORAGE_POOL = 46,
  INVALID_STORAGE_VOL = 47,
  NO_STORAGE_POOL = 49,
  NO_STORAGE_VOL = 50,
  NO_NODE_DEVICE = 53,
  OPERATION_INVALID = 55,
  NO_INTERFACE = 57,
  MULTIPLE_INTERFACES = 59,
  CONFIG_UNSUPPORTED = 67,
  OPERATION_TIMEOUT = 68,
  ARGUMENT_UNSUPPORTED = 74,
  OPERATION_ABORTED = 78,
  STORAGE_POOL_BUILT = 76,
  OPERATION_UNSUPPORTED = 84,
  ACCESS_DENIED = 88,
  STORAGE_VOL_EXIST = 90,
  AUTH_UNAVAILABLE = 94,
}

/** libvirt's virErrorDomain: which subsystem raised the error. */
export enum ErrorDomain {
  NONE = 0,
  XEN = 1,
  XENSTORE = 3,
  XML = 5,
  DOM = 6,
  RPC = 7,
  PROXY = 8,
  CONF = 9,
  QEMU = 10,
  NET = 11,
  TEST = 12,
  REMOTE = 13,
  STORAGE = 18,
  NETWORK = 19,
  DOMAIN = 20,
  NODEDEV = 22,
  INTERFACE = 26,
  LIBXL = 41,
  URI = 45,
  AUTH = 46,
  SSH = 50,
  /** VIR_FROM_STREAMS: libvirt's stream layer (virStream*). */
  STREAMS = 38,
  ACCESS = 55,
  ADMIN = 62,
}

/** libvirt's virErrorLevel. */
export enum ErrorLevel {
  NONE = 0,
  WARNING = 1,
  ERROR = 2,
}

/**
 * The prefix libvirt puts in front of the detail text for each error number
 * (virErrorMsg), so messages read the same as libvirt's on every path.
 */
const MESSAGE_PREFIX: Partial<Record<ErrorNumber, string>> = {
  [ErrorNumber.INTERNAL_ERROR]: 'internal error',
  [ErrorNumber.NO_SUPPORT]: 'this function is not supported by the connection driver',
  [ErrorNumber.NO_CONNECT]: 'no connection driver available for',
  [ErrorNumber.INVALID_CONN]: 'invalid connection pointer in',
  [ErrorNumber.INVALID_DOMAIN]: 'invalid domain pointer in',
  [ErrorNumber.INVALID_ARG]: 'invalid argument',
  [ErrorNumber.OPERATION_FAILED]: 'operation failed',
  [ErrorNumber.XML_ERROR]: 'XML error',
  [ErrorNumber.DOM_EXIST]: 'operation failed',
  [ErrorNumber.OPERATION_DENIED]: 'operation forbidden',
  [ErrorNumber.SYSTEM_ERROR]: '',
  [ErrorNumber.RPC]: 'RPC error',
  [ErrorNumber.NO_DOMAIN]: 'Domain not found',
  [ErrorNumber.NO_NETWORK]: 'Network not found',
  [ErrorNumber.NO_STORAGE_POOL]: 'Storage pool not found',
  [ErrorNumber.NO_STORAGE_VOL]: 'Storage volume not found',
  [ErrorNumber.NO_NODE_DEVICE]: 'Node device not found',
  [ErrorNumber.NO_INTERFACE]: 'Interface not found',
  [ErrorNumber.STORAGE_VOL_EXIST]: 'storage volume already exists',
  [ErrorNumber.STORAGE_POOL_BUILT]: 'storage pool already built',
  [ErrorNumber.AUTH_FAILED]: 'authentication failed',
  [ErrorNumber.OPERATION_INVALID]: 'Requested operation is not valid',
  [ErrorNumber.CONFIG_UNSUPPORTED]: 'unsupported configuration',
  [ErrorNumber.OPERATION_TIMEOUT]: 'Timed out during operation',
  [ErrorNumber.ARGUMENT_UNSUPPORTED]: 'argument unsupported',
  [ErrorNumber.OPERATION_ABORTED]: 'operation aborted',
  [ErrorNumber.OPERATION_UNSUPPORTED]: 'Operation not supported',
  [ErrorNumber.ACCESS_DENIED]: 'access denied',
};

export interface XvirtErrorOptions {
  level?: ErrorLevel;
  cause?: unknown;
}

export class XvirtError extends Error {
  /** libvirt's virErrorNumber. */
  readonly number: ErrorNumber;
  /** libvirt's virErrorDomain. */
  readonly domain: ErrorDomain;
  readonly level: ErrorLevel;

  /** `message` is the complete text, as it travels on libvirt's wire. */
  constructor(number: ErrorNumber, domain: ErrorDomain, message: string, options: XvirtErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'XvirtError';
    this.number = number;
    this.domain = domain;
    this.level = options.level ?? ErrorLevel.ERROR;
  }

  /** Symbolic name of `number`, e.g. 'NO_DOMAIN' (or 'ERROR_<n>' for numbers we have no name for). */
  get code(): string {
    return ErrorNumber[this.number] ?? `ERROR_${this.number}`;
  }

  /** Builds the error with libvirt's standard prefix for `number` in front of `detail`. */
  static of(number: ErrorNumber, domain: ErrorDomain, detail: string, options?: XvirtErrorOptions): XvirtError {
    const prefix = MESSAGE_PREFIX[number];
    const message = prefix ? `${prefix}: ${detail}` : detail;
    return new XvirtError(number, domain, message, options);
  }
}

export function isXvirtError(err: unknown): err is XvirtError {
  return err instanceof XvirtError;
}
