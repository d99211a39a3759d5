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
import { parseSs } from '../../../lib/auth/peercred';
import { REPO, startXvirtd } from '../../support/xvirtd';
import { virsh } from '../../support/virsh';

const NOBODY = 65534;

/** Runs `code` (with `connect` from dist/ in scope) as nobody; resolves with what it printed. */
function asNobody(code: string): Promise<string> {
  const script = `const { connect } = require(${JSON.stringify(join(REPO, 'dist', 'index.js'))});\n(async () => { ${code} })()`
    + '.catch((e) => console.log(JSON.stringify({ thrown: e.message, number: e.number })));';
  return new Promise((resolve, reject) => {
    execFile('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', script],
      { timeout: 30000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

t.test('rw socket root-only, ro socket for all with writes refused, peers recorded', async (t) => {
  const d = await startXvirtd(t);
  chmodSync(d.dir, 0o755); // as /run/xvirt is: the socket files' own modes decide
  t.equal(statSync(d.rwSocket).mode & 0o777, 0o700, 'rw socket is 0700');
  t.equal(statSync(d.roSocket).mode & 0o777, 0o777, 'ro socket is 0777');
  t.equal(statSync(d.rwSocket).uid, 0, 'owned by root');

  const rw = JSON.parse(await asNobody(`
    const c = await connect(${JSON.stringify(`test+unix:///default?socket=${d.rwSocket}`)});
    console.log(JSON.stringify({ opened: true })); await c.close();`));
  t.match(rw, { thrown: /Permission denied/ }, 'nobody cannot open the read-write socket');

  const ro = JSON.parse(await asNobody(`
    const c = await connect(${JSON.stringify(`test+unix:///default?socket=${d.roSocket}`)});
    const dom = await c.lookupDomainByName('test');
    const names = (await c.listAllDomains()).map((x) => x.name);
    let destroy = null;
    try { await dom.destroy(); } catch (e) { destroy = { number: e.number, message: e.message }; }
    const state = (await dom.getState()).state;
    await new Promise((r) => setTimeout(r, 300)); // the daemon's peer lookup runs ~20 ms after accept
    await c.close();
    console.log(JSON.stringify({ names, destroy, state }));`));
  t.same(ro.names, ['test'], 'nobody reads through the read-only socket');
  t.match(ro.destroy, { number: ErrorNumber.OPERATION_DENIED, message: /read only access prevents virDomainDestroy/ });
  t.equal(ro.state, 1, 'the domain is still running: the refusal came before any driver call');

  const root = await connect(`test+unix:///default?socket=${d.rwSocket}`);
  t.same((await root.listAllDomains()).map((x) => x.name), ['test'], 'root uses the read-write socket');
  // The lookup runs just after accept; keep the connection until it is logged.
  for (const end = Date.now() + 3000; Date.now() < end && !/unix-rw client: pid \d+ uid 0/.test(d.stderr());) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await root.close();
  t.match(d.stderr(), new RegExp(`unix-ro client: pid \\d+ uid ${NOBODY} \\(node\\)`), "nobody's pid and uid are logged");
  t.match(d.stderr(), /unix-rw client: pid \d+ uid 0 \(node\)/, "root's too");
  // The pid/uid appear once the (batched, ~20 ms) peer lookup has finished; the refusal may come first.
  t.match(d.stderr(), new RegExp(`unix-ro client local( pid \\d+ uid ${NOBODY})?: virDomainDestroy refused: read-only connection`),
    'the refusal is logged');
});

t.test('SASL on the read-write unix socket', async (t) => {
  const d0 = await startXvirtd(t); // only for a temp dir to hold the user database
  const db = join(d0.dir, 'users');
  execFileSync(process.execPath, [join(REPO, 'bin', 'xvirt-sasl-passwd.js'), '-f', db, '-i', '4096', 'set', 'alice'], { input: 'wonderland' });
  const d = await startXvirtd(t, { extraConfig: ['auth_unix_rw = "sasl"', `sasl_user_db = "${db}"`] });
  const auth = join(d0.dir, 'auth.conf');
  writeFileSync(auth, '[credentials-a]\nauthname=alice\npassword=wonderland\n[auth-libvirt-localhost]\ncredentials=a\n');
  const conn = await connect(`test+unix:///default?socket=${d.rwSocket}&authfile=${encodeURIComponent(auth)}`);
  t.same((await conn.listAllDomains()).map((x) => x.name), ['test']);
  await conn.close();
  await t.rejects(connect(`test+unix:///default?socket=${d.rwSocket}`, { credentials: { username: 'alice', password: 'x' } }),
    { number: ErrorNumber.AUTH_FAILED, message: /authentication failed/ });
  const v = await virsh(`test+unix:///default?socket=${d.rwSocket}&authfile=${encodeURIComponent(auth)}`, 'list --all');
  t.equal(v.code, 0, `virsh (Cyrus SCRAM-SHA-256) on the unix socket: ${v.stderr}`);
  t.match(v.stdout, /test\s+running/);
  const ro = await connect(`test+unix:///default?socket=${d.roSocket}`);
  t.same((await ro.listAllDomains()).map((x) => x.name), ['test'], 'the read-only socket keeps its own scheme (none)');
  await ro.close();
});

t.test('ss -xp output parsing', async (t) => {
  const rows = parseSs('u_str ESTAB 0      0      /run/x/sock 387099 * 387098 users:(("xvirtd",pid=9,fd=12))\n'
    + 'u_str ESTAB 0 0 * 387098 * 387099 users:(("virsh",pid=77,fd=3))\nu_str ESTAB 0 0 * 1072 * 1073\n');
  t.same(rows.get('387099'), { peer: '387098', command: 'xvirtd', pid: 9 });
  t.same(rows.get('387098'), { peer: '387099', command: 'virsh', pid: 77 });
  t.same(rows.get('1072'), { peer: '1073', command: null, pid: null });
});
