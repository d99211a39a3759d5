// Real-host `dir` pools (xen:///system's storage) in a temp directory: pools
// are directories under the allowed roots, volumes sparse raw files, and no
// name or path field can reach a file outside the pool's directory.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { ErrorNumber, type XvirtError } from '../../../../lib/errors';
import { HostStorageDriver } from '../../../../lib/drivers/host-storage/driver';
import { HostDirPools } from '../../../../lib/drivers/host-storage/dir-pools';
import { StoragePoolState, StorageVolResizeFlags } from '../../../../lib/netstore-constants';

class Driver extends HostStorageDriver {
  constructor(readonly pools: HostDirPools | null) {
    super();
  }
  protected hostPools(): HostDirPools | null {
    return this.pools;
  }
}

async function rejects(
  t: Test,
  p: Promise<unknown>,
  number: ErrorNumber,
  pattern: RegExp,
  what: string,
): Promise<void> {
  try {
    await p;
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.equal((err as XvirtError).number, number, `${what}: ${(err as Error).message}`);
    t.match((err as Error).message, pattern, `${what}: message`);
  }
}

function setup(t: Test): { base: string; root: string; state: string; sentinel: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'xvirt-dirpools-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'images');
  const sentinel = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(sentinel);
  writeFileSync(path.join(sentinel, 'keep'), 'untouched');
  return { base, root, state: path.join(base, 'state'), sentinel };
}

const poolXml = (name: string, target: string, uuid = '') =>
  `<pool type='dir'><name>${name}</name>${uuid ? `<uuid>${uuid}</uuid>` : ''}<target><path>${target}</path>` +
  '<permissions><mode>0750</mode></permissions></target></pool>';

t.test('a dir pool is a directory; raw volumes are sparse files in it', async (t) => {
  const { root, state } = setup(t);
  const d = new Driver(await HostDirPools.open(state, [root]));
  const pool = await d.storagePoolDefineXML(poolXml('p', `${root}/p`), 0);
  t.ok(existsSync(path.join(state, `${pool.uuid}.xml`)), 'the definition is persisted beside the others');
  await rejects(
    t,
    d.storagePoolCreate(pool, 0),
    ErrorNumber.SYSTEM_ERROR,
    /cannot open directory/,
    'start before build',
  );
  await d.storagePoolBuild(pool, 0);
  t.equal(statSync(`${root}/p`).mode & 0o777, 0o750, 'built with the configured mode');
  await d.storagePoolCreate(pool, 0);
  const info = await d.storagePoolGetInfo(pool);
  t.equal(info.state, StoragePoolState.RUNNING);
  t.ok(info.capacity > 0n && info.available <= info.capacity, 'sizes of the file system holding it');
  const vol = await d.storageVolCreateXML(
    pool,
    "<volume><name>disk.img</name><capacity unit='M'>64</capacity></volume>",
    0,
  );
  t.same(vol, { pool: 'p', name: 'disk.img', key: `${root}/p/disk.img` });
  const st = statSync(`${root}/p/disk.img`);
  t.equal(st.size, 64 * 1024 ** 2, 'the file has the capacity');
  t.ok(st.blocks * 512 < 1024 * 1024, 'and is sparse');
  writeFileSync(`${root}/p/disk.img`, 'data', { flag: 'r+' });
  t.same((await d.storageVolGetInfo(vol)).capacity, 64n * 1024n ** 2n);
  t.match(await d.storageVolGetXMLDesc(vol, 0), /<format type='raw'\/>/);
  t.same(await d.storagePoolListAllVolumes(pool, 0), [vol]);
  t.same(await d.storageVolLookupByPath(`${root}/p/disk.img`), vol);
  await d.storageVolResize(vol, 1n << 20n, StorageVolResizeFlags.DELTA);
  t.equal(statSync(`${root}/p/disk.img`).size, 65 * 1024 ** 2, 'grown by a delta');
  await rejects(t, d.storageVolResize(vol, 1n, 0), ErrorNumber.INVALID_ARG, /shrink flag/, 'shrinking needs SHRINK');
  const copy = await d.storageVolCreateXMLFrom(
    pool,
    '<volume><name>copy.img</name><capacity>1</capacity></volume>',
    vol,
    0,
  );
  t.equal(statSync(copy.key).size, 65 * 1024 ** 2, 'a clone is as large as its source');
  t.equal(readFileSync(copy.key).subarray(0, 4).toString(), 'data', 'with its content');
  t.ok(statSync(copy.key).blocks * 512 < 1024 * 1024, 'and as sparse');
  await rejects(
    t,
    d.storageVolCreateXML(
      pool,
      "<volume><name>q.qcow2</name><capacity>1</capacity><target><format type='qcow2'/></target></volume>",
      0,
    ),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /qemu-img/,
    'qcow2 without qemu-img is refused clearly',
  );
  t.notOk(existsSync(`${root}/p/q.qcow2`), 'and leaves no file');
  await d.storageVolDelete(copy, 0);
  t.notOk(existsSync(copy.key));
  await rejects(t, d.storagePoolDelete(pool, 0), ErrorNumber.OPERATION_INVALID, /is active/, 'deleting an active pool');
  await d.storagePoolSetAutostart(pool, true);
  const again = await HostDirPools.open(state, [root]);
  t.equal(again.isActive(pool), true, 'an autostart pool starts when the driver opens');
  await d.storagePoolDestroy(pool);
  await rejects(
    t,
    d.storagePoolDelete(pool, 0),
    ErrorNumber.SYSTEM_ERROR,
    /failed to remove pool/,
    'a pool with volumes is not deleted',
  );
  await d.storageVolDelete(vol, 0).catch(() => undefined);
});

t.test('no name or path field reaches outside the pool directory', async (t) => {
  const { base, root, state, sentinel } = setup(t);
  const d = new Driver(await HostDirPools.open(state, [root]));
  for (const target of [`${root}/../outside`, sentinel, '/etc', `${root}/./p`, 'relative/p']) {
    await d.storagePoolDefineXML(poolXml('x', target), 0).then(
      () => t.fail(`target ${target}: accepted`),
      (err: XvirtError) =>
        t.ok(
          [ErrorNumber.XML_ERROR, ErrorNumber.CONFIG_UNSUPPORTED].includes(err.number),
          `target ${target}: ${err.message}`,
        ),
    );
    t.equal(readdirSync(state).filter((f) => f.endsWith('.xml')).length, 0, `target ${target}: nothing defined`);
  }
  await rejects(
    t,
    d.storagePoolDefineXML(poolXml('a/b', `${root}/ab`), 0),
    ErrorNumber.XML_ERROR,
    /cannot contain '\/'/,
    'pool name',
  );
  const pool = await d.storagePoolDefineXML(poolXml('p', `${root}/p`), 0);
  await d.storagePoolBuild(pool, 0);
  await d.storagePoolCreate(pool, 0);
  symlinkSync(path.join(sentinel, 'keep'), `${root}/p/link`);
  for (const name of ['../outside/evil', '..', '.', '../../etc/passwd', 'a/b', '.hidden']) {
    await d.storageVolCreateXML(pool, `<volume><name>${name}</name><capacity>1</capacity></volume>`, 0).then(
      () => t.fail(`volume name ${name}: accepted`),
      (err: XvirtError) => t.ok(err.number > 0, `volume name ${name}: ${err.message}`),
    );
  }
  const forged = [
    { pool: 'p', name: '../outside/keep', key: `${sentinel}/keep` },
    { pool: 'p', name: 'link', key: `${root}/p/link` },
  ];
  for (const vol of forged) {
    for (const [what, op] of [
      ['delete', () => d.storageVolDelete(vol, 0)],
      ['wipe', () => d.storageVolWipe(vol, 0)],
      ['resize', () => d.storageVolResize(vol, 0n, StorageVolResizeFlags.SHRINK)],
      ['info', () => d.storageVolGetInfo(vol)],
      ['clone', () => d.storageVolCreateXMLFrom(pool, '<volume><name>c</name><capacity>1</capacity></volume>', vol, 0)],
    ] as const) {
      await op().then(
        () => t.fail(`${what} ${vol.name}: accepted`),
        (err: XvirtError) => t.ok(err.number > 0, `${what} ${vol.name}: refused`),
      );
    }
  }
  for (const p of [`${root}/p/../../outside/keep`, `${sentinel}/keep`, `${root}/p/link`]) {
    await rejects(t, d.storageVolLookupByPath(p), ErrorNumber.NO_STORAGE_VOL, /no storage vol/, `lookup ${p}`);
    await rejects(t, d.storageVolLookupByKey(p), ErrorNumber.NO_STORAGE_VOL, /no storage vol/, `key ${p}`);
  }
  await rejects(
    t,
    d.storageVolCreateXML(
      pool,
      `<volume><name>b</name><capacity>1</capacity><backingStore><path>${sentinel}/keep</path>` +
        '</backingStore></volume>',
      0,
    ),
    ErrorNumber.CONFIG_UNSUPPORTED,
    /backing store/,
    'raw volume with a backing store',
  );
  t.same(readdirSync(sentinel), ['keep'], 'nothing created outside');
  t.equal(readFileSync(path.join(sentinel, 'keep'), 'utf8'), 'untouched', 'nothing changed outside');
  t.same(readdirSync(base).sort(), ['images', 'outside', 'state'], 'nothing new beside the roots');
});

t.test('without host pools every storage call is NO_SUPPORT', async (t) => {
  await rejects(
    t,
    new Driver(null).connectListAllStoragePools(0),
    ErrorNumber.NO_SUPPORT,
    /virConnectListAllStoragePools/,
    'list',
  );
});
