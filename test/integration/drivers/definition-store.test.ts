// The Xen driver's definitions store: atomic, durable replacement (a writer
// killed mid-write leaves the old or the new file, whole), loading, clashes.
import t from 'tap';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../lib/errors';
import { DefinitionStore, writeFileAtomic } from '../../../lib/drivers/definition-store';
import { domainXml, testCodec } from '../../support/xen';

const parse = (xml: string) => testCodec.parse(xml);

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-defs-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a writer killed at any moment leaves the old or the new file, never a mix', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'def.xml');
  const A = 'A'.repeat(2 << 20),
    B = 'B'.repeat(2 << 20);
  fs.writeFileSync(file, A);
  const defs = path.resolve(__dirname, '../../../lib/drivers/definition-store.ts');
  const child = `const { writeFileAtomic } = require(${JSON.stringify(defs)});
    (async () => { for (let i = 0; ; i++) { await writeFileAtomic(${JSON.stringify(file)}, (i % 2 ? 'A' : 'B').repeat(2 << 20)); if (i === 0) process.stdout.write('go\\n'); } })();`;
  for (let round = 0; round < 3; round++) {
    const p = spawn(process.execPath, [...process.execArgv, '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => p.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, [2, 30, 90][round]));
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
    const text = fs.readFileSync(file, 'utf8');
    t.ok(text === A || text === B, `round ${round}: the file is whole (${text.length} bytes of ${text[0]})`);
  }
  t.ok(
    fs.readdirSync(dir).some((f) => f.endsWith('.tmp')),
    'some kills landed in the middle of a write',
  );
  const store = await DefinitionStore.open(dir, parse);
  t.same(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'opening the store removes interrupted temp files',
  );
  t.same(store.all(), []);
});

t.test('a failed write leaves the old file and no temp file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'x.xml');
  fs.writeFileSync(file, 'old');
  fs.mkdirSync(path.join(dir, 'blocker.xml'));
  await t.rejects(writeFileAtomic(path.join(dir, 'blocker.xml'), 'new'), {
    number: ErrorNumber.SYSTEM_ERROR,
    message: /blocker\.xml/,
  });
  t.same(fs.readdirSync(dir).sort(), ['blocker.xml', 'x.xml']);
  t.equal(fs.readFileSync(file, 'utf8'), 'old');
});

t.test('definitions survive a reopen; names are unique; bad files are reported', async (t) => {
  const dir = tempDir(t);
  const u1 = 'aaaaaaaa-bbbb-cccc-dddd-000000000001',
    u2 = 'aaaaaaaa-bbbb-cccc-dddd-000000000002';
  const store = await DefinitionStore.open(path.join(dir, 'state'), parse);
  t.equal(fs.statSync(path.join(dir, 'state')).mode & 0o777, 0o700, 'state directory is private');
  t.equal((await store.save(domainXml('a', u1))).replaced, false);
  t.equal((await store.save(domainXml('a', u1.toUpperCase()))).replaced, true, 'same UUID in any case replaces');
  await t.rejects(store.save(domainXml('a', u2)), { name: 'XvirtError', number: ErrorNumber.DOM_EXIST });
  await store.save(domainXml('b', u2));
  await store.setAutostart(u2, true);
  t.equal(fs.statSync(path.join(dir, 'state', `${u1}.xml`)).mode & 0o777, 0o600);

  const again = await DefinitionStore.open(path.join(dir, 'state'), parse);
  t.same(
    again
      .all()
      .map((d) => [d.name, d.uuid, d.autostart])
      .sort(),
    [
      ['a', u1, false],
      ['b', u2, true],
    ],
  );
  t.same(
    again.byUuid(u1)?.config,
    parse(fs.readFileSync(path.join(dir, 'state', `${u1}.xml`), 'utf8')),
    'the parsed XML is kept',
  );
  await again.remove(u2);
  t.same(fs.readdirSync(path.join(dir, 'state')), [`${u1}.xml`]);
  await t.rejects(again.setAutostart(u2, true), { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID });

  fs.writeFileSync(path.join(dir, 'state', `${u2}.xml`), domainXml('c', u1));
  await t.rejects(DefinitionStore.open(path.join(dir, 'state'), parse), {
    number: ErrorNumber.CONF_SYNTAX,
    message: /not the one in its file name/,
  });
  fs.writeFileSync(path.join(dir, 'state', `${u2}.xml`), '<domain/>');
  await t.rejects(DefinitionStore.open(path.join(dir, 'state'), parse), {
    number: ErrorNumber.CONF_SYNTAX,
    message: /not valid domain XML/,
  });
});
