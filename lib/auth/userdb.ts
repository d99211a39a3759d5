/**
 * xvirtd's SASL user database: one user per line,
 *   name:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
 * (base64 fields; PostgreSQL's spelling of the same RFC 5802 values). No
 * password is ever stored, only salted, iterated derivations. The file must
 * not be readable by group or others: the keys allow offline guessing.
 * Writes go to a temporary file renamed into place, so a crash never leaves a
 * half-written database.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { removeStaleTemporaries, writeFileAtomic } from '../atomic-file';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { deriveCredentials, MAX_ITERATIONS, MIN_ITERATIONS, SCRAM_SHA_256, type ScramCredentials } from './scram';

export const DEFAULT_ITERATIONS = 15000;
const NAME_RE = /^[A-Za-z0-9._@+-]{1,64}$/;
const B64 = '[A-Za-z0-9+/]+={0,2}';
const LINE_RE = new RegExp(`^([^:]+):${SCRAM_SHA_256.replace(/-/g, '\\-')}\\$(\\d+):(${B64})\\$(${B64}):(${B64})$`);

export type UserDatabase = Map<string, ScramCredentials>;

function dbError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.CONF, detail);
}

export function checkUserName(name: string): string {
  if (!NAME_RE.test(name)) throw dbError(`bad user name '${name}': use 1-64 of A-Z a-z 0-9 . _ @ + -`);
  return name;
}

export function parseUserDatabase(text: string, source: string): UserDatabase {
  const db: UserDatabase = new Map();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE_RE.exec(line);
    if (!m) throw dbError(`${source}:${i + 1}: expected 'name:SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey'`);
    const [, name, iterText, salt, storedKey, serverKey] = m;
    checkUserName(name!);
    const iterations = Number(iterText);
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw dbError(`${source}:${i + 1}: iteration count ${iterations} outside ${MIN_ITERATIONS}-${MAX_ITERATIONS}`);
    }
    const creds = {
      iterations,
      salt: Buffer.from(salt!, 'base64'),
      storedKey: Buffer.from(storedKey!, 'base64'),
      serverKey: Buffer.from(serverKey!, 'base64'),
    };
    if (creds.storedKey.length !== 32 || creds.serverKey.length !== 32 || creds.salt.length < 8) {
      throw dbError(`${source}:${i + 1}: key or salt has the wrong length`);
    }
    if (db.has(name!)) throw dbError(`${source}:${i + 1}: user '${name}' appears twice`);
    db.set(name!, creds);
  });
  return db;
}

export function formatUserDatabase(db: UserDatabase): string {
  const lines = [...db].map(
    ([name, c]) =>
      `${name}:${SCRAM_SHA_256}$${c.iterations}:${c.salt.toString('base64')}$${c.storedKey.toString('base64')}:${c.serverKey.toString('base64')}`,
  );
  return `# xvirtd SASL users (SCRAM-SHA-256). Edit with xvirt-sasl-passwd.\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

/** Reads the database, refusing one that group or others could read. */
export function loadUserDatabase(path: string): UserDatabase {
  return readUserDatabase(path, false);
}

/** Loads, or returns an empty database when the file does not exist yet (cannot be stat'ed, as before). */
export function loadOrCreate(path: string): UserDatabase {
  return readUserDatabase(path, true);
}

function readUserDatabase(path: string, missingIsEmpty: boolean): UserDatabase {
  let text: string;
  try {
    let st: Stats;
    try {
      st = statSync(path);
    } catch (err) {
      if (missingIsEmpty) return new Map();
      throw err;
    }
    if ((st.mode & 0o077) !== 0) {
      throw dbError(
        `SASL user database '${path}' is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof XvirtError) throw err;
    throw dbError(`cannot read SASL user database '${path}': ${(err as Error).message}`);
  }
  return parseUserDatabase(text, path);
}

/** Writes the database atomically (lib/atomic-file.ts) with mode 0600. */
export async function saveUserDatabase(path: string, db: UserDatabase): Promise<void> {
  try {
    await removeStaleTemporaries(path);
    await writeFileAtomic(path, formatUserDatabase(db), 0o600);
  } catch (err) {
    throw dbError(`cannot write SASL user database '${path}': ${(err as Error).message}`);
  }
}

/** Adds or replaces a user with a fresh random salt. */
export async function setUserPassword(
  db: UserDatabase,
  name: string,
  password: string,
  iterations: number = DEFAULT_ITERATIONS,
): Promise<void> {
  checkUserName(name);
  if (password.length === 0) throw dbError('empty password');
  if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw dbError(`iterations must be ${MIN_ITERATIONS}-${MAX_ITERATIONS}`);
  }
  db.set(name, await deriveCredentials(password, randomBytes(16), iterations));
}
