/**
 * xvirtd's local sockets with a real unprivileged user (nobody): the
 * read-write socket is root's alone (file mode 0700), the read-only socket
 * is open to everyone and refuses writes before any driver call, and the
 * daemon records each unix client's pid/uid (lib/auth/peercred.ts).
 * Also SASL on a unix socket (auth_unix_rw = "sasl").
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../../lib/connection';
import { ErrorNumber } from '../../../lib/errors';
import { REPO, startXvirtd } from '../../support/xvirtd';
import { virsh } from '../../support/virsh';

const NOBODY = 65534;

/** Runs `code` (with `connect` from dist/ in scope) as nobody; resolves with what it printed. */
function asNobody(code: string): Promise<string> {
  const script =
    `const { connect } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))});\n(async () => { ${code} })()` +
    '.catch((e) => console.log(JSON.stringify({ thrown: e.message, number: e.number })));';
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', script],
      { timeout: 30000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())),
    );
  });
}

t.test('rw socket root-only, ro socket for all with writes refused, peers recorded', async (t) => {
  const d = await startXvirtd(t);
  chmodSync(d.dir, 0o755); // as /run/xvirt is: the socket files' own modes decide
  t.equal(statSync(d.rwSocket).mode & 0o777, 0o700, 'rw socket is 0700');
  t.equal(statSync(d.roSocket).mode & 0o777, 0o777, 'ro socket is 0777');
  t.equal(statSync(d.rwSocket).uid, 0, 'owned by root');

  const rw = JSON.parse(
    await asNobody(`
    const c = await connect(${JSON.stringify(`test+unix:///default?socket=${d.rwSocket}`)});
    console.log(JSON.stringify({ opened: true })); await c.close();`),
  );
  t.match(rw, { thrown: /Permission denied/ }, 'nobody cannot open the read-write socket');

  const ro = JSON.parse(
    await asNobody(`
    const c = await connect(${JSON.stringify(`test+unix:///default?socket=${d.roSocket}`)});
    const dom = await c.lookupDomainByName('test');
    const names = (await c.listAllDomains()).map((x) => x.name);
    let destroy = null;
    try { await dom.destroy(); } catch (e) { destroy = { number: e.number, message: e.message }; }
    const state = (await dom.getState()).state;
    await c.close();
    console.log(JSON.stringify({ names, destroy, state }));`),
  );
  t.same(ro.names, ['test'], 'nobody reads through the read-only socket');
  t.match(ro.destroy, { number: ErrorNumber.OPERATION_DENIED, message: /read only access prevents virDomainDestroy/ });
  t.equal(ro.state, 1, 'the domain is still running: the refusal came before any driver call');

  const root = await connect(`test+unix:///default?socket=${d.rwSocket}`);
  t.same(
    (await root.listAllDomains()).map((x) => x.name),
    ['test'],
    'root uses the read-write socket',
  );
  await root.close();
  // SO_PEERCRED is read at accept, so the client's line comes before any refusal that names it.
  const log = d.stderr();
  const ro1 = new RegExp(`client (\\d+) connected on unix-ro: pid \\d+ uid ${NOBODY} gid ${NOBODY}`).exec(log);
  t.ok(ro1, "nobody's pid, uid and gid are logged");
  t.match(log, /client \d+ connected on unix-rw: pid \d+ uid 0 gid 0/, "root's too");
  const refusal = new RegExp(
    `client ${ro1?.[1]} \\(unix-ro local pid \\d+ uid ${NOBODY}\\): virDomainDestroy refused: ` +
      'read-only connection',
  ).exec(log);
  t.ok(refusal, 'the refusal is logged with the client number and its pid/uid');
  t.ok(ro1 && refusal && ro1.index < refusal.index, 'the credentials line comes before the refusal');
});

t.test('SASL on the read-write unix socket', async (t) => {
  const d0 = await startXvirtd(t); // only for a temp dir to hold the user database
  const db = join(d0.dir, 'users');
  execFileSync(process.execPath, [join(REPO, 'bin', 'xvirt-sasl-passwd.js'), '-f', db, '-i', '4096', 'set', 'alice'], {
    input: 'wonderland',
  });
  const d = await startXvirtd(t, { extraConfig: ['auth_unix_rw = "sasl"', `sasl_user_db = "${db}"`] });
  const auth = join(d0.dir, 'auth.conf');
  writeFileSync(
    auth,
    '[credentials-a]\nauthname=alice\npassword=wonderland\n[auth-libvirt-localhost]\ncredentials=a\n',
  );
  const conn = await connect(`test+unix:///default?socket=${d.rwSocket}&authfile=${encodeURIComponent(auth)}`);
  t.same(
    (await conn.listAllDomains()).map((x) => x.name),
    ['test'],
  );
  await conn.close();
  await t.rejects(
    connect(`test+unix:///default?socket=${d.rwSocket}`, { credentials: { username: 'alice', password: 'x' } }),
    { number: ErrorNumber.AUTH_FAILED, message: /authentication failed/ },
  );
  const v = await virsh(`test+unix:///default?socket=${d.rwSocket}&authfile=${encodeURIComponent(auth)}`, 'list --all');
  t.equal(v.code, 0, `virsh (Cyrus SCRAM-SHA-256) on the unix socket: ${v.stderr}`);
  t.match(v.stdout, /test\s+running/);
  const ro = await connect(`test+unix:///default?socket=${d.roSocket}`);
  t.same(
    (await ro.listAllDomains()).map((x) => x.name),
    ['test'],
    'the read-only socket keeps its own scheme (none)',
  );
  await ro.close();
});
