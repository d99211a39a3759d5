// libvirt-python (libvirt's own client library, as virt-manager and
// virt-install use it) asks xvirtd and libvirtd's test driver about networks,
// storage, node devices and interfaces, changes some and listens to their
// events: the answers, failures and events must be the same.
import { execFile } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { startLibvirtd } from '../../support/libvirtd';
import { startXvirtd } from '../../support/xvirtd';

const SCRIPT = path.resolve(__dirname, '..', '..', 'support', 'libvirt-python-netstore.py');

function ask(uri: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', [SCRIPT, uri], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`libvirt-python against ${uri} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

t.test('libvirt-python sees the same networks and storage from xvirtd as from libvirtd', async (t) => {
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const [theirs, ours] = await Promise.all([ask(lv.unixUri()), ask(xd.uri('unix'))]);
  t.ok(
    Array.isArray(theirs.events) && (theirs.events as unknown[]).length === 7,
    'libvirtd delivered the 7 events (network defined, started, stopped, undefined; pool refresh, stopped, started)',
  );
  for (const key of Object.keys(theirs)) t.same(ours[key], theirs[key], key);
});
