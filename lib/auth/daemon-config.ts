/**
 * xvirtd's security settings, named as in libvirtd.conf where libvirtd has
 * them: the TLS listener (listen_tls, tls_port, key/cert/ca/crl_file,
 * tls_allowed_dn_list, tls_no_verify_certificate, tls_priority), auth_tls, and SASL
 * (sasl_allowed_username_list, plus xvirt's own sasl_user_db: libvirtd
 * delegates user storage to Cyrus, xvirtd keeps salted SCRAM keys in a file).
 * config.ts merges these keys into its table; checkSecurityConfig() runs once
 * the whole file is read.
 */
import { existsSync } from 'node:fs';
import { auth, flag, int, str, type AuthScheme, type Fail, type Setter } from '../daemon/config-setters';
import { DEFAULT_TLS_PRIORITY, parseTlsPriority, TlsPriorityError } from './tls-priority';

export interface SecurityConfig {
  listenTls: boolean;
  tlsListenAddr: string;
  tlsPort: number;
  keyFile: string;
  certFile: string;
  caFile: string;
  /** '' = no CRL. */
  crlFile: string;
  /** undefined = any verified certificate; [] = nobody. */
  tlsAllowedDnList: string[] | undefined;
  tlsNoVerifyCertificate: boolean;
  /** tls_priority: a GnuTLS priority string in the subset lib/auth/tls-priority.ts maps to OpenSSL. */
  tlsPriority: string;
  authTls: AuthScheme;
  /** undefined = any user in the database; [] = nobody. */
  saslAllowedUsernameList: string[] | undefined;
  saslUserDb: string;
  /** Clients connected but not yet authenticated, across listeners that require it (libvirtd's default 20). */
  maxAnonymousClients: number;
  /** xvirt: seconds a client may take to authenticate before it is disconnected; 0 = no limit. */
  authTimeout: number;
}

export function defaultSecurityConfig(): SecurityConfig {
  return {
    listenTls: false,
    tlsListenAddr: '127.0.0.1',
    tlsPort: 16514,
    keyFile: '/etc/pki/libvirt/private/serverkey.pem',
    certFile: '/etc/pki/libvirt/servercert.pem',
    caFile: '/etc/pki/CA/cacert.pem',
    crlFile: '',
    tlsAllowedDnList: undefined,
    tlsNoVerifyCertificate: false,
    tlsPriority: DEFAULT_TLS_PRIORITY,
    authTls: 'none',
    saslAllowedUsernameList: undefined,
    saslUserDb: '/etc/xvirt/sasl-users',
    maxAnonymousClients: 20,
    authTimeout: 30,
  };
}

/** A setter as config.ts's table holds them; `cfg.security` is this module's part. */
export type SecuritySetter = Setter<{ security: SecurityConfig }>;
type Cfg = { security: SecurityConfig };

function list(set: (s: SecurityConfig, v: string[]) => void): SecuritySetter {
  return (cfg, value, fail) => {
    if (!Array.isArray(value)) return fail('expected a [ "list", "of strings" ]');
    if (value.some((v) => v === '')) fail('empty entries are not allowed');
    set(cfg.security, value);
  };
}

/** Why a tls_priority value is refused, or null. */
function priorityProblem(text: string): string | null {
  try {
    parseTlsPriority(text);
    return null;
  } catch (err) {
    if (err instanceof TlsPriorityError) return err.message;
    throw err;
  }
}

const absolute = (v: string): string | null => (v.startsWith('/') ? null : `expected an absolute path, got "${v}"`);

export const SECURITY_KEYS: Record<string, SecuritySetter> = {
  listen_tls: flag<Cfg>((c, v) => { c.security.listenTls = v; }),
  tls_listen_addr: str<Cfg>((v) => (v ? null : 'expected an address'), (c, v) => { c.security.tlsListenAddr = v; }),
  tls_port: int<Cfg>(0, 65535, (c, v) => { c.security.tlsPort = v; }, 'expected a port number 0-65535'),
  key_file: str<Cfg>(absolute, (c, v) => { c.security.keyFile = v; }),
  cert_file: str<Cfg>(absolute, (c, v) => { c.security.certFile = v; }),
  ca_file: str<Cfg>(absolute, (c, v) => { c.security.caFile = v; }),
  crl_file: str<Cfg>((v) => (v === '' ? null : absolute(v)), (c, v) => { c.security.crlFile = v; }),
  tls_allowed_dn_list: list((s, v) => { s.tlsAllowedDnList = v; }),
  tls_no_verify_certificate: flag<Cfg>((c, v) => { c.security.tlsNoVerifyCertificate = v; }),
  tls_priority: str<Cfg>(priorityProblem, (c, v) => { c.security.tlsPriority = v; }),
  auth_tls: auth<Cfg>((c, v) => { c.security.authTls = v; }),
  sasl_allowed_username_list: list((s, v) => { s.saslAllowedUsernameList = v; }),
  sasl_user_db: str<Cfg>(absolute, (c, v) => { c.security.saslUserDb = v; }),
  max_anonymous_clients: int<Cfg>(1, 1_000_000, (c, v) => { c.security.maxAnonymousClients = v; },
    'expected an integer from 1 to 1000000'),
  auth_timeout: int<Cfg>(0, 86400, (c, v) => { c.security.authTimeout = v; }, 'expected seconds from 0 (no limit) to 86400'),
};

/**
 * Cross-key checks once the file is read. `authOf` lists every listener's
 * scheme (auth_unix_rw, auth_unix_ro, auth_tcp, auth_tls) by key name.
 */
export function checkSecurityConfig(security: SecurityConfig, authOf: Record<string, string>, fail: Fail): void {
  if (authOf.auth_tcp === 'sasl') {
    fail('auth_tcp = "sasl" is refused: SCRAM-SHA-256 has no security layer, so plain TCP would carry the session '
      + 'unprotected after login; use TLS (listen_tls, auth_tls = "sasl") or a unix socket');
  }
  if (Object.values(authOf).includes('sasl') && !existsSync(security.saslUserDb)) {
    fail(`SASL is enabled but the user database sasl_user_db = "${security.saslUserDb}" does not exist (create it with xvirt-sasl-passwd)`);
  }
  if (security.listenTls) {
    for (const [key, file] of [['key_file', security.keyFile], ['cert_file', security.certFile], ['ca_file', security.caFile]]) {
      if (!existsSync(file!)) fail(`listen_tls = 1 but ${key} "${file}" does not exist`);
    }
  }
}
