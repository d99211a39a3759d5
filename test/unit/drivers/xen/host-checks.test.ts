// The checks made before `xl create`: disk images that exist, bridges that exist.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorNumber } from '../../../../lib/errors';
import { checkHostResources } from '../../../../lib/drivers/xen/host-checks';
import type { XlDomainConfig } from '../../../../lib/drivers/xen/xl';
import type { XlDisk, XlVif } from '../../../../lib/drivers/xen/xl-devices';

const base: XlDomainConfig = {
  name: 'g',
  uuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  type: 'pv',
  memoryKiB: 1024,
  maxMemoryKiB: 1024,
  vcpus: 1,
  kernel: '/k',
};
const disk = (target: string): XlDisk => ({
  target,
  format: 'raw',
  vdev: 'xvda',
  readonly: false,
  cdrom: false,
  backend: null,
});
const vif = (bridge: string | null, script: string | null = null): XlVif => ({
  mac: '00:16:3e:00:00:01',
  bridge,
  script,
  model: null,
  vifname: null,
});

t.test('disk images and bridges must exist; other vif scripts are not second-guessed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-host-checks-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const image = path.join(dir, 'disk.img');
  fs.writeFileSync(image, '');
  const sysNet = path.join(dir, 'net');
  fs.mkdirSync(path.join(sysNet, 'xenbr0', 'bridge'), { recursive: true });
  fs.mkdirSync(path.join(sysNet, 'eth0'), { recursive: true });

  await checkHostResources(
    { ...base, disks: [disk(image)], vifs: [vif('xenbr0'), vif(null), vif('eth0', 'vif-route')] },
    sysNet,
  );
  await t.rejects(checkHostResources({ ...base, disks: [disk(path.join(dir, 'gone.img'))] }, sysNet), {
    name: 'XvirtError',
    number: ErrorNumber.SYSTEM_ERROR,
    message: /^Cannot access storage file '.*gone\.img': No such file or directory$/,
  });
  for (const bridge of ['nobr0', 'eth0']) {
    await t.rejects(
      checkHostResources({ ...base, vifs: [vif(bridge, '/etc/xen/scripts/vif-bridge')] }, sysNet),
      {
        name: 'XvirtError',
        number: ErrorNumber.SYSTEM_ERROR,
        message: `Cannot attach interface 00:16:3e:00:00:01 to bridge '${bridge}': No such device`,
      },
      `${bridge} is not a bridge`,
    );
  }
});

t.test('qcow2 and the qdisk backend need a Xen device model', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-host-checks-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const image = path.join(dir, 'disk.qcow2');
  fs.writeFileSync(image, '');
  const qemu = path.join(dir, 'xen-qemu-system-i386');
  const qcow2 = { ...disk(image), format: 'qcow2' as const };
  await t.rejects(checkHostResources({ ...base, disks: [qcow2] }, dir, [qemu]), {
    name: 'XvirtError',
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message:
      /^unsupported configuration: disk xvda: qcow2 images need QEMU's qdisk backend, and this host has no Xen device model/,
  });
  await t.rejects(checkHostResources({ ...base, disks: [{ ...disk(image), backend: 'qdisk' }] }, dir, [qemu]), {
    name: 'XvirtError',
    number: ErrorNumber.CONFIG_UNSUPPORTED,
    message: /the qemu driver needs QEMU's qdisk backend/,
  });
  fs.writeFileSync(qemu, '');
  await checkHostResources({ ...base, disks: [qcow2] }, dir, [qemu]);
});
