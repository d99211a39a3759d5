#!/usr/bin/env node
'use strict';
/**
 * getInfo over the secure transports, xvirt against libvirt side by side:
 *   TLS: xvirt's client → xvirtd (listen_tls)  vs  libvirt's C client → libvirtd (listen_tls),
 *        same test PKI (client certificate + tls_allowed_dn_list on both servers);
 *   ssh: xvirt's client → sshd → xvirt-ssh-helper → xvirtd
 *        vs  libvirt's C client → sshd → nc -U (libvirt's netcat mode) → libvirtd,
 *        same private sshd on loopback.
 * Both daemons serve their test driver with fixtures/bench-3-guests.xml (3 running guests).
 * Three forms of the same work, each row printing xvirt's time, libvirt's time and their ratio:
 *   sequential  one call at a time (libvirt: virDomainGetInfo in a loop, one thread);
 *   dashboard   N/3 poll rounds, each getInfo on all 3 guests: xvirt issues the 3 at once
 *               (Promise.all on one connection); libvirt's API is synchronous, so its client
 *               either makes the 3 calls one after another, or runs one thread per guest
 *               (the round ends when all 3 have answered): both are printed;
 *   pipelined   K calls in flight on xvirt's one connection, libvirt with 4 threads on its one.
 * libvirt's side is bench/getinfo-libvirt.c (built by bench/harness.js).
 *
 * Each row's runs alternate in S slices (libvirt, xvirt, libvirt...) whose times are summed,
 * so load that comes and goes on a shared machine hits both sides.
 *
 *   node bench/secure.js [--calls N (300000)] [--inflight K (64)] [--slices S (5)]
 *
 * Needs root (libvirtd, sshd), npm run build, and scripts/install-test-deps (libvirt-dev, sshd, openssl).
 * The test harnesses (test/support/{pki,sshd,libvirtd,ports,xvirtd}.ts) are compiled to a temp dir (bench/harness.js) and reused.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildLibvirtClient, compileHarness, paired, runLibvirtClient, teardowns } = require('./harness');

const REPO = path.resolve(__dirname, '..');
const FIXTURE = path.join(REPO, 'fixtures', 'bench-3-guests.xml');

function fail(message) {
  process.stderr.write(`bench/secure.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { calls: 300000, inflight: 64, slices: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write('usage: node bench/secure.js [--calls N (300000)] [--inflight K (64)] [--slices S (5)]\n');
      process.exit(0);
    }
    const key = { '--calls': 'calls', '--inflight': 'inflight', '--slices': 'slices' }[argv[i]];
    const value = Number(argv[++i]);
    if (!key || !Number.isInteger(value) || value < 1)
      fail(`bad argument '${argv[i - 1]} ${argv[i] ?? ''}' (try --help)`);
    opts[key] = value;
  }
  return opts;
}

/** The first 3 running guests of a fresh connection, warmed up like libvirt's side (up to 1,000 calls each). */
async function openGuests(connect, uri, calls) {
  const conn = await connect(uri);
  const doms = (await conn.listActiveDomains()).slice(0, 3);
  if (doms.length < 3) throw new Error(`${uri} has ${doms.length} running guests; the bench needs 3`);
  for (let i = 0; i < 3 * Math.min(calls, 1000); i++) await doms[i % 3].getInfo();
  return { conn, doms };
}

/** `calls` getInfo calls cycling through the guests, `inflight` at a time on one connection. */
async function xvirtRun(connect, uri, calls, inflight) {
  const { conn, doms } = await openGuests(connect, uri, calls);
  try {
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        for (let i = next++; i < calls; i = next++) await doms[i % 3].getInfo();
      }),
    );
    return { calls, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    await conn.close();
  }
}

/** A dashboard's poll: `rounds` rounds, each getInfo on the 3 guests at once. */
async function xvirtRounds(connect, uri, rounds) {
  const { conn, doms } = await openGuests(connect, uri, rounds);
  const [a, b, c] = doms;
  try {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) await Promise.all([a.getInfo(), b.getInfo(), c.getInfo()]);
    return { calls: rounds * 3, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    await conn.close();
  }
}

const pad = (s, n) => String(s).padEnd(n);
const show = (r) => `${r.seconds.toFixed(2)} s  ${(r.calls / r.seconds / 1000).toFixed(1)}k/s`;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * One transport's rows. Each row's runs alternate in `slices` slices (libvirt,
 * xvirt, libvirt, xvirt...) whose times are summed, so passing load hits both.
 * `extra` adds runs to the sequential row (printed by the caller).
 */
async function measure(name, xUri, lUri, { calls, inflight, slices, connect, libvirt }, extra = []) {
  const rounds = Math.max(1, Math.round(calls / 3));
  const row = (label, x, l, target = '') =>
    process.stdout.write(
      `${pad(`${name}  ${label}`, 58)}${pad(show(x), 22)}${pad(show(l), 22)}${(x.seconds / l.seconds).toFixed(2)}×${target}\n`,
    );
  const [lSeq, xSeq, ...more] = await paired(
    slices,
    calls,
    (n) => libvirt(lUri, n, 'interleaved', 1),
    (n) => xvirtRun(connect, xUri, n, 1),
    ...extra,
  );
  row('sequential: 1 call at a time | 1 call at a time', xSeq, lSeq, '  (target ≤ 0.5×)');
  const [lRounds, xRounds, lThreads] = await paired(
    slices,
    rounds,
    (n) => libvirt(lUri, n, 'rounds', 1),
    (n) => xvirtRounds(connect, xUri, n),
    (n) => libvirt(lUri, n, 'rounds', 3),
  );
  row(`dashboard ${rounds} rounds: 3 at once | 3 in a row`, xRounds, lRounds);
  row(`dashboard ${rounds} rounds: 3 at once | 3 threads`, xRounds, lThreads);
  const [lPipe, xPipe] = await paired(
    slices,
    calls,
    (n) => libvirt(lUri, n, 'interleaved', 4),
    (n) => xvirtRun(connect, xUri, n, inflight),
  );
  row(`pipelined: ${inflight} in flight | 4 threads`, xPipe, lPipe);
  return { lSeq, more };
}

async function main() {
  const { calls, inflight, slices } = parseArgs(process.argv.slice(2));
  if (process.getuid() !== 0) fail('needs root (private libvirtd and sshd)');
  if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) fail("dist/ is missing: run 'npm run build' first");
  const { connect } = require(path.join(REPO, 'dist', 'index.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-secure-'));
  const { t, cleanup } = teardowns();
  try {
    const h = compileHarness(path.join(dir, 'harness'), ['pki', 'sshd', 'libvirtd', 'ports', 'xvirtd']);
    const libvirtBin = buildLibvirtClient(dir);
    const pki = await h.pki.TestPki.create();
    t.teardown(() => pki.cleanup());
    const client = await pki.client('bench', '/C=GB/O=xvirt test/CN=bench');
    const tlsCommon = [
      `key_file = "${pki.server.key}"`,
      `cert_file = "${pki.server.cert}"`,
      `ca_file = "${pki.ca.cert}"`,
      'tls_allowed_dn_list = ["C=GB,O=xvirt test,CN=bench"]',
    ];
    const [xPort, lPort] = [await h.ports.freePort(), await h.ports.freePort()];
    const xd = await h.xvirtd.startXvirtd(t, {
      extraConfig: ['log_level = 4', 'listen_tls = 1', `tls_port = ${xPort}`, ...tlsCommon],
    });
    const lv = await h.libvirtd.startLibvirtd(t, {
      extraConfig: [
        'listen_tls = 1',
        `tls_port = "${lPort}"`,
        'listen_addr = "127.0.0.1"',
        'auth_tls = "none"',
        ...tlsCommon,
      ],
    });
    const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
    fs.symlinkSync(path.join(REPO, 'bin', 'xvirt-ssh-helper.js'), path.join(bin, 'xvirt-ssh-helper'));
    const sshd = await h.sshd.startSshd(t, {
      sessionEnv: { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, XVIRTD_SOCK: xd.rwSocket },
    });

    const pkipath = `pkipath=${encodeURIComponent(client.pkipath)}`;
    const ssh = `test+ssh://root@127.0.0.1:${sshd.port}${FIXTURE}?command=${encodeURIComponent(sshd.sshWrapper)}`;
    const cases = [
      [
        'TLS',
        `test+tls://localhost:${xPort}${FIXTURE}?${pkipath}`,
        `test+tls://localhost:${lPort}${FIXTURE}?${pkipath}`,
      ],
      ['ssh', `${ssh}&proxy=xvirt`, `${ssh}&netcat=nc&socket=${encodeURIComponent(lv.socket)}`],
    ];
    process.stdout.write(
      `getInfo over 3 running guests (test driver), ${calls} calls per row; node ${process.version}, ` +
        `${os.cpus().length} CPUs; load average ${load()}\n` +
        'Row labels say what xvirt does | what libvirt does. Time ratio: xvirt time / libvirt time for the same calls.\n' +
        `Each row: ${slices} alternating slices per side, times summed.\n\n`,
    );
    process.stdout.write(`${pad('', 58)}${pad('xvirt', 22)}${pad('libvirt (C)', 22)}time ratio\n`);
    const common = {
      calls,
      inflight,
      slices,
      connect,
      libvirt: (uri, n, mode, threads) => runLibvirtClient(libvirtBin, uri, n, mode, threads),
    };
    for (const [name, xUri, lUri] of cases) {
      // Over ssh, also the far-side bridge alone: xvirt through the system's nc -U instead of xvirt-ssh-helper.
      const viaNetcat = `${ssh}&netcat=nc&socket=${encodeURIComponent(xd.rwSocket)}`;
      const extra = name === 'ssh' ? [(n) => xvirtRun(connect, viaNetcat, n, 1)] : [];
      const {
        lSeq,
        more: [xn],
      } = await measure(name, xUri, lUri, common, extra);
      if (xn) {
        process.stdout.write(
          `${pad(`${name}  sequential, far side nc -U | 1 call at a time`, 58)}${pad(show(xn), 22)}` +
            `${pad(show(lSeq), 22)}${(xn.seconds / lSeq.seconds).toFixed(2)}×\n`,
        );
      }
    }
    process.stdout.write(`\nload average at the end ${load()}\n`);
  } finally {
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
