// Fuzzes an ASan/UBSan build of the setuid test helper with >= 100,000
// random, mutated and valid requests (native/proxy/test/fuzz_client.c, which
// checks every reply the proxy's own parser says is due), then checks the
// same helper process still answers a good request and reported nothing.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  TEST_USER,
  alive,
  ensureDist,
  ensureTestUser,
  helperPid,
  runAsUser,
  setupTestProxy,
  type TestProxy,
} from '../../../support/proxy-harness';

const REQUESTS = Number(process.env.XVIRT_PROXY_FUZZ_REQUESTS ?? 100_000);
let proxy: TestProxy;

t.before(async () => {
  ensureTestUser();
  ensureDist();
  proxy = await setupTestProxy({ sanitize: true });
});
t.teardown(() => proxy?.close());

function fuzz(seed: number, requests: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('setpriv', [
      '--reuid',
      TEST_USER,
      '--regid',
      TEST_USER,
      '--clear-groups',
      path.join(proxy.bin, 'fuzz_client'),
      proxy.socket,
      String(requests),
      String(seed),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test(`the sanitized helper survives ${REQUESTS} fuzzed requests and still answers`, async (t) => {
  const start = (await runAsUser(
    proxy,
    `const c = await xvirt.connect('xen:///system'); out({ v: await c.getVersion() }); await c.close();`,
  )) as Record<string, any>;
  t.notOk(start.fatal, 'the sanitized helper starts', start.fatal);
  const pid = helperPid(proxy.lockFile);
  t.ok(pid > 0 && alive(pid), 'serving');

  // Two fuzzers at once: interleaved clients in the one poll loop.
  const half = Math.ceil(REQUESTS / 2);
  const runs = await Promise.all([fuzz(1, half), fuzz(2, half)]);
  let sent = 0;
  for (const r of runs) {
    t.equal(r.code, 0, 'fuzz client found every due reply well-formed', { stderr: r.stderr });
    sent += Number(/: (\d+) requests/.exec(r.stdout)?.[1] ?? 0);
    t.match(r.stdout, /closed for a bad request/, r.stdout.trim());
  }
  t.ok(sent >= REQUESTS, `${sent} requests sent`);

  const after = (await runAsUser(
    proxy,
    `
const c = await xvirt.connect('xen:///system');
const d = await c.lookupDomainById(1);
out({ name: d.name, state: (await d.getInfo()).state });
await c.close();`,
  )) as Record<string, any>;
  const direct = JSON.parse(spawnSync(path.join(proxy.bin, 'fake_direct'), [], { encoding: 'utf8' }).stdout);
  t.same(
    after,
    { name: 'guest-one', state: direct.domains[1].state },
    'a good request is answered afterwards, correctly',
  );
  t.equal(helperPid(proxy.lockFile), pid, 'by the same helper process (it never crashed and restarted)');
  t.ok(alive(pid));
  const reports = fs.readdirSync(proxy.dir).filter((f) => f.startsWith('sanitizer'));
  t.same(reports, [], 'no ASan/UBSan report', {
    reports: reports.map((f) => fs.readFileSync(path.join(proxy.dir, f), 'utf8').slice(0, 3000)),
  });
});
