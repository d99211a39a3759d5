// test:///ABSOLUTE/PATH.xml: node files in libvirt's test-driver format,
// each connection with its own state, and clear errors for bad files.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, DomainState as S, ErrorNumber } from '../../../../lib';
import { packageRoot } from '../../../../lib/native';
import { open } from '../../../support/test-driver';

const FIXTURES = path.join(packageRoot(), 'fixtures');
const MIXED = `test://${FIXTURES}/node-mixed.xml`;
const BENCH = `test://${FIXTURES}/bench-3-guests.xml`;
const NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-testdrv-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const guest = (name: string, extra = '') =>
  `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os>${extra}</domain>`;

t.test('loads the node, domains inline and by file, and their run states', async (t) => {
  const conn = await open(t, MIXED);
  t.equal(await conn.getUri(), MIXED);
  t.same(
    await conn.getNodeInfo(),
    {
      model: 'i986',
      memoryKiB: 8192000,
      cpus: 50,
      mhz: 6000,
      nodes: 4,
      sockets: 4,
      cores: 4,
      threads: 2,
    },
    '<active> caps the CPU count below nodes × sockets × cores × threads',
  );
  const doms = await conn.listAllDomains();
  t.same(
    doms.map((d) => [d.name, d.id]),
    [
      ['paused1', 1],
      ['transient1', 2],
      ['fc4', 3],
      ['off1', -1],
    ],
  );
  const states = await Promise.all(doms.map((d) => d.getState()));
  t.same(states, [
    { state: S.PAUSED, reason: 0 },
    { state: S.RUNNING, reason: 0 },
    { state: S.RUNNING, reason: 0 },
    { state: S.SHUTOFF, reason: 0 },
  ]);
  t.same(await Promise.all(doms.map((d) => d.isPersistent())), [true, false, true, true]);
  const fc4 = await conn.lookupDomainByName('fc4');
  t.equal(fc4.uuid, 'ef861801-45b9-11cb-88e3-afbfe5370493');
  const info = await fc4.getInfo();
  t.same([info.maxMemKiB, info.memoryKiB, info.nrVirtCpu], [261072, 131072, 1]);
  const xml = await fc4.getXMLDesc();
  t.match(xml, /<type arch='i686'>xen<\/type>\n    <kernel>\/boot\/vmlinuz-2.6.15-1.43_FC5guest<\/kernel>/);
  t.match(xml, /<root>\/dev\/sda1<\/root>/, 'unknown <os> children are kept');
  t.match(xml, /<source file='\/u\/fc4.img'\/>/, 'devices are kept');
  t.notMatch(xml, /runstate/, 'test: extensions are not part of the definition');
  t.match(await conn.getCapabilities(), /<cells num='0'>/, 'no NUMA topology for a file-described node');

  // The transient guest vanishes when stopped; ids keep growing from the file's.
  await (await conn.lookupDomainByName('transient1')).destroy();
  const off = await conn.lookupDomainByName('off1');
  await off.create();
  t.equal(off.id, 4);
});

t.test('each file connection has its own state', async (t) => {
  const a = await open(t, BENCH);
  const b = await open(t, BENCH);
  await (await a.lookupDomainByName('guest1')).destroy();
  t.equal((await (await b.lookupDomainByName('guest1')).getState()).state, S.RUNNING);
  t.same(
    (await a.listAllDomains(1)).map((d) => d.name),
    ['guest2', 'guest3'],
  );
  const d = await open(t, 'test:///default');
  t.same(
    (await d.listAllDomains()).map((x) => x.name),
    ['test'],
    'and none of them is the default state',
  );
});

t.test('test:/// without a path is refused, as libvirt does', async (t) => {
  for (const uri of ['test:///', 'test://']) {
    await t.rejects(
      connect(uri),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /supply a path or use test:\/\/\/default/ },
      uri,
    );
  }
});

t.test('bad node files fail naming the file and the problem', async (t) => {
  const dir = tempDir(t);
  const cases: Array<[string, string, number, RegExp]> = [
    ['not-xml.xml', 'nonsense', ErrorNumber.XML_ERROR, /not well-formed/],
    ['wrong-root.xml', '<foo/>', ErrorNumber.XML_ERROR, /root element of 'node', not 'foo'/],
    [
      'bad-cpus.xml',
      '<node><cpu><cores>zero</cores></cpu></node>',
      ErrorNumber.XML_ERROR,
      /invalid <cpu><cores> value 'zero'/,
    ],
    [
      'zero-nodes.xml',
      '<node><cpu><nodes>0</nodes></cpu></node>',
      ErrorNumber.XML_ERROR,
      /invalid <cpu><nodes> value '0'/,
    ],
    [
      'long-model.xml',
      `<node><cpu><model>${'x'.repeat(32)}</model></cpu></node>`,
      ErrorNumber.XML_ERROR,
      /<cpu><model> must be 1 to 31/,
    ],
    ['bad-memory.xml', '<node><memory>-1</memory></node>', ErrorNumber.XML_ERROR, /invalid <memory> value '-1'/],
    [
      'bad-domain.xml',
      `<node>${guest('ok')}${guest('a/b')}</node>`,
      ErrorNumber.XML_ERROR,
      /domain #2: name 'a\/b' cannot contain '\/'/,
    ],
    [
      'bad-runstate.xml',
      `<node ${NS}>${guest('r', '<test:runstate>9</test:runstate>')}</node>`,
      ErrorNumber.XML_ERROR,
      /invalid <test:runstate> '9'/,
    ],
    [
      'transient-off.xml',
      `<node ${NS}>${guest('r', '<test:transient/><test:runstate>5</test:runstate>')}</node>`,
      ErrorNumber.XML_ERROR,
      /transient domain cannot have runstate 'shutoff'/,
    ],
    [
      'unsupported-ext.xml',
      `<node ${NS}>${guest('r', '<test:hasmanagedsave/>')}</node>`,
      ErrorNumber.XML_ERROR,
      /<test:hasmanagedsave> is not supported/,
    ],
    [
      'dup-name.xml',
      `<node>${guest('twin')}${guest('twin')}</node>`,
      ErrorNumber.XML_ERROR,
      /domain name 'twin' is used twice/,
    ],
    [
      'missing-dom.xml',
      "<node><domain file='nowhere.xml'/></node>",
      ErrorNumber.SYSTEM_ERROR,
      /cannot read domain file '.*\/nowhere.xml' of test driver file/,
    ],
    [
      'os-exe.xml',
      "<node><domain type='test'><name>e</name><memory>1</memory><os><type>exe</type><init>/bin/sh</init></os></domain></node>",
      ErrorNumber.CONFIG_UNSUPPORTED,
      /domain 'e': .*OS type 'exe' is not supported/,
    ],
    ['auth.xml', '<node><auth><user>me</user></auth></node>', ErrorNumber.CONFIG_UNSUPPORTED, /<auth>/],
  ];
  for (const [name, text, number, message] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    await t.rejects(connect(`test://${file}`), { name: 'XvirtError', number, message }, name);
    await t.rejects(
      connect(`test://${file}`),
      { message: new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) },
      `${name}: names the file`,
    );
  }
  await t.rejects(connect(`test://${dir}/absent.xml`), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
    message: /absent.xml'.*no such file/i,
  });
  await t.rejects(connect(`test://${dir}`), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
    message: /not a regular file/,
  });

  // A bad domain file names both files.
  fs.writeFileSync(path.join(dir, 'broken-guest.xml'), '<domain type="test"><name>x</name></domain>');
  fs.writeFileSync(path.join(dir, 'node.xml'), "<node><domain file='broken-guest.xml'/></node>");
  await t.rejects(connect(`test://${dir}/node.xml`), {
    name: 'XvirtError',
    number: ErrorNumber.XML_ERROR,
    message: new RegExp(`${dir}/node.xml'.*domain file '${dir}/broken-guest.xml': missing <memory>`),
  });
});
