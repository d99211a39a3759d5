/**
 * libvirt connection URIs: driver[+transport]://[user@][host][:port]/path[?params]
 * One parser for every backend, so each URI is read the same way everywhere.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';

/** The URI opened when none is given (and $XVIRT_DEFAULT_URI is unset). */
export const DEFAULT_URI = 'test:///default';

export const TRANSPORTS = ['unix', 'tls', 'tcp', 'ssh', 'libssh', 'libssh2', 'ext'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Query parameters only the client uses; they never reach the server (libvirt's list). */
export const CLIENT_ONLY_PARAMS = new Set([
  'name',
  'command',
  'socket',
  'auth',
  'sshauth',
  'netcat',
  'keyfile',
  'pkipath',
  'known_hosts',
  'known_hosts_verify',
  'tls_priority',
  'mode',
  'proxy',
  'no_sanity',
  'no_verify',
  'no_tty',
  'authfile',
]);

export interface ConnectionUri {
  /** The text that was parsed. */
  readonly text: string;
  /** e.g. 'test', 'xen', 'remote' */
  readonly driver: string;
  readonly transport: Transport | null;
  readonly user: string | null;
  /** Host name or address (IPv6 without brackets); null when absent. */
  readonly host: string | null;
  readonly port: number | null;
  /** Path including its leading '/', or '' when absent. */
  readonly path: string;
  /** Decoded query parameters in order; a name may repeat. */
  readonly params: ReadonlyArray<readonly [string, string]>;
}

const MAX_URI_LENGTH = 4096;
const SCHEME_RE = /^([a-z][a-z0-9.-]*)(?:\+([a-z0-9]+))?$/i;
const AUTHORITY_RE = /^(?:([^@/?#]*)@)?(\[[0-9a-f:.]+\]|[^:@/?#[\]]*)(?::([0-9]*))?$/i;

function malformed(text: string, why: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, `malformed URI '${text}': ${why}`);
}

function decode(text: string, part: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw malformed(text, `bad percent-encoding in ${part}`);
  }
}

export function parseUri(text: string): ConnectionUri {
  if (typeof text !== 'string' || text.length === 0) throw malformed(String(text), 'empty URI');
  if (text.length > MAX_URI_LENGTH)
    throw malformed(text.slice(0, 64) + '...', `longer than ${MAX_URI_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f]/.test(text)) throw malformed(text, 'contains spaces or control characters');
  const sep = text.indexOf('://');
  if (sep <= 0) throw malformed(text, "expected 'driver://...' or 'driver+transport://...'");
  const scheme = SCHEME_RE.exec(text.slice(0, sep));
  if (!scheme) throw malformed(text, `bad scheme '${text.slice(0, sep)}'`);
  const driver = scheme[1]!.toLowerCase();
  const transportText = scheme[2]?.toLowerCase() ?? null;
  if (transportText !== null && !(TRANSPORTS as readonly string[]).includes(transportText)) {
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.URI,
      `unknown transport '${transportText}' in URI '${text}' (expected one of ${TRANSPORTS.join(', ')})`,
    );
  }
  const transport = transportText as Transport | null;

  let rest = text.slice(sep + 3);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? decode(text, 'path', rest.slice(slash)) : '';

  const auth = AUTHORITY_RE.exec(authority);
  if (!auth) throw malformed(text, `bad host part '${authority}'`);
  const user = auth[1] === undefined ? null : decode(text, 'user', auth[1]);
  let host: string | null = auth[2] ?? '';
  if (host.startsWith('[')) host = host.slice(1, -1);
  host = host === '' ? null : decode(text, 'host', host);
  let port: number | null = null;
  if (auth[3] !== undefined && auth[3] !== '') {
    port = Number(auth[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw malformed(text, `port '${auth[3]}' out of range 1-65535`);
  }
  if (transport === 'unix' && host !== null) {
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.URI,
      `transport 'unix' cannot connect to a host ('${host}') in URI '${text}'`,
    );
  }

  const params: Array<readonly [string, string]> = [];
  for (const pair of query.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(text, 'query', eq >= 0 ? pair.slice(0, eq) : pair);
    const value = eq >= 0 ? decode(text, 'query', pair.slice(eq + 1)) : '';
    if (name === '') throw malformed(text, `empty query parameter name in '${pair}'`);
    params.push([name, value]);
  }
  return { text, driver, transport, user, host, port, path, params };
}

/** The last value given for a query parameter (libvirt lets later ones win). */
export function uriParam(uri: ConnectionUri, name: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of uri.params) if (k === name) found = v;
  return found;
}

/** True when this URI must go through a remote daemon rather than an in-process driver. */
export function isRemoteUri(uri: ConnectionUri): boolean {
  return uri.transport !== null || uri.host !== null || uri.driver === 'remote';
}

function encodeParams(params: ReadonlyArray<readonly [string, string]>): string {
  if (params.length === 0) return '';
  return '?' + params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Formats a URI back into text (canonical spelling). */
export function formatUri(uri: Omit<ConnectionUri, 'text'>): string {
  const scheme = uri.transport ? `${uri.driver}+${uri.transport}` : uri.driver;
  let authority = '';
  if (uri.user !== null) authority += encodeURIComponent(uri.user) + '@';
  if (uri.host !== null) authority += uri.host.includes(':') ? `[${uri.host}]` : uri.host;
  if (uri.port !== null) authority += `:${uri.port}`;
  return `${scheme}://${authority}${encodeURI(uri.path)}${encodeParams(uri.params)}`;
}

/**
 * The name a remote client sends in CONNECT_OPEN: the URI with the transport,
 * host, user, port and client-only parameters removed (`?name=` overrides).
 * For the 'remote' driver the server chooses, so the name is empty.
 */
export function serverSideName(uri: ConnectionUri): string {
  const explicit = uriParam(uri, 'name');
  if (explicit !== undefined) return explicit;
  if (uri.driver === 'remote') return '';
  return formatUri({
    driver: uri.driver,
    transport: null,
    user: null,
    host: null,
    port: null,
    path: uri.path,
    params: uri.params.filter(([k]) => !CLIENT_ONLY_PARAMS.has(k)),
  });
}
