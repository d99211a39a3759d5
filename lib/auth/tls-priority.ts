/**
 * libvirt's `tls_priority` (xvirtd.conf key, URI parameter): a GnuTLS
 * priority string. xvirt speaks TLS through Node's OpenSSL, so it accepts a
 * strict subset whose meaning maps onto OpenSSL's options, and refuses
 * everything else by name rather than guess:
 *
 *   KEYWORD[:MODIFIER]...
 *   KEYWORD    NORMAL       Node's defaults (TLS 1.2 and 1.3, its cipher list)
 *              PERFORMANCE  AEAD ciphers with forward secrecy, 128-bit AES first
 *              SECURE128    AEAD ciphers with forward secrecy, 256-bit first
 *              SECURE192, SECURE256
 *                           only the 256-bit-key ciphers (AES-256-GCM, ChaCha20-Poly1305)
 *   MODIFIER   -VERS-TLS1.2, -VERS-TLS1.3, +VERS-TLS1.2, +VERS-TLS1.3, -VERS-ALL
 *                           which protocol versions may be negotiated
 *              %SERVER_PRECEDENCE
 *                           the server's cipher order wins (xvirtd only; without it the
 *                           client's order does, as on a GnuTLS server)
 *
 * Keywords are case-insensitive, as in GnuTLS. TLS 1.1 and older, other
 * cipher, key-exchange, MAC or group elements, and @SYSTEM-style policy
 * files are refused: xvirt cannot honour them the way GnuTLS would.
 */
import type * as tls from 'node:tls';

type Version = 'TLSv1.2' | 'TLSv1.3';

/** The Node TLS options a priority string stands for. */
export interface TlsPriority {
  minVersion: Version;
  maxVersion: Version;
  /** OpenSSL cipher list (TLS 1.2 and 1.3 names); undefined = Node's default. */
  ciphers?: string;
  /** %SERVER_PRECEDENCE. */
  honorCipherOrder: boolean;
}

/** What libvirt uses when tls_priority is not set (libvirt's build default). */
export const DEFAULT_TLS_PRIORITY = 'NORMAL';

const AES128_FIRST = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
];
const STRONGEST_FIRST = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
];
const KEY_256 = STRONGEST_FIRST.filter((c) => !c.includes('128'));

const KEYWORDS: Record<string, string[] | undefined> = {
  NORMAL: undefined,
  PERFORMANCE: AES128_FIRST,
  SECURE128: STRONGEST_FIRST,
  SECURE192: KEY_256,
  SECURE256: KEY_256,
};

const VERSIONS: Record<string, Version> = { 'TLS1.2': 'TLSv1.2', 'TLS1.3': 'TLSv1.3' };
const ORDER: readonly Version[] = ['TLSv1.2', 'TLSv1.3'];

export const SUPPORTED_TLS_PRIORITY =
  `${Object.keys(KEYWORDS).join(', ')} first, then any of ` +
  '-VERS-TLS1.2, -VERS-TLS1.3, +VERS-TLS1.2, +VERS-TLS1.3, -VERS-ALL, %SERVER_PRECEDENCE';

/** Thrown for a priority string outside the subset; the caller adds where it came from. */
export class TlsPriorityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsPriorityError';
  }
}

function refuse(text: string, why: string): never {
  throw new TlsPriorityError(`${why} in "${text}" (xvirt supports ${SUPPORTED_TLS_PRIORITY})`);
}

/** Parses a priority string; throws TlsPriorityError naming the first element it cannot honour. */
export function parseTlsPriority(text: string): TlsPriority {
  const [keyword = '', ...modifiers] = text.split(':');
  const base = keyword.toUpperCase();
  if (!(base in KEYWORDS)) refuse(text, keyword === '' ? 'no keyword' : `unsupported keyword '${keyword}'`);
  const allowed = new Set<Version>(ORDER);
  let honorCipherOrder = false;
  for (const element of modifiers) {
    const upper = element.toUpperCase();
    const vers = /^([+-])VERS-(.+)$/.exec(upper);
    if (upper === '%SERVER_PRECEDENCE') {
      honorCipherOrder = true;
    } else if (upper === '-VERS-ALL') {
      allowed.clear();
    } else if (vers && VERSIONS[vers[2]!]) {
      if (vers[1] === '+') allowed.add(VERSIONS[vers[2]!]!);
      else allowed.delete(VERSIONS[vers[2]!]!);
    } else if (vers) {
      refuse(text, `unsupported protocol version '${element}' (TLS 1.2 is xvirt's oldest)`);
    } else {
      refuse(text, `unsupported element '${element}'`);
    }
  }
  const versions = ORDER.filter((v) => allowed.has(v));
  if (versions.length === 0) refuse(text, 'no protocol version left');
  const ciphers = KEYWORDS[base];
  return {
    minVersion: versions[0]!,
    maxVersion: versions[versions.length - 1]!,
    ...(ciphers ? { ciphers: ciphers.join(':') } : {}),
    honorCipherOrder,
  };
}

/** The options to spread into tls.connect (the protocol versions and ciphers). */
export function tlsPriorityOptions(
  p: TlsPriority,
): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  return { minVersion: p.minVersion, maxVersion: p.maxVersion, ...(p.ciphers ? { ciphers: p.ciphers } : {}) };
}

/**
 * The options to spread into tls.createServer. Node's servers prefer their own
 * cipher order unless told otherwise; GnuTLS's follow the client's unless
 * %SERVER_PRECEDENCE, so the choice is always passed explicitly.
 */
export function tlsServerPriorityOptions(
  p: TlsPriority,
): ReturnType<typeof tlsPriorityOptions> & { honorCipherOrder: boolean } {
  return { ...tlsPriorityOptions(p), honorCipherOrder: p.honorCipherOrder };
}
