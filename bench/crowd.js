#!/usr/bin/env node
'use strict';
/**
 * A crowd, hostile members included, against xvirtd and a private libvirtd
 * in the same run (issue #15), printed side by side. Each daemon serves its
 * test driver on a unix socket, TCP (auth none) and TLS, max_clients 5000,
 * everything else at its defaults:
 *
 *   idle     N connections held (half unix, half TCP; half of each sent 10 bytes of a header), then
 *            fresh clients on unix and TCP: connect, AUTH_LIST, CONNECT_OPEN, a lookup (served in 5 s? p50/p99)
 *   tls      N silent connections to the TLS port, then the same fresh-client check
 *   dribble  20 clients on the read-only socket announce a 286,720-byte message before CONNECT_OPEN and send
 *            B bytes of it one byte per write, then the same on the rw socket after CONNECT_OPEN with 32 MiB
 *            announced: memory per byte received, and after they close
 *   events   a client registers lifecycle events and stops reading while 16 lanes suspend/resume domains
 *            (E events; libvirtd at most L: it queues every event for the non-reader, ~4 KiB each): was it
 *            disconnected, RSS peak, the longest stall seen by a 20 ms prober, and xvirtd's own event-loop
 *            delay (bench/daemon-probe.js)
 *   mixed    C concurrent clients for S seconds: reads, suspend/resume and define/undefine of their own
 *            domain; refused connects, wrong answers, lost definitions, latency p50/p99, settled memory before,
 *            after and 30 s later
 *
 *   node bench/crowd.js [--only idle,tls,dribble,events,mixed] [--idle N (2000)] [--tls N (1500)]
 *        [--fresh N (20)] [--dribble-bytes B (65536)] [--events E (200000)] [--libvirtd-events L (100000)]
 *        [--clients C (1000)] [--seconds S (20)]
 *
 * Before the sections, one client on each daemon: xvirtd loads the code that serves clients with its first one.
 *
 * Memory: xvirtd's is read after a forced GC where it says "settled", libvirtd's RSS as it is (C, nothing to
 * collect); peaks are raw RSS sampled every 100 ms. Needs: npm run build, root (libvirtd; scripts/install-test-deps).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { compileHarness, teardowns } = require('./harness');
const { afterHeapTrim, probe, probeEnv } = require('./daemon-probe');
const sections = require('./crowd-sections');

const REPO = path.resolve(__dirname, '..');
const ALL = ['idle', 'tls', 'dribble', 'events', 'mixed'];

function parseArgs(argv) {
  const opts = {
    only: ALL,
    idle: 2000,
    tls: 1500,
    fresh: 20,
    dribbleBytes: 65536,
    events: 200000,
    libvirtdEvents: 100000,
    clients: 1000,
    seconds: 20,
  };
  const names = {
    '--idle': 'idle',
    '--tls': 'tls',
    '--fresh': 'fresh',
    '--dribble-bytes': 'dribbleBytes',
    '--events': 'events',
    '--libvirtd-events': 'libvirtdEvents',
    '--clients': 'clients',
    '--seconds': 'seconds',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      const doc = fs.readFileSync(__filename, 'utf8').split('*/')[0].split('/**')[1];
      process.stdout.write(doc.replace(/^ \* ?/gm, '').trim() + '\n');
      process.exit(0);
    }
    if (argv[i] === '--only') {
      opts.only = String(argv[++i] ?? '').split(',');
      if (opts.only.some((s) => !ALL.includes(s))) fail(`--only takes some of ${ALL.join(',')}`);
      continue;
    }
    const key = names[argv[i]];
    const value = Number(argv[++i]);
    if (!key || !Number.isInteger(value) || value < 1) {
      fail(`bad argument '${argv[i - 1]} ${argv[i] ?? ''}' (try --help)`);
    }
    opts[key] = value;
  }
  if (opts.dribbleBytes > 286715) {
    fail(
      '--dribble-bytes is at most 286715 (the announced message less its length word and one byte: it never completes)',
    );
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`bench/crowd.js: ${message}\n`);
  process.exit(1);
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function startDaemons(h, t, dir, opts) {
  const pki = await h.pki.TestPki.create();
  t.teardown(() => pki.cleanup());
  const tls = [`key_file = "${pki.server.key}"`, `cert_file = "${pki.server.cert}"`, `ca_file = "${pki.ca.cert}"`];
  const [xTls, lTls] = [await h.ports.freePort(), await h.ports.freePort()];
  const probeFile = path.join(dir, 'probe.json');
  const x = await h.xvirtd.startXvirtd(t, {
    tcp: true,
    // The event-loop monitor only where the events section reads it (it adds node modules to the daemon's RSS).
    env: probeEnv(probeFile, { loop: opts.only.includes('events') }),
    extraConfig: ['max_clients = 5000', 'log_level = 4', 'listen_tls = 1', `tls_port = ${xTls}`, ...tls],
  });
  const l = await h.libvirtd.startLibvirtd(t, {
    tcp: true,
    extraConfig: [
      'max_clients = 5000',
      'listen_tls = 1',
      `tls_port = "${lTls}"`,
      'listen_addr = "127.0.0.1"',
      'auth_tls = "none"',
      ...tls,
    ],
  });
  const xd = {
    name: 'xvirtd',
    pid: x.proc.pid,
    unix: x.rwSocket,
    ro: x.roSocket,
    tcp: { port: x.tcpPort },
    tls: { port: xTls },
    loopStall: async () => (await probe(x.proc.pid, probeFile)).loopMaxMs,
    buffers: NaN,
  };
  // Also keeps the ArrayBuffer bytes of the same probe: what xvirtd holds in buffers, without the allocator's slack.
  xd.settled = async () => {
    const p = await probe(x.proc.pid, probeFile);
    xd.buffers = p.arrayBuffers;
    return p.rss;
  };
  return [
    xd,
    {
      name: 'libvirtd',
      pid: l.pid,
      unix: l.socket,
      ro: l.socketRo,
      tcp: { port: l.tcpPort },
      tls: { port: lTls },
      settled: async () => rssBytes(l.pid),
      loopStall: null,
      buffers: NaN,
    },
  ];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid() !== 0) fail('needs root (a private libvirtd)');
  if (!fs.existsSync(path.join(REPO, 'dist', 'daemon', 'main.js'))) fail("dist/ is missing: run 'npm run build' first");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-crowd-'));
  const { t, cleanup } = teardowns();
  const pids = [];
  process.on('exit', () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  process.on('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });
  try {
    const h = compileHarness(path.join(dir, 'harness'), ['pki', 'ports', 'xvirtd', 'libvirtd']);
    const daemons = await startDaemons(h, t, dir, opts);
    pids.push(...daemons.map((d) => d.pid));
    for (const d of daemons) d.rss = () => rssBytes(d.pid);
    await afterHeapTrim(() => Promise.all(daemons.map((d) => d.settled())));
    const load = () =>
      os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ');
    process.stdout.write(
      `bench/crowd.js: xvirtd beside libvirtd (${h.libvirtd.LIBVIRTD}), node ${process.version}, ` +
        `${os.cpus().length} CPUs, load ${load()}\n`,
    );
    await sections.firstClient(daemons);
    for (const name of opts.only) await sections[name](daemons, opts);
    process.stdout.write(`\nload at the end: ${load()}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
