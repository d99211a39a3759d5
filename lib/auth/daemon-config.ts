/**
 * xvirtd's security settings and their defaults, named as in libvirtd.conf
 * where libvirtd has them: the TLS listener (listen_tls, tls_port,
 * key/cert/ca/crl_file, tls_allowed_dn_list, tls_no_verify_certificate,
 * tls_priority), auth_tls, and SASL (sasl_allowed_username_list, plus xvirt's
 * own sasl_user_db: libvirtd delegates user storage to Cyrus, xvirtd keeps
 * salted SCRAM keys in a file). Their config-file keys and checks are in
 * lib/daemon/security-keys.ts.
 */
import { DEFAULT_TLS_PRIORITY } from './tls-priority';

export type AuthScheme = 'none' | 'sasl';
export const AUTH_SCHEMES: readonly AuthScheme[] = ['none', 'sasl'];

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
