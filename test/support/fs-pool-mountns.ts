/**
 * Run inside a private mount namespace (test/integration/drivers/host-storage/
 * fs-pools.test.ts starts it under `unshare -m`), so the pool's mounts never
 * reach the host's mount table and vanish with the process. Drives an fs pool
 * over a loop device the test made, through the host storage driver with the
 * real mkfs, blkid, mount and umount, and prints one JSON report.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostStorageDriver } from '../../lib/drivers/host-storage/driver';
import { HostDirPools } from '../../lib/drivers/host-storage/dir-pools';
import { mountedDevice } from '../../lib/drivers/host-storage/fs-pool';
import { outcome } from './namespace-scenario';

class Driver extends HostStorageDriver {
  constructor(private readonly pools: HostDirPools) {
    super();
  }
  protected hostPools(): HostDirPools {
    return this.pools;
  }
}

const NO_OVERWRITE = 4;
const pool = (name: string, device: string, target: string, format = 'ext4', n = 1) =>
  `<pool type='fs'><name>${name}</name><uuid>6b6b6b6b-0000-4000-8000-00000000000${n}</uuid>` +
  `<source><device path='${device}'/><format type='${format}'/></source><target><path>${target}</path></target></pool>`;

async function main(state: string, root: string, device: string): Promise<void> {
  const r: Record<string, unknown> = {};
  const pools = await HostDirPools.open(state, [root]);
  const driver = new Driver(pools);
  const target = path.join(root, 'fsp');
  const p = await driver.storagePoolDefineXML(pool('fsp', device, target), 0);
  await driver.storagePoolBuild(p, NO_OVERWRITE);
  r.blkid = execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', device], { encoding: 'utf8' }).trim();
  r.rebuild = await outcome(driver.storagePoolBuild(p, NO_OVERWRITE));
  r.bothFlags = await outcome(driver.storagePoolBuild(p, 12));
  await driver.storagePoolCreate(p, 0);
  r.mounted = await mountedDevice(pools.config(p));
  const info = await driver.storagePoolGetInfo(p);
  r.capacity = String(info.capacity);
  await driver.storageVolCreateXML(p, "<volume><name>v1.img</name><capacity unit='M'>1</capacity></volume>", 0);
  r.volumes = (await driver.storagePoolListAllVolumes(p, 0)).map((v) => v.name);
  r.startTwice = await outcome(driver.storagePoolCreate(p, 0));
  r.reopenedActive = await new Driver(await HostDirPools.open(state, [root])).storagePoolIsActive(p);
  await driver.storagePoolDestroy(p);
  r.afterDestroy = { mounted: await mountedDevice(pools.config(p)), files: fs.readdirSync(target) };
  await driver.storagePoolCreate(p, 0);
  r.volumesAgain = (await driver.storagePoolListAllVolumes(p, 0)).map((v) => v.name);
  await driver.storagePoolDestroy(p);
  await driver.storagePoolDelete(p, 0);
  r.targetGone = !fs.existsSync(target);
  await driver.storagePoolUndefine(p);
  const bad: Record<string, string> = {};
  bad.traversal = await outcome(
    driver.storagePoolDefineXML(pool('b1', '/dev/../etc/passwd', path.join(root, 'b1')), 0),
  );
  bad.notDev = await outcome(driver.storagePoolDefineXML(pool('b2', '/tmp/disk', path.join(root, 'b2')), 0));
  bad.format = await outcome(driver.storagePoolDefineXML(pool('b3', device, path.join(root, 'b3'), 'ufs'), 0));
  bad.outside = await outcome(driver.storagePoolDefineXML(pool('b4', device, '/etc/b4'), 0));
  const charDev = await driver.storagePoolDefineXML(pool('b5', '/dev/null', path.join(root, 'b5'), 'ext4', 5), 0);
  bad.charDevice = await outcome(driver.storagePoolCreate(charDev, 1));
  r.bad = bad;
  process.stdout.write(JSON.stringify(r));
}

main(process.argv[2]!, process.argv[3]!, process.argv[4]!).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
