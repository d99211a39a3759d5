/**
 * Reading PEM files, the startup "sanity" checks of our own certificate and
 * the byte by which a server confirms the client's, shared by the daemon's TLS
 * listener (lib/auth/tls-server.ts) and the TLS client transport
 * (lib/transports/tls.ts). Each side keeps its own error number, domain and
 * wording through the `makeError` it passes.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { XvirtError } from '../errors';

/** The byte a libvirt server sends inside TLS once it has accepted the client. */
export const TLS_CONFIRM_BYTE = 0x01;

/**
 * Reads a PEM file. On failure throws makeError(detail, cause) with detail =
 * `${what} '${path}': ${reason}` (the caller adds its own "cannot read" prefix).
 */
export function readPemFile(
  path: string,
  what: string,
  makeError: (detail: string, cause: unknown) => XvirtError,
): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw makeError(`${what} '${path}': ${(err as Error).message}`, err);
  }
}

export interface OwnCertificateCheck {
  /** Whose certificate it is: 'server' or 'client' (libvirt's wording). */
  role: 'server' | 'client';
  certFile: string;
  caFile: string;
  /** Also refuse a certificate whose notBefore is in the future. */
  checkNotBefore: boolean;
  /** The message when either file is not a PEM certificate (reason = the parser's message). */
  unparsable: (reason: string) => string;
}

/**
 * libvirt's checks of our own certificate before using it: it parses, has not
 * expired (nor, with checkNotBefore, is not yet active), is not a CA, and is
 * issued and signed by the CA. Failures throw makeError(message).
 */
export function checkOwnCertificate(
  certPem: Buffer,
  caPem: Buffer,
  check: OwnCertificateCheck,
  makeError: (message: string) => XvirtError,
): void {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch (err) {
    throw makeError(check.unparsable((err as Error).message));
  }
  const bad = (detail: string): XvirtError => makeError(`The ${check.role} certificate ${check.certFile} ${detail}`);
  const now = Date.now();
  if (Date.parse(cert.validTo) < now) throw bad('has expired');
  if (check.checkNotBefore && Date.parse(cert.validFrom) > now) throw bad('is not yet active');
  if (cert.ca) throw bad(`basic constraints show a CA, but we need one for a ${check.role}`);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw bad(`is not signed by the CA in ${check.caFile}`);
}
