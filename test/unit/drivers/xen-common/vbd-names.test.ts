// Xen's virtual block device numbers and disk names, both ways (the numbering
// of Xen's docs/misc/vbd-interface, as libvirt's Xen driver applies it).
import t from 'tap';
import { vbdName, vbdNumber } from '../../../../lib/drivers/xen-common/stats/vbd-names';

t.test('known names and numbers', async (t) => {
  const cases: Array<[string, number]> = [
    ['xvda', 51712],
    ['xvdb', 51728],
    ['xvda1', 51713],
    ['xvdp15', (202 << 8) | (15 << 4) | 15],
    ['xvdq', (1 << 28) | (16 << 8)],
    ['xvdaa', (1 << 28) | (26 << 8)],
    ['xvdaa3', (1 << 28) | (26 << 8) | 3],
    ['hda', 768],
    ['hdb', 832],
    ['hdc', 5632],
    ['hdd2', 5698],
    ['sda', 2048],
    ['sdb1', 2065],
  ];
  for (const [name, devid] of cases) {
    t.equal(vbdNumber(name), devid, `${name} -> ${devid}`);
    t.equal(vbdName(devid), name, `${devid} -> ${name}`);
  }
});

t.test('names and numbers outside the schemes', async (t) => {
  for (const bad of ['vda', 'xvd', 'xvdA', 'xvda0', 'hde', 'hda64', 'sdq', 'xvda16x', '', 'xvda/../x']) {
    t.equal(vbdNumber(bad), null, `'${bad}' has no number`);
  }
  t.equal(vbdName(0x20000000), null, 'a scheme beyond the extended one');
  t.equal(vbdName((253 << 8) | 1), null, 'a major Xen does not use for guests');
});
