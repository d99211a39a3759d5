// libvirt-python (libvirt's own client library, as virt-manager uses it)
// asks xvirtd and libvirtd's test driver for every statistic a dashboard
// draws: the answers (and failures) must be the same. Fails loudly when
// python3-libvirt is missing (scripts/install-test-deps installs it).
import { execFile } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { startLibvirtd } from '../../support/libvirtd';
import { startXvirtd } from '../../support/xvirtd';

const SCRIPT = path.resolve(__dirname, '..', '..', 'support', 'libvirt-python-stats.py');

function ask(uri: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [SCRIPT, uri], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`libvirt-python against ${uri} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

t.test('libvirt-python sees the same statistics from xvirtd as from libvirtd', async (t) => {
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const [theirs, ours] = await Promise.all([ask(lv.unixUri()), ask(xd.uri('unix'))]);
  t.equal(ours.getLibVersion, 9000000, 'xvirtd reports the libvirt release whose protocol it speaks');
  for (const key of Object.keys(theirs)) t.same(ours[key], theirs[key], key);
});
