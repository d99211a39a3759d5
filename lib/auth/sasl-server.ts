/**
 * The server side of libvirt's SASL authentication (AUTH_SASL_INIT / START /
 * STEP) with the one mechanism xvirtd offers, SCRAM-SHA-256, against the user
 * database. One SaslServerSession per client connection.
 *
 * SCRAM has no security layer, so it is only offered where the channel below
 * is already protected (TLS or a local socket); the daemon's config refuses
 * `auth_tcp = "sasl"`. Failures reach the client as libvirt's bare
 * "authentication failed" (code 45, domain RPC); the reason goes to the log.
 */
import type { XvirtError } from '../errors';
import type { DnAllowlist } from './dn-allowlist';
import { authFailedError } from './sasl-protocol';
import { SCRAM_SHA_256, ScramServer } from './scram';
import { DEFAULT_ITERATIONS, type UserDatabase } from './userdb';
import type { SecurityLogger } from './tls-server';

/** Failed SASL exchanges one connection may make before it is dropped. */
export const MAX_SASL_FAILURES = 3;

export interface SaslServerConfig {
  /** The current user database (re-read by the daemon when it changes). */
  users: () => UserDatabase;
  /**
   * sasl_allowed_username_list, compiled once by the daemon (compileGlobAllowlist);
   * undefined = any user in the database.
   */
  allowedUsernames?: DnAllowlist | undefined;
}

export interface SaslStepResult {
  complete: boolean;
  /** null = no data (libvirt's nil = 1). */
  data: Buffer | null;
}

export class SaslServerSession {
  readonly #config: SaslServerConfig;
  readonly #allowed: DnAllowlist;
  readonly #log: SecurityLogger;
  readonly #peer: string;
  /** Set by START, cleared when the exchange ends: an exchange is in progress while it is set. */
  #scram: ScramServer | null = null;
  /** client-first was answered; the next step carries client-final. */
  #awaitingFinal = false;
  #failures = 0;
  #username: string | null = null;

  constructor(config: SaslServerConfig, log: SecurityLogger, peer: string) {
    this.#config = config;
    this.#allowed = config.allowedUsernames ?? (() => true);
    this.#log = log;
    this.#peer = peer;
  }

  /** The authenticated user, once an exchange completed. */
  get username(): string | null {
    return this.#username;
  }
  /** True once the client used up its attempts: the daemon should drop it. */
  get exhausted(): boolean {
    return this.#failures >= MAX_SASL_FAILURES;
  }

  /** AUTH_SASL_INIT: the mechanism list, comma-separated as Cyrus prints it. */
  init(): string {
    if (this.#username) throw this.#refuse('already authenticated');
    this.#scram = null;
    this.#awaitingFinal = false;
    return SCRAM_SHA_256;
  }

  /** AUTH_SASL_START. */
  start(mech: string, data: Buffer | null): SaslStepResult {
    if (this.#username) throw this.#refuse('already authenticated');
    if (this.#scram) throw this.#refuse('SASL start while an exchange is in progress');
    if (mech !== SCRAM_SHA_256) throw this.#refuse(`mechanism '${mech.slice(0, 40)}' not offered`);
    const users = this.#config.users();
    // Unknown users are told the iteration count real users have, so the answer does not tell them apart.
    const decoy = users.values().next().value?.iterations ?? DEFAULT_ITERATIONS;
    this.#scram = new ScramServer((user) => users.get(user), undefined, decoy);
    // A client that sends nothing yet gets an empty challenge; its client-first comes in the first step.
    if (data === null || data.length === 0) return { complete: false, data: Buffer.alloc(0) };
    return this.#first(data);
  }

  /** AUTH_SASL_STEP. */
  step(data: Buffer | null): SaslStepResult {
    if (!this.#scram) throw this.#refuse('SASL step without start');
    if (data === null) throw this.#refuse('SASL step without data');
    const scram = this.#scram;
    if (!this.#awaitingFinal) return this.#first(data);
    this.#scram = null;
    this.#awaitingFinal = false;
    let username: string;
    let serverFinal: string;
    try {
      ({ username, serverFinal } = scram.finish(data.toString('utf8')));
    } catch (err) {
      throw this.#refuse((err as Error).message);
    }
    if (!this.#allowed(username)) throw this.#refuse(`user '${username}' is not on sasl_allowed_username_list`);
    this.#username = username;
    this.#log.info(`SASL client ${this.#peer} authenticated as '${username}' (${SCRAM_SHA_256})`);
    return { complete: true, data: Buffer.from(serverFinal, 'utf8') };
  }

  #first(data: Buffer): SaslStepResult {
    try {
      const serverFirst = this.#scram!.start(data.toString('utf8'));
      this.#awaitingFinal = true;
      return { complete: false, data: Buffer.from(serverFirst, 'utf8') };
    } catch (err) {
      this.#scram = null;
      throw this.#refuse((err as Error).message);
    }
  }

  #refuse(reason: string): XvirtError {
    this.#failures++;
    this.#awaitingFinal = false;
    this.#log.warn(`SASL client ${this.#peer} refused: ${reason}`);
    return authFailedError();
  }
}
