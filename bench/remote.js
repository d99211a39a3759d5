#!/usr/bin/env node
'use strict';
/**
 * getInfo through a daemon, xvirtd against a private libvirtd, side by side:
 * both serve their test driver with fixtures/bench-3-guests.xml (3 running
 * guests), over unix sockets and TCP, sequentially (one call in flight) and
 * in parallel (xvirt: many calls in flight on one connection; libvirt: 4
 * threads sharing one connection, through bench/getinfo-libvirt.c against
 * libvirt's own client library, built by bench/harness.js). Then the same C
 * client against xvirtd, to compare the servers alone, and each daemon's
 * RSS idle and with 1,000 idle clients. xvirtd's memory is read after a
 * forced GC (bench/daemon-probe.js), so it shows what the clients hold, not
 * garbage not yet collected; libvirtd (C) has no garbage to collect.
 *
 *   node bench/remote.js [--calls N] [--inflight K] [--idle-clients M] [--rounds R] [--baseline-client DIR]
 *   node bench/remote.js --memory-only [--idle-clients M]     # the memory figures alone
 *
 * --baseline-client DIR: also drive xvirtd with the client compiled in DIR
 * (a copy of an earlier dist/), in the same alternating slices, so a client
 * change is compared before/after under the same load.
 *
 * Each pair is measured in R alternating slices (xvirtd, libvirtd, xvirtd...)
 * whose times are summed, so passing load on a shared machine hits both.
 *
 * Needs: npm run build, root (libvirtd), libvirt-dev + cc (scripts/install-test-deps).
 * The daemons come from the test harnesses (test/support/{xvirtd,libvirtd}.ts), compiled by bench/harness.js.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { buildLibvirtClient, compileHarness, paired, runLibvirtClient, teardowns } = require('./harness');
const { afterHeapTrim, probe, probeEnv } = require('./daemon-probe');

const REPO = path.resolve(__dirname, '..');
const DIST = path.join(REPO, 'dist');
const FIXTURE = path.join(REPO, 'fixtures', 'bench-3-guests.xml');
const SERVER_URI_PATH = FIXTURE; // test:///<abs path>: each connection gets the file's 3 running guests

function parseArgs(argv) {
  const opts = { calls: 300000, inflight: 128, idleClients: 1000, rounds: 5, baselineClient: null, memoryOnly: false };
  const names = { '--calls': 'calls', '--inflight': 'inflight', '--idle-clients': 'idleClients', '--rounds': 'rounds' };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    if (argv[i] === '--baseline-client' && argv[i + 1]) {
      opts.baselineClient = path.resolve(argv[++i]);
      continue;
    }
    if (argv[i] === '--memory-only') {
      opts.memoryOnly = true;
      continue;
    }
    if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(
        'usage: node bench/remote.js [--calls N (300000)] [--inflight K (128)] [--idle-clients M (1000)] ' +
          '[--rounds R (5)] [--baseline-client DIST_DIR] [--memory-only]\n',
      );
      process.exit(0);
    }
    const value = Number(argv[++i]);
    if (!key || !Number.isInteger(value) || value < 1) {
      process.stderr.write(
        `bench/remote.js: bad argument '${argv[i - 1]}${argv[i] === undefined ? '' : ' ' + argv[i]}' (try --help)\n`,
      );
      process.exit(2);
    }
    opts[key] = value;
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`bench/remote.js: ${message}\n`);
  process.exit(1);
}

// ---- the C client ----------------------------------------------------------------

/** libvirt's C client (bench/getinfo-libvirt.c): `calls` in all, cycling through the guests, over `threads` threads on one connection. */
const runC = (bin, uri, calls, threads) => runLibvirtClient(bin, uri, calls, 'interleaved', threads);

// ---- daemons -----------------------------------------------------------------------

/** The test harness's daemons (test/support/{xvirtd,libvirtd}.ts), as the bench needs them. */
async function startDaemons(h, t, probeFile) {
  const x = await h.xvirtd.startXvirtd(t, {
    tcp: true,
    extraConfig: ['max_clients = 5000', 'log_level = 3'],
    env: probeEnv(probeFile),
  });
  const l = await h.libvirtd.startLibvirtd(t, { tcp: true, extraConfig: ['max_clients = 5000'] });
  return [
    { name: 'xvirtd', pid: x.proc.pid, dir: x.dir, sock: x.rwSocket, port: x.tcpPort, probeFile },
    { name: 'libvirtd', pid: l.pid, dir: l.dir, sock: l.socket, port: l.tcpPort },
  ];
}

function uriFor(daemon, transport) {
  return transport === 'unix'
    ? `test+unix://${SERVER_URI_PATH}?socket=${daemon.sock}`
    : `test+tcp://127.0.0.1:${daemon.port}${SERVER_URI_PATH}`;
}

/** A /proc/PID/status figure in KiB: VmRSS, or RssAnon (the part that is not file pages such as the program's code). */
function statusKiB(pid, field = 'VmRSS') {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// ---- xvirt's client ------------------------------------------------------------------

async function xvirtRun(connect, uri, calls, inflight) {
  const conn = await connect(uri);
  try {
    const doms = await conn.listActiveDomains();
    if (doms.length < 1) throw new Error('no running domains');
    for (let i = 0; i < 1000; i++) await doms[i % doms.length].getInfo(); // warm-up
    let next = 0;
    const start = process.hrtime.bigint();
    const lane = async () => {
      while (next < calls) {
        const i = next++;
        await doms[i % doms.length].getInfo();
      }
    };
    await Promise.all(Array.from({ length: inflight }, lane));
    return { calls, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    await conn.close();
  }
}

/**
 * xvirtd's own capacity: a minimal client that keeps `inflight` pre-encoded
 * GET_INFO calls in flight and only checks each reply's status, so nearly all
 * the CPU goes to the server. (Serials cycle through 300 encodings: the server
 * echoes them and does not care.)
 */
async function rawPipelined(daemon, transport, calls, inflight) {
  const { encodeCall, FrameDecoder } = require(path.join(DIST, 'rpc', 'framing.js'));
  const { PROCEDURES } = require(path.join(DIST, 'rpc', 'procedures.js'));
  const { decode } = require(path.join(DIST, 'rpc', 'xdr.js'));
  const s = transport === 'unix' ? net.connect(daemon.sock) : net.connect(daemon.port, '127.0.0.1');
  s.setNoDelay?.(true);
  const decoder = new FrameDecoder();
  const replies = [];
  let waiting = null;
  s.on('data', (c) => {
    for (const m of decoder.push(c)) replies.push(m);
    if (waiting) waiting();
  });
  const next = () =>
    new Promise((r) => {
      if (replies.length) r();
      else
        waiting = () => {
          waiting = null;
          r();
        };
    });
  const call = async (proc, serial, args) => {
    s.write(encodeCall(proc, serial, PROCEDURES[proc].args, args));
    while (!replies.length) await next();
    const m = replies.shift();
    if (m.header.status !== 0) throw new Error(`raw client: procedure ${proc} failed`);
    return decode(PROCEDURES[proc].ret, m.payload);
  };
  await new Promise((r) => s.once('connect', r));
  await call(66, 0, undefined);
  await call(1, 1, { name: `test://${SERVER_URI_PATH}`, flags: 0 });
  const { domains } = await call(273, 2, { need_results: 1, flags: 1 });
  const encoded = Array.from({ length: 300 }, (_, i) =>
    encodeCall(16, 100 + i, PROCEDURES[16].args, { dom: domains[i % domains.length] }),
  );
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const start = process.hrtime.bigint();
    s.removeAllListeners('data');
    s.on('data', (c) => {
      const out = [];
      for (const m of decoder.push(c)) {
        if (m.header.status !== 0) return reject(new Error('raw client: GET_INFO failed'));
        done++;
        if (sent < calls) out.push(encoded[sent++ % encoded.length]);
      }
      if (out.length) s.write(Buffer.concat(out));
      if (done === calls) {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        s.destroy();
        resolve({ calls, seconds });
      }
    });
    const first = [];
    while (sent < Math.min(inflight, calls)) first.push(encoded[sent++ % encoded.length]);
    s.write(Buffer.concat(first));
  });
}

/** Opens `n` idle clients (AUTH_LIST + CONNECT_OPEN test:///default each) with raw frames. */
async function idleClients(daemon, n) {
  const { encodeCall } = require(path.join(DIST, 'rpc', 'framing.js'));
  const { PROCEDURES } = require(path.join(DIST, 'rpc', 'procedures.js'));
  const hello = Buffer.concat([
    encodeCall(66, 0, PROCEDURES[66].args, undefined),
    encodeCall(1, 1, PROCEDURES[1].args, { name: 'test:///default', flags: 0 }),
  ]);
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(daemon.sock);
    s.on('error', () => undefined);
    await new Promise((resolve, reject) => {
      let got = 0;
      s.on('data', (c) => {
        got += c.length;
        if (got >= 36 + 28) resolve();
      });
      s.once('connect', () => s.write(hello));
      s.once('close', () => reject(new Error(`${daemon.name} closed idle client ${i}`)));
    });
    sockets.push(s);
  }
  return sockets;
}

// ---- memory ----------------------------------------------------------------------------

/** The daemon's RSS in KiB; xvirtd's after a forced GC (with its heap figures), libvirtd's as it is. */
async function settledMemory(daemon) {
  await new Promise((r) => setTimeout(r, 500));
  if (!daemon.probeFile) return { rss: statusKiB(daemon.pid), anon: statusKiB(daemon.pid, 'RssAnon') };
  const p = await probe(daemon.pid, daemon.probeFile);
  return { rss: p.rss / 1024, anon: statusKiB(daemon.pid, 'RssAnon'), heap: (p.heapUsed + p.external) / 1024 };
}

/**
 * RSS idle, with the first client (xvirtd loads its handlers, connection layer and test driver for it), with `n`
 * idle clients that opened test:///default (the first among them), and after they closed.
 */
async function idleMemory(daemon, n, hold) {
  const idle = await settledMemory(daemon);
  const sockets = await idleClients(daemon, 1);
  hold(sockets);
  const first = await settledMemory(daemon);
  sockets.push(...(await idleClients(daemon, n - 1)));
  const busy = await settledMemory(daemon);
  for (const s of sockets) s.destroy();
  hold([]);
  await afterHeapTrim(() => settledMemory(daemon));
  const after = await settledMemory(daemon);
  return { idle, first, busy, after };
}

function printMemory(rss, n) {
  const mib = (k) => `${(k / 1024).toFixed(1)} MiB`;
  // Each client after the first: what one more idle client costs, once the code every client uses is loaded.
  const per = (m, key) => `${(((m.busy[key] - m.first[key]) * 1024) / (n - 1) / 1000).toFixed(1)} KB`;
  const cols = [39, 12, 14, 18, 12];
  const line = (cells) => process.stdout.write(cells.map((c, i) => pad(c, cols[i] ?? 0)).join('') + '\n');
  process.stdout.write(
    `\nDaemon memory (xvirtd after a forced GC), ${n} idle clients that each opened test:///default\n`,
  );
  line(['', 'idle', 'first client', `${n} clients`, 'per client', 'after they closed']);
  for (const name of ['xvirtd', 'libvirtd']) {
    const m = rss[name];
    line([`${name} RSS`, mib(m.idle.rss), mib(m.first.rss), mib(m.busy.rss), per(m, 'rss'), mib(m.after.rss)]);
  }
  // What is not the programs' own code pages (node's are ~35 MiB, touched as code first runs, once per process).
  for (const name of ['xvirtd', 'libvirtd']) {
    const m = rss[name];
    line([
      `${name} RSS anonymous`,
      mib(m.idle.anon),
      mib(m.first.anon),
      mib(m.busy.anon),
      per(m, 'anon'),
      mib(m.after.anon),
    ]);
  }
  const x = rss.xvirtd;
  line([
    'xvirtd heap+external (V8)',
    mib(x.idle.heap),
    mib(x.first.heap),
    mib(x.busy.heap),
    per(x, 'heap'),
    mib(x.after.heap),
  ]);
  process.stdout.write(
    `idle RSS xvirtd/libvirtd: ${(x.idle.rss / rss.libvirtd.idle.rss).toFixed(2)}×  (target ≤ 2.5×); ` +
      'per idle client target ≤ 10 KB (each after the first: the first loads the code every client uses)\n',
  );
}

// ---- main ------------------------------------------------------------------------------

const fmtRate = (r) => `${(r.calls / r.seconds / 1000).toFixed(1)}k/s`;
const fmtTime = (r) => `${r.seconds.toFixed(2)} s`;
const pad = (s, n) => String(s).padEnd(n);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(DIST, 'daemon', 'main.js'))) fail("dist/ is missing: run 'npm run build' first");
  const { connect } = require(path.join(DIST, 'index.js'));
  const baseline = opts.baselineClient && require(path.join(opts.baselineClient, 'index.js')).connect;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-remote-'));
  const daemons = [];
  let idle = [];
  const harness = teardowns();
  const cleanup = async () => {
    for (const s of idle) s.destroy();
    await harness.cleanup();
    daemons.length = 0;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup()
      .catch((err) => console.error(`bench: cleanup failed: ${err}`))
      .finally(() => process.exit(130));
  });
  // Whatever ends this process (a crash, a reader closing our stdout), the daemons it started end with it.
  process.on('exit', () => {
    for (const d of daemons) {
      try {
        process.kill(d.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      fs.rmSync(d.dir, { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    const h = compileHarness(path.join(dir, 'harness'), ['xvirtd', 'libvirtd']);
    const [xd, lv] = await startDaemons(h, harness.t, path.join(dir, 'probe.json'));
    daemons.push(xd, lv);

    const rss = {};
    await afterHeapTrim(() => settledMemory(xd));
    for (const d of [xd, lv])
      rss[d.name] = await idleMemory(d, opts.idleClients, (s) => {
        idle = s;
      });
    if (opts.memoryOnly) {
      printMemory(rss, opts.idleClients);
      return;
    }
    const cClient = buildLibvirtClient(dir);

    const { calls } = opts;
    process.stdout.write(
      `getInfo × ${calls} over 3 running guests (test driver, ${path.relative(REPO, FIXTURE)}); ` +
        `node ${process.version}, ${os.cpus().length} CPUs\n\n`,
    );
    const header = `${pad('', 40)}${pad('xvirtd', 22)}${pad('libvirtd', 22)}xvirtd vs libvirtd\n`;
    const row = (label, x, l, ratio) =>
      process.stdout.write(
        `${pad(label, 40)}${pad(`${fmtTime(x)}  ${fmtRate(x)}`, 22)}${pad(`${fmtTime(l)}  ${fmtRate(l)}`, 22)}${ratio}\n`,
      );
    const results = {};
    process.stdout.write('Each with its own client: xvirt → xvirtd, libvirt (C) → libvirtd\n' + header);
    // With --baseline-client, a third run in each pair: the earlier client, same daemon, same slices.
    const withBaseline = (transport, inflight) =>
      baseline ? [(n) => xvirtRun(baseline, uriFor(xd, transport), n, inflight)] : [];
    const baselineRow = (label, b, l, ratio) => {
      if (b) row(`${label} (baseline client)`, b, l, ratio(b));
    };
    for (const transport of ['unix', 'tcp']) {
      const [xs, ls, bs] = await paired(
        opts.rounds,
        calls,
        (n) => xvirtRun(connect, uriFor(xd, transport), n, 1),
        (n) => runC(cClient, uriFor(lv, transport), n, 1),
        ...withBaseline(transport, 1),
      );
      const seqRatio = (x) => `time ${(x.seconds / ls.seconds).toFixed(2)}×  (target ≤ 0.5×)`;
      row(`${transport}  sequential`, xs, ls, seqRatio(xs));
      baselineRow(`${transport}  sequential`, bs, ls, seqRatio);
      const [xp, lp, bp] = await paired(
        opts.rounds,
        calls,
        (n) => xvirtRun(connect, uriFor(xd, transport), n, opts.inflight),
        (n) => runC(cClient, uriFor(lv, transport), n, 4),
        ...withBaseline(transport, opts.inflight),
      );
      const tput = (x) => `throughput ${(x.calls / x.seconds / (lp.calls / lp.seconds)).toFixed(2)}×  (target ≥ 5×)`;
      row(`${transport}  ${opts.inflight} in flight | 4 threads`, xp, lp, tput(xp));
      baselineRow(`${transport}  ${opts.inflight} in flight`, bp, lp, tput);
      results[transport] = { lp };
    }
    process.stdout.write(
      `\nxvirtd's capacity: a minimal client, ${opts.inflight} pre-encoded calls in flight, against libvirt (C) 4 threads → libvirtd\n` +
        header,
    );
    for (const transport of ['unix', 'tcp']) {
      const [r] = await paired(opts.rounds, calls, (n) => rawPipelined(xd, transport, n, opts.inflight));
      const { lp } = results[transport];
      const tput = r.calls / r.seconds / (lp.calls / lp.seconds);
      row(`${transport}  pipelined`, r, lp, `throughput ${tput.toFixed(2)}×`);
    }
    process.stdout.write("\nThe servers alone: libvirt's C client → each daemon\n" + header);
    for (const transport of ['unix', 'tcp']) {
      for (const threads of [1, 4]) {
        const [x, l] = await paired(
          opts.rounds,
          calls,
          (n) => runC(cClient, uriFor(xd, transport), n, threads),
          (n) => runC(cClient, uriFor(lv, transport), n, threads),
        );
        row(
          `${transport}  ${threads === 1 ? 'sequential' : '4 threads'}`,
          x,
          l,
          `time ${(x.seconds / l.seconds).toFixed(2)}×`,
        );
      }
    }
    printMemory(rss, opts.idleClients);
  } finally {
    await cleanup();
  }
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
