import t, { type Test } from 'tap';
import { deriveCredentials, saslPrep, ScramClient, ScramServer, type ScramCredentials } from '../../../lib/auth/scram';
import { ErrorNumber, XvirtError } from '../../../lib/errors';

// RFC 7677 §3, byte for byte.
const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

async function rfcCredentials(): Promise<ScramCredentials> {
  return deriveCredentials('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
}

t.test('client reproduces the RFC 7677 exchange', async (t) => {
  const client = new ScramClient('user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
  t.equal(client.first(), RFC.clientFirst);
  t.equal(await client.final(RFC.serverFirst), RFC.clientFinal);
  t.doesNotThrow(() => client.verifyServer(RFC.serverFinal));
});

t.test('server reproduces the RFC 7677 exchange', async (t) => {
  const creds = await rfcCredentials();
  const server = new ScramServer((u) => (u === 'user' ? creds : undefined), RFC.serverNonce);
  t.equal(server.start(RFC.clientFirst), RFC.serverFirst);
  t.same(server.finish(RFC.clientFinal), { username: 'user', serverFinal: RFC.serverFinal });
});

function authFailed(t: Test, fn: () => unknown, pattern: RegExp): Promise<void> | void {
  const check = (err: unknown): void => {
    t.ok(err instanceof XvirtError, 'XvirtError');
    t.equal((err as XvirtError).number, ErrorNumber.AUTH_FAILED);
    t.match((err as Error).message, pattern);
  };
  try {
    const r = fn();
    if (r instanceof Promise)
      return r.then(() => {
        t.fail('expected a rejection');
      }, check);
    t.fail('expected a throw');
  } catch (err) {
    check(err);
  }
}

t.test('server refuses a wrong password, an unknown user, tampering', async (t) => {
  const creds = await rfcCredentials();
  const lookup = (u: string): ScramCredentials | undefined => (u === 'user' ? creds : undefined);

  const wrong = new ScramClient('user', 'pencil2');
  const s1 = new ScramServer(lookup);
  const final1 = await wrong.final(s1.start(wrong.first()));
  await authFailed(t, () => s1.finish(final1), /wrong password/);

  const ghost = new ScramClient('ghost', 'pencil');
  const s2 = new ScramServer(lookup);
  const first2 = s2.start(ghost.first());
  t.match(first2, /,i=4096$/, 'an unknown user still gets a plausible salt');
  const final2 = await ghost.final(first2);
  await authFailed(t, () => s2.finish(final2), /unknown user/);

  const good = new ScramClient('user', 'pencil');
  const s3 = new ScramServer(lookup);
  const final3 = await good.final(s3.start(good.first()));
  await authFailed(t, () => s3.finish(final3.replace(/r=[^,]+/, 'r=forged')), /nonce mismatch/);
  await authFailed(t, () => s3.finish(final3), /before client-first/);
});

t.test('client rejects a server that does not know the password', async (t) => {
  const creds = await rfcCredentials();
  const impostor = await deriveCredentials('other', creds.salt, 4096);
  const client = new ScramClient('user', 'pencil');
  const server = new ScramServer(() => impostor);
  const final = await client.final(server.start(client.first()));
  await authFailed(t, () => server.finish(final), /wrong password/);
  await authFailed(t, () => client.verifyServer('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), /does not match/);
  await authFailed(t, () => client.verifyServer('e=invalid-proof'), /server refused: invalid-proof/);
});

t.test('client bounds what a server may ask for', async (t) => {
  const mk = (): ScramClient => new ScramClient('user', 'pencil', 'abc');
  await authFailed(t, () => mk().final('r=abcdef,s=AAAA,i=100000000'), /iteration count/);
  await authFailed(t, () => mk().final('r=abcdef,s=AAAA,i=10'), /iteration count/);
  await authFailed(t, () => mk().final('r=xyz123,s=AAAA,i=4096'), /does not extend/);
  await authFailed(t, () => mk().final('r=abc,s=AAAA,i=4096'), /does not extend/);
  await authFailed(t, () => mk().final('s=AAAA,r=abcdef,i=4096'), /malformed/);
  await authFailed(t, () => mk().final('r=abcdef,s=!!!!,i=4096'), /not base64/);
  await authFailed(t, () => mk().verifyServer('v=AAAA'), /before server-first/);
});

t.test('server parses client-first strictly', async (t) => {
  const creds = await rfcCredentials();
  const mk = (): ScramServer => new ScramServer(() => creds);
  await authFailed(t, () => mk().start('p=tls-unique,,n=user,r=abc'), /channel binding requested/);
  await authFailed(t, () => mk().start('n,a=admin,n=user,r=abc'), /authorization identity/);
  t.match(mk().start('n,a=user,n=user,r=abc'), /^r=abc/, 'authorization as oneself is accepted');
  await authFailed(t, () => mk().start('x,,n=user,r=abc'), /gs2/);
  await authFailed(t, () => mk().start('n,,r=abc,n=user'), /malformed/);
  await authFailed(t, () => mk().start('n,,n=us=er,r=abc'), /bad escape/);
  await authFailed(t, () => mk().start('n,,m=ext,n=user,r=abc'), /malformed/);
  await authFailed(t, () => mk().start(`n,,n=user,r=${'x'.repeat(5000)}`), /too long/);
  t.match(
    mk().start('y,,n=a=2Cb=3Dc,r=abc'),
    /^r=abc/,
    "'y' (client could bind, we do not offer it) is accepted; escapes decode",
  );
});

t.test('saslPrep', async (t) => {
  t.equal(saslPrep('I\u00adX'), 'IX');
  t.equal(saslPrep('a\u00a0b'), 'a b');
  t.equal(saslPrep('\u2168'), 'IX');
  t.throws(() => saslPrep('a\u0007'), /control character/);
  t.throws(() => saslPrep(''), /empty/);
});
