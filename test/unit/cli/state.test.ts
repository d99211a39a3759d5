// What the state-changing commands do to the domain, observed through the
// API. The commands run in this process (runCli, the code bin/xvirt.js runs)
// against test:///default, whose state a held connection keeps alive.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainState, connect, type Connection } from '../../../lib';
import { runCli } from '../../../lib/cli/main';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await runCli(args, {
    output: {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    },
  });
  return { code, out, err };
}

async function ok(t: Test, args: string[]): Promise<string> {
  const r = await cli(args);
  t.equal(r.code, 0, `${args.join(' ')} succeeds (${r.err})`);
  return r.out;
}

async function state(conn: Connection, name: string): Promise<DomainState> {
  return (await (await conn.lookupDomainByName(name)).getState()).state;
}

t.test('lifecycle commands move the domain through its states', async (t) => {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  await ok(t, ['suspend', 'test']);
  t.equal(await state(conn, 'test'), DomainState.PAUSED);
  await ok(t, ['resume', '1']);
  t.equal(await state(conn, 'test'), DomainState.RUNNING);
  await ok(t, ['destroy', 'test']);
  t.equal(await state(conn, 'test'), DomainState.SHUTOFF);
  t.equal(await ok(t, ['domid', 'test']), '-\n\n');
  t.equal((await cli(['destroy', 'test'])).code, 1, 'destroying it again fails');
  t.equal(await ok(t, ['start', '--paused', 'test']), "Domain 'test' started\n\n");
  t.equal(await state(conn, 'test'), DomainState.PAUSED, '--paused leaves it paused');
  await ok(t, ['resume', 'test']);
  const id = (await conn.lookupDomainByName('test')).id;
  t.equal(await ok(t, ['domid', 'test']), `${id}\n\n`, 'a restarted domain has a new id');
  t.not(id, 1);
  await ok(t, ['shutdown', 'test']);
  t.equal(await state(conn, 'test'), DomainState.SHUTOFF);
  await ok(t, ['start', 'test']);
  await ok(t, ['reboot', 'test']);
  t.equal(await state(conn, 'test'), DomainState.RUNNING);
});

t.test('autostart, setmem, setvcpus change what dominfo reports', async (t) => {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const dom = await conn.lookupDomainByName('test');
  await ok(t, ['autostart', 'test']);
  t.equal(await dom.getAutostart(), true);
  t.match(await ok(t, ['dominfo', 'test']), /\nAutostart: {6}enable\n/);
  await ok(t, ['autostart', '--disable', 'test']);
  t.equal(await dom.getAutostart(), false);
  await ok(t, ['setmem', 'test', '1G']);
  t.equal((await dom.getInfo()).memoryKiB, 1024 * 1024);
  await ok(t, ['setmem', '--size', '524288', '--domain', 'test']);
  t.equal((await dom.getInfo()).memoryKiB, 524288, 'no suffix means KiB');
  t.match(await ok(t, ['dominfo', 'test']), /\nUsed memory: {4}524288 KiB\n/);
  await ok(t, ['setvcpus', 'test', '1']);
  t.equal((await dom.getInfo()).nrVirtCpu, 1);
});

t.test('define, create, undefine add and remove domains', async (t) => {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-cli-state-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const xml = (await (await conn.lookupDomainByName('test')).getXMLDesc(2))
    .replace('<name>test</name>', '<name>copy</name>')
    .replace(/ *<uuid>.*<\/uuid>\n/, '');
  const file = path.join(dir, 'copy.xml');
  fs.writeFileSync(file, xml);
  t.equal(await ok(t, ['define', file]), `Domain 'copy' defined from ${file}\n\n`);
  const copy = await conn.lookupDomainByName('copy');
  t.equal(await copy.isPersistent(), true);
  t.equal(await state(conn, 'copy'), DomainState.SHUTOFF);
  t.match(await ok(t, ['list', '--all']), / -    copy   shut off\n/);
  await ok(t, ['undefine', 'copy']);
  await t.rejects(conn.lookupDomainByName('copy'), 'undefined: gone');
  t.equal(await ok(t, ['create', file]), `Domain 'copy' created from ${file}\n\n`);
  t.equal(await state(conn, 'copy'), DomainState.RUNNING);
  t.equal(await (await conn.lookupDomainByName('copy')).isPersistent(), false, 'create makes a transient domain');
  await ok(t, ['destroy', 'copy']);
  await t.rejects(conn.lookupDomainByName('copy'), 'a destroyed transient domain is gone');
});
