/**
 * SASL over libvirt's procedures, without a daemon: the client's
 * authenticate() talks to a SaslServerSession through the real XDR codecs,
 * against a user database written and read back from disk.
 */
import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, type AuthCaller } from '../../../lib/auth/sasl-client';
import { RemoteProcedure } from '../../../lib/rpc/procedures';
import {
  AUTH_SASL_INIT,
  AUTH_SASL_START,
  AUTH_SASL_STEP,
  fromWire,
  saslBytes,
  toWire,
} from '../../../lib/auth/sasl-protocol';
import { SaslServerSession, MAX_SASL_FAILURES } from '../../../lib/auth/sasl-server';
import { loadUserDatabase, saveUserDatabase, setUserPassword, type UserDatabase } from '../../../lib/auth/userdb';
import { credentialsFromFile } from '../../../lib/auth/auth-file';
import { compileGlobAllowlist } from '../../../lib/auth/dn-allowlist';
import { decode, encode } from '../../../lib/rpc/xdr';
import { AuthType } from '../../../lib/rpc/protocol';
import { parseUri } from '../../../lib/uri';
import { ErrorNumber, XvirtError } from '../../../lib/errors';

const dir = mkdtempSync(join(tmpdir(), 'xvirt-sasl-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const dbPath = join(dir, 'users.db');
let users: UserDatabase;

t.before(async () => {
  const db: UserDatabase = new Map();
  await setUserPassword(db, 'alice', 'wonderland', 4096);
  await setUserPassword(db, 'bob', 'builder', 4096);
  await saveUserDatabase(dbPath, db);
  users = loadUserDatabase(dbPath);
});

const {
  AUTH_SASL_INIT: PROC_AUTH_SASL_INIT,
  AUTH_SASL_START: PROC_AUTH_SASL_START,
  AUTH_SASL_STEP: PROC_AUTH_SASL_STEP,
} = RemoteProcedure;
const SPECS = {
  [PROC_AUTH_SASL_INIT]: AUTH_SASL_INIT,
  [PROC_AUTH_SASL_START]: AUTH_SASL_START,
  [PROC_AUTH_SASL_STEP]: AUTH_SASL_STEP,
};

/** Routes calls to a server session through encode → decode on both directions. */
function wire(session: SaslServerSession, trace: string[]): AuthCaller {
  return {
    async call(proc, args) {
      const s = SPECS[proc as keyof typeof SPECS] as unknown as {
        args: Parameters<typeof encode>[0];
        ret: Parameters<typeof encode>[0];
      };
      const decoded = decode(s.args, encode(s.args, args)) as { mech?: string; nil: boolean; data: Buffer };
      let ret: unknown;
      if (proc === PROC_AUTH_SASL_INIT) ret = { mechlist: session.init() };
      else if (proc === PROC_AUTH_SASL_START) {
        const r = session.start(decoded.mech!, fromWire(decoded));
        ret = { complete: r.complete, ...toWire(r.data) };
      } else if (proc === PROC_AUTH_SASL_STEP) {
        const r = session.step(fromWire(decoded));
        ret = { complete: r.complete, ...toWire(r.data) };
      } else throw new Error(`unexpected procedure ${proc}`);
      trace.push(`${proc}`);
      return decode(s.ret, encode(s.ret, ret));
    },
  };
}

const uri = parseUri('test+tls://localhost/default');
const logger = (logs: string[]) => ({ info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`warn ${m}`) });

t.test('a user in the database authenticates through INIT, START, STEP', async (t) => {
  const logs: string[] = [];
  const trace: string[] = [];
  const session = new SaslServerSession({ users: () => users }, logger(logs), 'peer1');
  await authenticate(wire(session, trace), [AuthType.SASL], uri, {
    credentials: { username: 'alice', password: 'wonderland' },
  });
  t.equal(session.username, 'alice');
  t.same(trace, ['67', '68', '69']);
  t.match(logs.join('\n'), /peer1 authenticated as 'alice'/);
});

t.test('wrong password, unknown user, user not allowed: "authentication failed", reason logged', async (t) => {
  const cases = [
    { creds: { username: 'alice', password: 'wrong' }, allowed: undefined, reason: /wrong password for user 'alice'/ },
    { creds: { username: 'carol', password: 'x' }, allowed: undefined, reason: /unknown user 'carol'/ },
    {
      creds: { username: 'bob', password: 'builder' },
      allowed: ['al*'],
      reason: /'bob' is not on sasl_allowed_username_list/,
    },
  ];
  for (const c of cases) {
    const logs: string[] = [];
    const session = new SaslServerSession(
      { users: () => users, allowedUsernames: compileGlobAllowlist('sasl_allowed_username_list', c.allowed) },
      logger(logs),
      'p',
    );
    await t.rejects(
      authenticate(wire(session, []), [AuthType.SASL], uri, { credentials: c.creds }),
      new XvirtError(ErrorNumber.AUTH_FAILED, 7, 'authentication failed'),
    );
    t.equal(session.username, null);
    t.match(logs.join('\n'), c.reason);
  }
});

t.test('an unknown user cannot be told from a known one by the server-first message', async (t) => {
  const session = new SaslServerSession({ users: () => users }, logger([]), 'p');
  const shape = (user: string): string => {
    session.init();
    const r = session.start('SCRAM-SHA-256', Buffer.from(`n,,n=${user},r=abc`));
    return r.data!.toString().replace(/r=[^,]+,s=([^,]+),/, (_, salt: string) => `r=*,s=<${salt.length}>,`);
  };
  t.equal(shape('alice'), 'r=*,s=<24>,i=4096');
  t.equal(shape('nobody-here'), shape('alice'), 'same iteration count, salt of the same length');
});

t.test('protocol misuse is refused and counted', async (t) => {
  const session = new SaslServerSession({ users: () => users }, logger([]), 'p');
  t.throws(() => session.step(Buffer.from('x')), { message: 'authentication failed' }, 'step before start');
  t.throws(
    () => session.start('DIGEST-MD5', Buffer.from('x')),
    { message: 'authentication failed' },
    'mechanism not offered',
  );
  t.notOk(session.exhausted);
  t.throws(() => session.start('SCRAM-SHA-256', Buffer.from('garbage')), { message: 'authentication failed' });
  t.ok(session.exhausted, `dropped after ${MAX_SASL_FAILURES} failures`);
});

t.test('client side: scheme choice and missing credentials', async (t) => {
  const session = new SaslServerSession({ users: () => users }, logger([]), 'p');
  await authenticate(wire(session, []), [AuthType.NONE], uri);
  await authenticate(wire(session, []), [], uri);
  await t.rejects(authenticate(wire(session, []), [AuthType.POLKIT], uri), /polkit/);
  await t.rejects(
    authenticate(wire(session, []), [AuthType.NONE], parseUri('test+tls://h/default?auth=sasl')),
    /rejected/,
  );
  const noFile = parseUri(`test+tls://elsewhere/default?authfile=${encodeURIComponent(join(dir, 'none.conf'))}`);
  await t.rejects(authenticate(wire(session, []), [AuthType.SASL], noFile), /does not exist/);
});

t.test("credentials from libvirt's auth.conf", async (t) => {
  const file = join(dir, 'auth.conf');
  writeFileSync(
    file,
    '[credentials-a]\nauthname=alice\npassword=wonderland\n\n[auth-libvirt-localhost]\ncredentials=a\n',
  );
  t.same(credentialsFromFile(file, 'localhost'), { username: 'alice', password: 'wonderland' });
  t.equal(credentialsFromFile(file, 'otherhost'), null);
  const session = new SaslServerSession({ users: () => users }, logger([]), 'p');
  await authenticate(
    wire(session, []),
    [AuthType.SASL],
    parseUri(`test+tls://localhost/default?authfile=${encodeURIComponent(file)}`),
  );
  t.equal(session.username, 'alice');
});

t.test('user database: no plaintext, 0600, strict parsing', async (t) => {
  const text = readFileSync(dbPath, 'utf8');
  t.notMatch(text, /wonderland|builder/, 'passwords are not stored');
  t.match(text, /^alice:SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/m);
  chmodSync(dbPath, 0o644);
  t.throws(() => loadUserDatabase(dbPath), /readable by others/);
  chmodSync(dbPath, 0o600);
  const bad = join(dir, 'bad.db');
  writeFileSync(bad, 'alice:plaintext\n', { mode: 0o600 });
  t.throws(() => loadUserDatabase(bad), /bad.db:1: expected/);
  writeFileSync(bad, `${text.split('\n')[1]}\n${text.split('\n')[1]}\n`, { mode: 0o600 });
  t.throws(() => loadUserDatabase(bad), /appears twice/);
  await t.rejects(setUserPassword(new Map(), 'bad name', 'x'), /bad user name/);
});

t.test('SASL data travels as 4-byte chars with no terminator', async (t) => {
  const bytes = encode(saslBytes(16), Buffer.from([0x41, 0xff]));
  t.equal(bytes.toString('hex'), '00000002' + '00000041' + 'ffffffff', 'count 2, then sign-extended chars');
  t.same(decode(saslBytes(16), bytes), Buffer.from([0x41, 0xff]));
  t.throws(() => decode(saslBytes(1), bytes), /exceeds maximum/);
  const start = encode(AUTH_SASL_START.args, { mech: 'SCRAM-SHA-256', nil: true, data: Buffer.alloc(0) });
  t.equal(start.toString('hex').slice(-16), '0000000100000000', 'nil=1, count 0');
  t.ok(AUTH_SASL_INIT && AUTH_SASL_STEP);
});
