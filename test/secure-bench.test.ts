// bench/secure.js still runs end to end and prints its table (a few calls:
// the figures are the benchmark's business, not the tests').
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/xvirtd';

const BENCH = join(REPO, 'bench', 'secure.js');
const run = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 240_000 });

t.test('a short run prints TLS and ssh rows for xvirt and libvirt', async (t) => {
  if (!existsSync(join(REPO, 'dist', 'index.js'))) throw new Error("dist/ is missing: run 'npm run build' first");
  const r = run(['--calls', '30', '--inflight', '4']);
  t.equal(r.status, 0, String(r.stderr));
  const out = String(r.stdout);
  t.match(out, /^getInfo × 30 over 3 running guests/);
  const time = '\\d+\\.\\d\\d s +[\\d.]+k/s';
  t.match(out, new RegExp(`^TLS  sequential +${time} +${time} +\\d+\\.\\d\\d× +\\(target ≤ 0\\.5×\\)$`, 'm'));
  t.match(out, new RegExp(`^TLS  4 in flight +${time} +\\d+\\.\\d\\d×$`, 'm'));
  t.match(out, new RegExp(`^ssh  sequential +${time} +${time} +\\d+\\.\\d\\d×`, 'm'));
  t.match(out, new RegExp(`^ssh  sequential, nc -U +${time} +\\d+\\.\\d\\d×$`, 'm'));
});

t.test('bad arguments are refused with a usage hint', async (t) => {
  const r = run(['--calls', 'many']);
  t.equal(r.status, 1);
  t.match(String(r.stderr), /bench\/secure\.js: bad argument '--calls many' \(try --help\)/);
});
