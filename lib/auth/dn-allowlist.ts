/**
 * libvirtd's `tls_allowed_dn_list`: glob patterns matched against the
 * subject DN of a client certificate that already passed CA verification.
 *
 * Semantics follow libvirtd: the setting absent means any CA-verified
 * certificate is let in; an empty list lets nobody in (libvirtd.conf warns
 * about exactly this). `*` matches any run of characters (commas included),
 * `?` one character; everything else is literal and the whole DN must match.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

const MAX_PATTERNS = 1024;
const MAX_PATTERN_LENGTH = 1024;

/**
 * The DN string patterns are written against: RDNs in certificate order,
 * joined by commas, e.g. 'C=GB,O=Example Org,CN=client1' (as GnuTLS prints it
 * for libvirtd). Node gives them newline-separated with RFC 2253 escaping, so
 * a value containing ',' stays escaped ('O=Evil\, Inc') and cannot forge an RDN.
 */
export function subjectToDn(nodeSubject: string): string {
  return nodeSubject.split('\n').join(',');
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

export type DnAllowlist = (dn: string) => boolean;

/**
 * Compiles a glob allowlist setting (`setting` names it in errors).
 * `undefined` (setting absent) allows everyone who authenticated; `[]` allows nobody.
 */
export function compileGlobAllowlist(setting: string, patterns: readonly string[] | undefined): DnAllowlist {
  if (patterns === undefined) return () => true;
  if (!Array.isArray(patterns) || patterns.length > MAX_PATTERNS) {
    throw XvirtError.of(
      ErrorNumber.CONF_SYNTAX,
      ErrorDomain.CONF,
      `${setting} must be a list of at most ${MAX_PATTERNS} strings`,
    );
  }
  const compiled = patterns.map((p, i) => {
    if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATTERN_LENGTH) {
      throw XvirtError.of(
        ErrorNumber.CONF_SYNTAX,
        ErrorDomain.CONF,
        `${setting} entry ${i + 1} must be a non-empty string of at most ${MAX_PATTERN_LENGTH} characters`,
      );
    }
    return globToRegExp(p);
  });
  return (candidate) => compiled.some((re) => re.test(candidate));
}

/** tls_allowed_dn_list. */
export function compileDnAllowlist(patterns: readonly string[] | undefined): DnAllowlist {
  return compileGlobAllowlist('tls_allowed_dn_list', patterns);
}
