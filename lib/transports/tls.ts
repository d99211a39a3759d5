/**
 * The client side of libvirt's TLS transport (`driver+tls://host[:port]/...`).
 *
 * Credentials are found where libvirt looks for them (pkipath=DIR, else the
 * per-user ~/.pki/libvirt/ when not root, else /etc/pki), the server's
 * certificate is verified against the CA and the host name unless
 * `no_verify=1`, and after the handshake the server must send the single
 * byte 0x01 (it sends it once it has accepted *our* certificate; a server
 * that refuses us closes instead).
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { uriFlag } from './params';
import { checkOwnCertificate, readPemFile, TLS_CONFIRM_BYTE } from '../auth/x509';
import { DEFAULT_TLS_PRIORITY, parseTlsPriority, tlsPriorityOptions, TlsPriorityError } from '../auth/tls-priority';
import { uriParam, type ConnectionUri } from '../uri';

export const DEFAULT_TLS_PORT = 16514;

export interface ClientPkiFiles {
  ca: string;
  crl: string | null;
  cert: string;
  key: string;
}

export interface PkiLocation {
  uid: number;
  home: string;
  /** The system PKI root, '/etc/pki' unless a test points elsewhere. */
  systemDir: string;
}

function defaultLocation(): PkiLocation {
  return { uid: process.getuid?.() ?? 0, home: homedir(), systemDir: '/etc/pki' };
}

/**
 * Where libvirt reads a client's CA, CRL, certificate and key.
 * pkipath=DIR → DIR/{cacert,cacrl,clientcert,clientkey}.pem. Otherwise a
 * non-root user's ~/.pki/libvirt/ is used for the CA (and CRL) if cacert.pem is
 * there, and for cert+key if both are there; the rest falls back to
 * /etc/pki/CA/{cacert,cacrl}.pem and /etc/pki/libvirt/{clientcert.pem,private/clientkey.pem}.
 */
export function locateClientPki(uri: ConnectionUri, where: PkiLocation = defaultLocation()): ClientPkiFiles {
  const crlIfPresent = (p: string): string | null => (existsSync(p) ? p : null);
  const pkipath = uriParam(uri, 'pkipath');
  if (pkipath !== undefined) {
    if (pkipath === '') throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, 'pkipath must not be empty');
    return {
      ca: join(pkipath, 'cacert.pem'),
      crl: crlIfPresent(join(pkipath, 'cacrl.pem')),
      cert: join(pkipath, 'clientcert.pem'),
      key: join(pkipath, 'clientkey.pem'),
    };
  }
  const files: ClientPkiFiles = {
    ca: join(where.systemDir, 'CA', 'cacert.pem'),
    crl: crlIfPresent(join(where.systemDir, 'CA', 'cacrl.pem')),
    cert: join(where.systemDir, 'libvirt', 'clientcert.pem'),
    key: join(where.systemDir, 'libvirt', 'private', 'clientkey.pem'),
  };
  if (where.uid !== 0) {
    const user = join(where.home, '.pki', 'libvirt');
    if (existsSync(join(user, 'cacert.pem'))) {
      files.ca = join(user, 'cacert.pem');
      files.crl = crlIfPresent(join(user, 'cacrl.pem'));
    }
    if (existsSync(join(user, 'clientcert.pem')) && existsSync(join(user, 'clientkey.pem'))) {
      files.cert = join(user, 'clientcert.pem');
      files.key = join(user, 'clientkey.pem');
    }
  }
  return files;
}

function readPem(path: string, what: string): Buffer {
  return readPemFile(path, what, (detail, cause) =>
    XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, `Cannot read ${detail}`, { cause }),
  );
}

export interface TlsConnectOptions {
  signal?: AbortSignal;
  /** Handshake plus confirmation byte; default 30 s. */
  timeoutMs?: number;
  /** Where to look for credentials (tests point this away from /etc/pki). */
  pkiLocation?: PkiLocation;
}

/**
 * Connects, completes the TLS handshake and waits for the server's
 * confirmation byte. Resolves with the socket positioned at the first RPC byte
 * (not yet flowing: attach a 'data' listener or pipe it).
 */
export async function connectTls(uri: ConnectionUri, options: TlsConnectOptions = {}): Promise<tls.TLSSocket> {
  const priority = clientPriority(uri);
  const files = locateClientPki(uri, options.pkiLocation);
  const ca = readPem(files.ca, 'CA certificate');
  const cert = readPem(files.cert, 'client certificate');
  const key = readPem(files.key, 'client private key');
  const crl = files.crl ? readPem(files.crl, 'CA revocation list') : undefined;
  // libvirt's "sanity" checks of our own certificate before using it (skipped with no_sanity=1).
  if (!uriFlag(uri, 'no_sanity')) {
    checkOwnCertificate(
      cert,
      ca,
      {
        role: 'client',
        certFile: files.cert,
        caFile: files.ca,
        checkNotBefore: true,
        unparsable: (reason) => `Cannot parse ${files.cert} or ${files.ca}: ${reason}`,
      },
      (message) => XvirtError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, message),
    );
  }
  const verify = !uriFlag(uri, 'no_verify');
  const host = uri.host ?? 'localhost';
  const socket = tls.connect({
    host,
    port: uri.port ?? DEFAULT_TLS_PORT,
    ca,
    cert,
    key,
    ...(crl ? { crl } : {}),
    ...(isIP(host) ? {} : { servername: host }),
    rejectUnauthorized: verify,
    ...priority,
  });
  socket.setNoDelay(true);
  try {
    await awaitConfirmation(socket, host, options);
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** The tls_priority URI parameter as Node TLS options (libvirt's default, NORMAL, when absent). */
function clientPriority(uri: ConnectionUri): ReturnType<typeof tlsPriorityOptions> {
  try {
    return tlsPriorityOptions(parseTlsPriority(uriParam(uri, 'tls_priority') ?? DEFAULT_TLS_PRIORITY));
  } catch (err) {
    if (err instanceof TlsPriorityError)
      throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, `tls_priority: ${err.message}`);
    throw err;
  }
}

function awaitConfirmation(socket: tls.TLSSocket, host: string, options: TlsConnectOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let handshaken = false;
    const timer = setTimeout(
      () =>
        done(
          XvirtError.of(
            ErrorNumber.OPERATION_TIMEOUT,
            ErrorDomain.RPC,
            `no TLS confirmation from ${host} within ${options.timeoutMs ?? 30000} ms`,
          ),
        ),
      options.timeoutMs ?? 30000,
    );
    const onAbort = (): void =>
      done(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('aborted'));
    const refused = (): XvirtError =>
      XvirtError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'server verification (of our certificate or IP address) failed');
    function done(err?: Error): void {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Dropping the 'readable' listener leaves the stream neither flowing nor paused, so
      // whoever attaches a 'data' listener next receives every byte after the confirmation.
      socket
        .off('readable', onReadable)
        .off('error', onError)
        .off('end', onEnd)
        .off('close', onEnd)
        .off('secureConnect', onSecure);
      // Until the RPC layer attaches its own listeners, an error must not be unhandled (it still sees 'close');
      // after a failure either: a server that closes during the handshake may report 'end' and then an error.
      socket.on('error', () => undefined);
      if (err) reject(err);
      else resolve();
    }
    function onSecure(): void {
      handshaken = true;
    }
    function onReadable(): void {
      const byte = socket.read(1) as Buffer | null;
      if (byte === null) return;
      done(byte[0] === TLS_CONFIRM_BYTE ? undefined : refused());
    }
    function onError(err: Error): void {
      // A server that rejects our certificate answers with a TLS alert, which
      // (under TLS 1.3) arrives after our side of the handshake completed.
      const e = err as NodeJS.ErrnoException;
      if (handshaken)
        return done(
          XvirtError.of(
            ErrorNumber.RPC,
            ErrorDomain.RPC,
            `server verification (of our certificate or IP address) failed: ${e.message}`,
            { cause: err },
          ),
        );
      const number =
        e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' ? ErrorNumber.SYSTEM_ERROR : ErrorNumber.GNUTLS_ERROR;
      done(
        XvirtError.of(number, ErrorDomain.RPC, `unable to connect to server at '${host}': ${e.message}`, {
          cause: err,
        }),
      );
    }
    function onEnd(): void {
      done(refused());
    }
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket
      .on('readable', onReadable)
      .on('error', onError)
      .on('end', onEnd)
      .on('close', onEnd)
      .on('secureConnect', onSecure);
  });
}
