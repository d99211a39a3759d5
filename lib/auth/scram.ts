/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash), both ends, as pure message
 * transformers: no I/O, no SASL framing. The SASL layer (sasl-server.ts,
 * sasl-client.ts) carries these strings inside libvirt's AUTH_SASL_* calls.
 *
 * Channel binding is not offered (no -PLUS variant): the TLS or UNIX channel
 * below is what protects the session after authentication.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

const pbkdf2Async = promisify(pbkdf2);

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/** RFC 7677 §4: at least 4096. */
export const MIN_ITERATIONS = 4096;
/** Upper bound a client accepts, so a hostile server cannot make it spin for minutes. */
export const MAX_ITERATIONS = 1_000_000;
const MAX_MESSAGE = 4096;
const MAX_NONCE = 256;
const KEY_LEN = 32;

/** What a server stores per user instead of the password (RFC 5802 §3). */
export interface ScramCredentials {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function fail(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.AUTH, `SCRAM-SHA-256: ${detail}`);
}

const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * A conservative SASLprep (RFC 4013): non-ASCII spaces become spaces, the
 * "mapped to nothing" characters go, NFKC; control characters are refused.
 */
export function saslPrep(text: string): string {
  const mapped = text
    .replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
    // eslint-disable-next-line no-misleading-character-class -- each listed code point is removed on its own
    .replace(/[\u00ad\u034f\u1806\u180b-\u180d\u200c\u200d\u2060\ufe00-\ufe0f\ufeff]/g, '')
    .normalize('NFKC');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ufff9-\ufffd]/.test(mapped))
    throw fail('password or user name contains a control character');
  if (mapped.length === 0) throw fail('empty password or user name');
  return mapped;
}

/** Derives the stored form of a password (what a user database keeps). */
export async function deriveCredentials(password: string, salt: Buffer, iterations: number): Promise<ScramCredentials> {
  const salted = await saltedPassword(password, salt, iterations);
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

async function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return pbkdf2Async(saslPrep(password), salt, iterations, KEY_LEN, 'sha256');
}

/** Parses 'a=x,b=y' with the attribute letters expected in order (extra trailing ones allowed when `open`). */
function attributes(message: string, expected: string[], what: string): string[] {
  if (message.length > MAX_MESSAGE) throw fail(`${what} longer than ${MAX_MESSAGE} characters`);
  const parts = message.split(',');
  if (parts.length < expected.length) throw fail(`malformed ${what}: '${message}'`);
  return expected.map((name, i) => {
    const part = parts[i]!;
    if (!part.startsWith(`${name}=`)) throw fail(`malformed ${what}: expected '${name}=' in '${message}'`);
    return part.slice(2);
  });
}

function checkNonce(nonce: string, what: string): string {
  if (nonce.length === 0 || nonce.length > MAX_NONCE || !/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) {
    throw fail(`bad ${what} nonce`);
  }
  return nonce;
}

function escapeName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function unescapeName(saslname: string): string {
  if (/=(?!2C|3D)/.test(saslname)) throw fail('bad escape in user name');
  return saslname.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function decodeBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw fail(`${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function newNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The client side: first() → final(serverFirst) → verifyServer(serverFinal). */
export class ScramClient {
  readonly #username: string;
  readonly #password: string;
  readonly #nonce: string;
  #authMessage = '';
  #serverSignature: Buffer | null = null;

  /** `nonce` is for golden tests only; normally a fresh random one is made. */
  constructor(username: string, password: string, nonce: string = newNonce()) {
    this.#username = saslPrep(username);
    this.#password = password;
    this.#nonce = checkNonce(nonce, 'client');
  }

  get #firstBare(): string {
    return `n=${escapeName(this.#username)},r=${this.#nonce}`;
  }

  /** client-first-message (gs2 header 'n,,': no channel binding, no authzid). */
  first(): string {
    return `n,,${this.#firstBare}`;
  }

  /** Answers server-first-message with client-final-message. */
  async final(serverFirst: string): Promise<string> {
    const [nonce, saltText, iterText] = attributes(serverFirst, ['r', 's', 'i'], 'server-first-message');
    checkNonce(nonce!, 'server');
    if (!nonce!.startsWith(this.#nonce) || nonce!.length === this.#nonce.length) {
      throw fail('server nonce does not extend the client nonce');
    }
    const iterations = Number(iterText);
    if (!/^[0-9]+$/.test(iterText!) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw fail(`iteration count ${iterText} outside ${MIN_ITERATIONS}-${MAX_ITERATIONS}`);
    }
    const salt = decodeBase64(saltText!, 'salt');
    if (salt.length === 0) throw fail('empty salt');
    const salted = await saltedPassword(this.#password, salt, iterations);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    this.#authMessage = `${this.#firstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(salted, 'Client Key');
    const proof = xor(clientKey, hmac(sha256(clientKey), this.#authMessage));
    this.#serverSignature = hmac(hmac(salted, 'Server Key'), this.#authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks server-final-message; throws unless the server proved it knows our credentials. */
  verifyServer(serverFinal: string): void {
    if (!this.#serverSignature) throw fail('server-final-message before server-first-message');
    if (serverFinal.startsWith('e=')) throw fail(`server refused: ${serverFinal.slice(2, 200)}`);
    const [signature] = attributes(serverFinal, ['v'], 'server-final-message');
    const got = decodeBase64(signature!, 'server signature');
    if (got.length !== KEY_LEN || !timingSafeEqual(got, this.#serverSignature)) {
      throw fail('server signature does not match: the server does not know this password');
    }
  }
}

/** Looks a user up; undefined for an unknown user. */
export type CredentialLookup = (username: string) => ScramCredentials | undefined;

/** Per-process secret so that unknown users get stable fake salts (no user enumeration). */
const FAKE_SALT_KEY = randomBytes(32);

/** The server side of one exchange: start(clientFirst) → finish(clientFinal). */
export class ScramServer {
  readonly #lookup: CredentialLookup;
  readonly #serverNonce: string;
  #state: {
    username: string;
    nonce: string;
    gs2: string;
    authPrefix: string;
    creds: ScramCredentials | undefined;
  } | null = null;

  readonly #decoyIterations: number;

  /**
   * `decoyIterations` is what an unknown user is told (with a stable fake
   * salt), so that it looks like the real users' count; `serverNonce` is for
   * golden tests only.
   */
  constructor(lookup: CredentialLookup, serverNonce: string = newNonce(), decoyIterations: number = MIN_ITERATIONS) {
    this.#lookup = lookup;
    this.#serverNonce = checkNonce(serverNonce, 'server');
    this.#decoyIterations = decoyIterations;
  }

  /** Reads client-first-message; returns server-first-message. */
  start(clientFirst: string): string {
    if (this.#state) throw fail('exchange already started');
    if (clientFirst.length > MAX_MESSAGE) throw fail('client-first-message too long');
    const gs2 = /^([ny]),(a=[^,]*)?,/.exec(clientFirst);
    if (!gs2) {
      throw fail(clientFirst.startsWith('p=') ? 'channel binding requested but not offered' : 'malformed gs2 header');
    }
    const bare = clientFirst.slice(gs2[0].length);
    const [saslname, clientNonce] = attributes(bare, ['n', 'r'], 'client-first-message');
    const username = unescapeName(saslname!);
    // Some clients (Cyrus) name themselves as authorization identity too; acting as anyone else is not offered.
    if (gs2[2] && unescapeName(gs2[2].slice(2)) !== username)
      throw fail('authorization identity (a=) other than the user is not supported');
    if (username.length === 0 || username.length > 256) throw fail('bad user name length');
    const nonce = checkNonce(clientNonce!, 'client') + this.#serverNonce;
    const creds = this.#lookup(username);
    const salt = creds?.salt ?? hmac(FAKE_SALT_KEY, username).subarray(0, 16);
    const iterations = creds?.iterations ?? this.#decoyIterations;
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.#state = { username, nonce, gs2: gs2[0], authPrefix: `${bare},${serverFirst}`, creds };
    return serverFirst;
  }

  /** Checks client-final-message; returns the authenticated user name and server-final-message. */
  finish(clientFinal: string): { username: string; serverFinal: string } {
    const state = this.#state;
    if (!state) throw fail('client-final-message before client-first-message');
    this.#state = null;
    const [binding, nonce] = attributes(clientFinal, ['c', 'r'], 'client-final-message');
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw fail('client-final-message has no proof');
    if (decodeBase64(binding!, 'channel binding').toString('latin1') !== state.gs2)
      throw fail('channel binding mismatch');
    if (nonce !== state.nonce) throw fail('nonce mismatch');
    const proof = decodeBase64(clientFinal.slice(proofAt + 3), 'proof');
    const authMessage = `${state.authPrefix},${clientFinal.slice(0, proofAt)}`;
    const creds = state.creds;
    if (!creds) throw fail(`unknown user '${state.username}'`);
    if (proof.length !== KEY_LEN) throw fail('proof has the wrong length');
    const clientKey = xor(proof, hmac(creds.storedKey, authMessage));
    if (!timingSafeEqual(sha256(clientKey), creds.storedKey)) throw fail(`wrong password for user '${state.username}'`);
    const serverSignature = hmac(creds.serverKey, authMessage);
    return { username: state.username, serverFinal: `v=${serverSignature.toString('base64')}` };
  }
}
