/**
 * The config-file keys of xvirtd's security settings (lib/auth/daemon-config.ts):
 * config.ts merges them into its table; checkSecurityConfig() runs once the
 * whole file is read.
 */
import { existsSync } from 'node:fs';
import type { SecurityConfig } from '../auth/daemon-config';
import { parseTlsPriority, TlsPriorityError } from '../auth/tls-priority';
import { auth, flag, int, str, type Fail, type Setter } from './config-setters';

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
  listen_tls: flag<Cfg>((c, v) => {
    c.security.listenTls = v;
  }),
  tls_listen_addr: str<Cfg>(
    (v) => (v ? null : 'expected an address'),
    (c, v) => {
      c.security.tlsListenAddr = v;
    },
  ),
  tls_port: int<Cfg>(
    0,
    65535,
    (c, v) => {
      c.security.tlsPort = v;
    },
    'expected a port number 0-65535',
  ),
  key_file: str<Cfg>(absolute, (c, v) => {
    c.security.keyFile = v;
  }),
  cert_file: str<Cfg>(absolute, (c, v) => {
    c.security.certFile = v;
  }),
  ca_file: str<Cfg>(absolute, (c, v) => {
    c.security.caFile = v;
  }),
  crl_file: str<Cfg>(
    (v) => (v === '' ? null : absolute(v)),
    (c, v) => {
      c.security.crlFile = v;
    },
  ),
  tls_allowed_dn_list: list((s, v) => {
    s.tlsAllowedDnList = v;
  }),
  tls_no_verify_certificate: flag<Cfg>((c, v) => {
    c.security.tlsNoVerifyCertificate = v;
  }),
  tls_priority: str<Cfg>(priorityProblem, (c, v) => {
    c.security.tlsPriority = v;
  }),
  auth_tls: auth<Cfg>((c, v) => {
    c.security.authTls = v;
  }),
  sasl_allowed_username_list: list((s, v) => {
    s.saslAllowedUsernameList = v;
  }),
  sasl_user_db: str<Cfg>(absolute, (c, v) => {
    c.security.saslUserDb = v;
  }),
  max_anonymous_clients: int<Cfg>(
    1,
    1_000_000,
    (c, v) => {
      c.security.maxAnonymousClients = v;
    },
    'expected an integer from 1 to 1000000',
  ),
  auth_timeout: int<Cfg>(
    0,
    86400,
    (c, v) => {
      c.security.authTimeout = v;
    },
    'expected seconds from 0 (no limit) to 86400',
  ),
};

/**
 * Cross-key checks once the file is read. `authOf` lists every listener's
 * scheme (auth_unix_rw, auth_unix_ro, auth_tcp, auth_tls) by key name.
 */
export function checkSecurityConfig(security: SecurityConfig, authOf: Record<string, string>, fail: Fail): void {
  if (authOf.auth_tcp === 'sasl') {
    fail(
      'auth_tcp = "sasl" is refused: SCRAM-SHA-256 has no security layer, so plain TCP would carry the session ' +
        'unprotected after login; use TLS (listen_tls, auth_tls = "sasl") or a unix socket',
    );
  }
  if (Object.values(authOf).includes('sasl') && !existsSync(security.saslUserDb)) {
    fail(
      `SASL is enabled but the user database sasl_user_db = "${security.saslUserDb}" does not exist (create it with xvirt-sasl-passwd)`,
    );
  }
  if (security.listenTls) {
    for (const [key, file] of [
      ['key_file', security.keyFile],
      ['cert_file', security.certFile],
      ['ca_file', security.caFile],
    ]) {
      if (!existsSync(file!)) fail(`listen_tls = 1 but ${key} "${file}" does not exist`);
    }
  }
}
