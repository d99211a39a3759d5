/**
 * libvirt's client credential file (auth.conf), so one file serves both virsh
 * and xvirt:
 *
 *   [credentials-admin]
 *   authname=admin
 *   password=secret
 *
 *   [auth-libvirt-myhost]      # or [auth-libvirt-default]
 *   credentials=admin
 *
 * Looked up as libvirt does: the `authfile` URI parameter, else
 * $LIBVIRT_AUTH_FILE, else $XDG_CONFIG_HOME/libvirt/auth.conf (~/.config/...),
 * else /etc/libvirt/auth.conf.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { uriParam, type ConnectionUri } from '../uri';

export interface SaslCredentials {
  username: string;
  password: string;
}

function authError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.AUTH, detail);
}

type Sections = Map<string, Map<string, string>>;

export function parseAuthFile(text: string, source: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !current) throw authError(`${source}:${i + 1}: expected '[section]' or 'key=value'`);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return sections;
}

/** The auth file this URI would use, or null when there is none. */
export function locateAuthFile(uri: ConnectionUri, env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = uriParam(uri, 'authfile') ?? env.LIBVIRT_AUTH_FILE;
  if (explicit) {
    if (!existsSync(explicit)) throw authError(`authentication file '${explicit}' does not exist`);
    return explicit;
  }
  const user = join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'libvirt', 'auth.conf');
  for (const candidate of [user, '/etc/libvirt/auth.conf']) if (existsSync(candidate)) return candidate;
  return null;
}

/**
 * Credentials for `service` (libvirt uses 'libvirt') on `host` from the auth
 * file, or null when the file has none for this host.
 */
export function credentialsFromFile(path: string, host: string, service = 'libvirt'): SaslCredentials | null {
  if (statSync(path).size > 1 << 20) throw authError(`authentication file '${path}' is larger than 1 MiB`);
  const sections = parseAuthFile(readFileSync(path, 'utf8'), path);
  const auth = sections.get(`auth-${service}-${host}`) ?? sections.get(`auth-${service}-default`);
  const name = auth?.get('credentials');
  if (!name) return null;
  const creds = sections.get(`credentials-${name}`);
  if (!creds) throw authError(`${path}: [auth-${service}-...] refers to missing [credentials-${name}]`);
  const username = creds.get('authname') ?? creds.get('username');
  const password = creds.get('password');
  if (!username || password === undefined)
    throw authError(`${path}: [credentials-${name}] needs authname and password`);
  return { username, password };
}
