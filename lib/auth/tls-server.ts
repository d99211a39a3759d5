/**
 * xvirtd's TLS listener, libvirtd-compatible: TLS starts at once (no
 * STARTTLS), the client must present a certificate issued by our CA (unless
 * tls_no_verify_certificate), its subject DN must pass tls_allowed_dn_list,
 * and only then does the server send the single byte 0x01 inside TLS and start
 * reading RPC. A refused client is logged and closed; nothing it sent reaches
 * the RPC layer, and the listener keeps serving others.
 */
import * as tls from 'node:tls';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { compileDnAllowlist, type DnAllowlist } from './dn-allowlist';
import { tlsPeerIdentity, type TlsPeerIdentity } from './tls-peer';

export type { TlsPeerIdentity } from './tls-peer';
import { checkOwnCertificate, readPemFile, TLS_CONFIRM_BYTE } from './x509';
import { DEFAULT_TLS_PRIORITY, parseTlsPriority, tlsServerPriorityOptions, TlsPriorityError } from './tls-priority';

export interface TlsServerConfig {
  /** ca_file, cert_file, key_file, crl_file (libvirtd.conf names). */
  caFile: string;
  certFile: string;
  keyFile: string;
  crlFile?: string | null;
  /** tls_allowed_dn_list: undefined = any verified certificate, [] = nobody. */
  allowedDnList?: readonly string[] | undefined;
  /** tls_no_verify_certificate = 1: accept clients without a valid certificate (then no DN check either). */
  noVerifyCertificate?: boolean;
  /** tls_priority (lib/auth/tls-priority.ts); default NORMAL. */
  priority?: string;
  /** Handshake + checks must finish within this many ms (default 10 s). */
  handshakeTimeoutMs?: number;
}

export interface SecurityLogger {
  info(message: string): void;
  warn(message: string): void;
}

function confError(message: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.CONF, message);
}

function readConfigFile(path: string, what: string): Buffer {
  return readPemFile(path, what, (detail) => confError(`cannot read ${detail}`));
}

/** Server-side startup checks of our own certificate, as libvirtd does them. */
function checkServerCertificate(certPem: Buffer, caPem: Buffer, config: TlsServerConfig): void {
  checkOwnCertificate(
    certPem,
    caPem,
    {
      role: 'server',
      certFile: config.certFile,
      caFile: config.caFile,
      checkNotBefore: false,
      unparsable: (reason) => `cannot parse ${config.certFile} or ${config.caFile} as PEM certificates: ${reason}`,
    },
    confError,
  );
}

/**
 * Creates the TLS listener. `onClient` receives each client after every check
 * passed and the confirmation byte was written; its socket then carries RPC.
 */
export function createTlsServer(
  config: TlsServerConfig,
  onClient: (socket: tls.TLSSocket, peer: TlsPeerIdentity) => void,
  log: SecurityLogger,
): tls.Server {
  const ca = readConfigFile(config.caFile, 'CA certificate (ca_file)');
  const cert = readConfigFile(config.certFile, 'server certificate (cert_file)');
  const key = readConfigFile(config.keyFile, 'server key (key_file)');
  const crl = config.crlFile ? readConfigFile(config.crlFile, 'CRL (crl_file)') : undefined;
  checkServerCertificate(cert, ca, config);
  const verify = config.noVerifyCertificate !== true;
  const allowed: DnAllowlist = compileDnAllowlist(config.allowedDnList);
  let priority;
  try {
    priority = tlsServerPriorityOptions(parseTlsPriority(config.priority ?? DEFAULT_TLS_PRIORITY));
  } catch (err) {
    if (err instanceof TlsPriorityError) throw confError(`tls_priority: ${err.message}`);
    throw err;
  }

  const server = tls.createServer({
    ca,
    cert,
    key,
    ...(crl ? { crl } : {}),
    // Client certificates are checked below, after the handshake, as libvirtd does: Node's own
    // rejectUnauthorized would close with a bare "socket hang up" and lose the reason for the log.
    requestCert: true,
    rejectUnauthorized: false,
    ...priority,
    handshakeTimeout: config.handshakeTimeoutMs ?? 10_000,
  });
  server.on('tlsClientError', (err, socket) => {
    log.warn(`TLS client ${socket.remoteAddress ?? '?'} refused during handshake: ${err.message}`);
    // Node only reports a handshake timeout (and leaves the socket open): close it here, whatever the error.
    socket.destroy();
  });
  server.on('secureConnection', (socket) => {
    const peer = tlsPeerIdentity(socket);
    const { remoteAddress } = peer;
    if (verify) {
      // Nothing from this client has been read yet; a refusal closes without the confirmation byte.
      if (!socket.getPeerX509Certificate()) {
        log.warn(`TLS client ${remoteAddress} refused: no client certificate`);
        socket.destroy();
        return;
      }
      if (!socket.authorized) {
        log.warn(
          `TLS client ${remoteAddress} refused: certificate '${peer.dn}' not valid (${String(socket.authorizationError)})`,
        );
        socket.destroy();
        return;
      }
      if (!allowed(peer.dn)) {
        log.warn(`TLS client ${remoteAddress} refused: Distinguished Name '${peer.dn}' is not on tls_allowed_dn_list`);
        socket.destroy();
        return;
      }
    }
    log.info(`TLS client ${remoteAddress} accepted: '${peer.dn}'`);
    socket.setNoDelay(true);
    socket.write(Buffer.of(TLS_CONFIRM_BYTE));
    onClient(socket, peer);
  });
  return server;
}
