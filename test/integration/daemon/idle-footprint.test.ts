/**
 * What an idle xvirtd holds (issue #15: idle RSS beside libvirtd's, figures in bench/remote.js): a daemon with
 * no TLS listener and no SASL never loads node's TLS or crypto modules, and one nobody has called yet holds
 * neither the procedure handlers nor the connection layer nor a driver, nor the constant tables or the Xen
 * facade; the first client's CONNECT_OPEN loads them and is served.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { RawClient, REPO, startXvirtd } from '../../support/xvirtd';

async function loadedModules(pid: number, file: string): Promise<string[]> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  }
  throw new Error('the daemon did not answer the module probe');
}

const dist = (name: string): string => path.join(REPO, 'dist', name);

t.test(
  'an idle daemon loads no TLS, crypto, handlers, connection or driver; the first client loads them',
  async (t) => {
    const probeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xvirtd-modules-')), 'modules');
    t.teardown(() => fs.rmSync(path.dirname(probeFile), { recursive: true, force: true }));
    const d = await startXvirtd(t, {
      tcp: true,
      env: {
        NODE_OPTIONS: `--require ${path.join(REPO, 'test', 'support', 'module-probe.js')}`,
        XVIRT_MODULE_PROBE: probeFile,
      },
    });
    const idle = await loadedModules(d.proc.pid!, probeFile);
    t.ok(idle.includes(dist('daemon/daemon.js')), 'the probe sees the daemon');
    t.notOk(idle.includes('node:tls'), 'node:tls is not loaded');
    // node:crypto itself may come with the test runner's hooks (they reach the child through its environment):
    // what is checked is that none of the daemon's users of it is loaded.
    const cryptoUsers = ['auth/scram.js', 'auth/userdb.js', 'auth/x509.js', 'atomic-file.js', 'auth/tls-server.js'];
    // Nor the constant tables (autostart of test:///default has nothing to list) or the Xen facade (the socket
    // helpers load the addon through native-addon.js).
    const tables = ['constants.js', 'netstore-constants.js', 'native.js', 'native-stats.js'];
    t.ok(idle.includes(dist('native-addon.js')), 'the addon loader is (peer credentials, file limit)');
    for (const lazy of ['daemon/served.js', 'connection.js', 'drivers/test/index.js', ...cryptoUsers, ...tables]) {
      t.notOk(idle.includes(dist(lazy)), `dist/${lazy} is not loaded`);
    }

    const client = await RawClient.opened(d.rwSocket);
    t.teardown(() => client.close());
    t.same(await client.call(P.CONNECT_GET_TYPE), { type: 'TEST' }, 'the first client is served');
    const used = await loadedModules(d.proc.pid!, probeFile);
    for (const loaded of ['daemon/served.js', 'connection.js', 'drivers/test/index.js']) {
      t.ok(used.includes(dist(loaded)), `dist/${loaded} is loaded once a client opened test:///default`);
    }
    t.notOk(used.includes('node:tls'), 'still no TLS without a TLS client');
  },
);
