/**
 * One daemon client's authentication state: which scheme its listener
 * demands, whether it has passed, and who it is (TLS subject DN, SASL user,
 * unix peer). The dispatcher refuses every procedure but AUTH_* and the
 * keepalive probe until `authenticated` (libvirtd's rule). The SASL server
 * and user database (and with them node:crypto) load with the first client of
 * a SASL listener: a daemon without one never holds them.
 */
import { AuthType } from '../rpc/protocol';
import type { SaslServerSession } from './sasl-server';
import type { SecurityConfig } from './daemon-config';
import type { SecurityLogger } from './tls-server';
import type { UserDatabase } from './userdb';
import { statSync } from 'node:fs';
import type { UnixPeer } from './peercred';
import { compileGlobAllowlist, type DnAllowlist } from './dn-allowlist';

export interface PeerIdentity {
  /** The daemon's number for this client (log lines carry it). */
  client: number;
  /** 'unix-rw', 'unix-ro', 'tcp', 'tls'. */
  listener: string;
  /** Where the client came from: socket path, or address:port. */
  address: string;
  /** TLS: the verified certificate subject. */
  x509dn?: string;
  /** Set once SASL succeeded. */
  saslUser?: string;
  /** Unix sockets: the peer process from SO_PEERCRED (lib/auth/peercred.ts; null: could not tell). */
  unixPeer?: UnixPeer | null;
  /** Drops the connection (the session notices the socket closing and cleans up). */
  hangUp(): void;
}

/** Caches the user database, re-reading it when the file changes (so users can be added without a restart). */
export class UserDatabaseCache {
  readonly #path: string;
  #db: UserDatabase = new Map();
  #stamp = '';

  constructor(path: string) {
    this.#path = path;
  }

  get(): UserDatabase {
    try {
      const st = statSync(this.#path);
      const stamp = `${st.ino}:${st.mtimeMs}:${st.size}`;
      if (stamp !== this.#stamp) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        this.#db = (require('./userdb') as typeof import('./userdb')).loadUserDatabase(this.#path);
        this.#stamp = stamp;
      }
    } catch {
      // A missing or broken database lets nobody in; the reason is logged by the SASL session's refusal.
      this.#db = new Map();
      this.#stamp = '';
    }
    return this.#db;
  }
}

const caches = new Map<string, UserDatabaseCache>();

function userCache(path: string): UserDatabaseCache {
  let cache = caches.get(path);
  if (!cache) caches.set(path, (cache = new UserDatabaseCache(path)));
  return cache;
}

/** sasl_allowed_username_list compiled once per daemon configuration (and again only if the list is replaced). */
const usernameAllowlists = new WeakMap<SecurityConfig, { list: readonly string[] | undefined; allowed: DnAllowlist }>();

function usernameAllowlist(security: SecurityConfig): DnAllowlist {
  const list = security.saslAllowedUsernameList;
  let entry = usernameAllowlists.get(security);
  if (!entry || entry.list !== list) {
    usernameAllowlists.set(
      security,
      (entry = { list, allowed: compileGlobAllowlist('sasl_allowed_username_list', list) }),
    );
  }
  return entry.allowed;
}

export class SessionAuth {
  readonly scheme: 'none' | 'sasl';
  readonly identity: PeerIdentity;
  readonly sasl: SaslServerSession | null;
  readonly #log: SecurityLogger;
  #authenticated: boolean;
  #deadline: NodeJS.Timeout | null = null;
  readonly #onAuthenticated: (() => void) | undefined;

  /** `onAuthenticated` runs once, when a client that started unauthenticated passes (only such a client needs one). */
  constructor(
    scheme: 'none' | 'sasl',
    identity: PeerIdentity,
    security: SecurityConfig,
    log: SecurityLogger,
    onAuthenticated?: () => void,
  ) {
    this.scheme = scheme;
    this.#onAuthenticated = onAuthenticated;
    this.identity = identity;
    this.#log = log;
    this.#authenticated = scheme === 'none';
    if (!this.#authenticated && security.authTimeout > 0) {
      this.#deadline = setTimeout(() => {
        log.warn(
          `client ${identity.client} (${identity.listener} ${identity.address}): not authenticated within auth_timeout (${security.authTimeout} s), disconnecting`,
        );
        identity.hangUp();
      }, security.authTimeout * 1000);
      this.#deadline.unref();
    }
    const cache = scheme === 'sasl' ? userCache(security.saslUserDb) : null;
    this.sasl = cache
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports
        new (require('./sasl-server') as typeof import('./sasl-server')).SaslServerSession(
          { users: () => cache.get(), allowedUsernames: usernameAllowlist(security) },
          log,
          `client ${identity.client} (${identity.listener} ${identity.address})`,
        )
      : null;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Logs a call refused by policy (read-only, not yet authenticated) before it reached any driver. */
  refused(procedure: string, why: string): void {
    const who = this.identity.unixPeer
      ? ` pid ${this.identity.unixPeer.pid} uid ${this.identity.unixPeer.uid}`
      : this.identity.x509dn
        ? ` '${this.identity.x509dn}'`
        : '';
    this.#log.warn(
      `client ${this.identity.client} (${this.identity.listener} ${this.identity.address}${who}): ` +
        `${procedure} refused: ${why}`,
    );
  }

  /** AUTH_LIST's answer: the listener's one scheme, as libvirtd answers. */
  types(): AuthType[] {
    return [this.scheme === 'sasl' ? AuthType.SASL : AuthType.NONE];
  }

  /** Called by the SASL handlers after each step; true once the client is in. */
  settle(): boolean {
    if (this.sasl?.username && !this.#authenticated) {
      this.#authenticated = true;
      this.identity.saslUser = this.sasl.username;
      if (this.#deadline) clearTimeout(this.#deadline);
      this.#deadline = null;
      this.#onAuthenticated?.();
    }
    return this.#authenticated;
  }
}
