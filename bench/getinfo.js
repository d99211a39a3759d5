#!/usr/bin/env node
'use strict';
/*
 * The classic measurement: getInfo called N times (default 100,000) on each
 * of 3 running domains, per backend, printed side by side with each
 * backend's time as a multiple of the first one's.
 *
 *   node bench/getinfo.js [--uri URI]... [--libvirt URI]... [--calls N]
 *
 * --libvirt URI adds a row measured through libvirt's own C library
 * (bench/getinfo-libvirt.c, compiled here; needs cc and libvirt-dev).
 * N defaults to $XVIRT_BENCH_N / 3 when that is set (the total the other
 * benches take), else 100,000.
 * Without --uri or --libvirt it measures the embedded test driver on
 * test:///<repo>/fixtures/bench-3-guests.xml, then libvirt's test driver on
 * the same file (when libvirt-dev is installed). Give --uri several times to
 * compare backends (test, xen:///, the proxy, remote daemons...) in one run.
 * Needs the compiled library: npm run build (npm run bench does both).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { connect, DomainState, ListDomainsFlags } = require('../dist/index.js');

const GUESTS = 3;
const DEFAULT_CALLS = 100_000;
const DEFAULT_URI = `test://${path.resolve(__dirname, '..', 'fixtures', 'bench-3-guests.xml')}`;

function usage(message) {
  process.stderr.write(
    `error: ${message}\nusage: node bench/getinfo.js [--uri URI]... [--libvirt URI]... [--calls N]\n`,
  );
  process.exit(2);
}

function positiveInteger(text, what) {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) usage(`${what} must be a positive integer, got '${text}'`);
  return n;
}

function parseArgs(argv) {
  const uris = [];
  const libvirtUris = [];
  const total = process.env.XVIRT_BENCH_N;
  let calls = total ? Math.max(1, Math.floor(positiveInteger(total, 'XVIRT_BENCH_N') / GUESTS)) : DEFAULT_CALLS;
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () =>
      inline !== undefined ? inline : i + 1 < argv.length ? argv[++i] : usage(`${name} needs a value`);
    if (name === '--uri') uris.push(value());
    else if (name === '--libvirt') libvirtUris.push(value());
    else if (name === '--calls') calls = positiveInteger(value(), '--calls');
    else if (name === '--help' || name === '-h') usage('help requested');
    else usage(`unknown argument '${argv[i]}'`);
  }
  const defaults = uris.length === 0 && libvirtUris.length === 0;
  return {
    uris: defaults ? [DEFAULT_URI] : uris,
    libvirtUris: defaults ? [DEFAULT_URI] : libvirtUris,
    defaults,
    calls,
  };
}

/** Running (or idle: a guest with nothing to do is blocked) rather than paused or going away. */
const RUNNING_STATES = new Set([DomainState.RUNNING, DomainState.BLOCKED]);

/** The first GUESTS running guests (by id) of `conn`; fails when there are fewer. */
async function runningGuests(conn, uri) {
  const domains = [];
  for (const dom of await conn.listAllDomains(ListDomainsFlags.ACTIVE)) {
    // Id 0 is Xen's Domain-0, the host itself rather than a guest.
    if (dom.id !== 0 && RUNNING_STATES.has((await dom.getState()).state)) domains.push(dom);
  }
  domains.sort((a, b) => a.id - b.id);
  if (domains.length < GUESTS) {
    throw new Error(
      `${uri} has ${domains.length} running guest(s) (Domain-0 not counted); the measurement needs ${GUESTS}`,
    );
  }
  return domains.slice(0, GUESTS);
}

async function measure(uri, calls) {
  const conn = await connect(uri);
  try {
    const guests = await runningGuests(conn, uri);
    // Warm up every path (JIT, caches, lazily opened channels) before the clock runs.
    for (const dom of guests) for (let i = 0; i < Math.min(calls, 1000); i++) await dom.getInfo();
    let last = null;
    const start = process.hrtime.bigint();
    for (const dom of guests) {
      for (let i = 0; i < calls; i++) last = await dom.getInfo();
    }
    const elapsedNs = Number(process.hrtime.bigint() - start);
    if (!last || typeof last.state !== 'number') throw new Error(`${uri}: getInfo returned ${JSON.stringify(last)}`);
    return { uri, driver: conn.driverName, total: calls * guests.length, elapsedNs };
  } finally {
    await conn.close();
  }
}

/** Compiles bench/getinfo-libvirt.c into `dir`; throws with the reason when it cannot. */
function buildLibvirtBaseline(dir) {
  let flags;
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libvirt'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    throw new Error('libvirt-dev is missing (pkg-config libvirt failed): run scripts/install-test-deps as root');
  }
  const bin = path.join(dir, 'getinfo-libvirt');
  execFileSync(
    'cc',
    ['-O2', '-Wall', '-Wextra', '-Werror', '-o', bin, path.join(__dirname, 'getinfo-libvirt.c'), ...flags],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return bin;
}

function measureLibvirt(bin, uri, calls) {
  const out = execFileSync(bin, [uri, String(calls)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const { total, elapsedNs, libvirtVersion } = JSON.parse(out);
  const v = `${Math.floor(libvirtVersion / 1e6)}.${Math.floor(libvirtVersion / 1e3) % 1000}.${libvirtVersion % 1000}`;
  return { uri, driver: `libvirt ${v} (C)`, total, elapsedNs };
}

/** The libvirt rows, or a note saying why the default baseline could not run. */
function libvirtRows(uris, calls, optional) {
  if (uris.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-'));
  try {
    let bin;
    try {
      bin = buildLibvirtBaseline(dir);
    } catch (err) {
      if (!optional) throw err;
      process.stdout.write(`(no libvirt baseline: ${err.message})\n`);
      return [];
    }
    return uris.map((uri) => measureLibvirt(bin, uri, calls));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function table(results) {
  const header = ['backend', 'driver', 'calls', 'seconds', 'calls/s', 'ns/call', 'vs first'];
  const first = results[0].elapsedNs;
  const rows = results.map((r) => [
    r.uri,
    r.driver,
    String(r.total),
    (r.elapsedNs / 1e9).toFixed(3),
    Math.round(r.total / (r.elapsedNs / 1e9)).toLocaleString('en-US'),
    (r.elapsedNs / r.total).toFixed(1),
    `${(r.elapsedNs / first).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function main() {
  const { uris, libvirtUris, defaults, calls } = parseArgs(process.argv.slice(2));
  process.stdout.write(
    `getInfo x ${calls} on each of ${GUESTS} running guests, per backend (node ${process.version})\n`,
  );
  const results = [];
  for (const uri of uris) results.push(await measure(uri, calls));
  results.push(...libvirtRows(libvirtUris, calls, defaults));
  process.stdout.write(table(results));
}

main().catch((err) => {
  process.stderr.write(`error: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
