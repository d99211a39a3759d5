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
 * libvirt's client makes one call at a time (virDomainGetInfo in a loop); xvirt is
 * measured the same way (sequential) and with calls pipelined on its one connection.
 *
 *   node bench/secure.js [--calls N (300000)] [--inflight K (64)]
 *
 * Needs root (libvirtd, sshd), npm run build, and scripts/install-test-deps (libvirt-dev, sshd, openssl).
 * The test harnesses (test/support/{pki,sshd,libvirtd,ports,xvirtd}.ts) are compiled to a temp dir (bench/harness.js) and reused.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { compileHarness, teardowns } = require('./harness');

const REPO = path.resolve(__dirname, '..');
const FIXTURE = path.join(REPO, 'fixtures', 'bench-3-guests.xml');

function fail(message) {
  process.stderr.write(`bench/secure.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { calls: 300000, inflight: 64 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write('usage: node bench/secure.js [--calls N (300000)] [--inflight K (64)]\n');
      process.exit(0);
    }
    const key = { '--calls': 'calls', '--inflight': 'inflight' }[argv[i]];
    const value = Number(argv[++i]);
    if (!key || !Number.isInteger(value) || value < 1) fail(`bad argument '${argv[i - 1]} ${argv[i] ?? ''}' (try --help)`);
    opts[key] = value;
  }
  return opts;
}

/** libvirt's side: one virDomainGetInfo after another, round-robin over the running guests. */
const LIBVIRT_LOOP = String.raw`
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long n = atol(argv[2]);
  virConnectPtr c = virConnectOpen(argv[1]);
  virDomainPtr *d = NULL;
  int k = c ? virConnectListAllDomains(c, &d, VIR_CONNECT_LIST_DOMAINS_ACTIVE) : -1;
  if (k < 1) return 1;
  virDomainInfo info;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
    if (virDomainGetInfo(d[i % k], &info) < 0) return 1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
`;

function compileLibvirtLoop(dir) {
  const src = path.join(dir, 'loop.c');
  const bin = path.join(dir, 'loop');
  fs.writeFileSync(src, LIBVIRT_LOOP);
  let flags;
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libvirt'], { encoding: 'utf8' }).trim().split(/\s+/);
  } catch {
    fail('pkg-config libvirt failed: run scripts/install-test-deps as root (libvirt-dev)');
  }
  execFileSync('cc', ['-O2', '-o', bin, src, ...flags], { stdio: 'inherit' });
  return bin;
}

function libvirtRun(bin, uri, calls) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [uri, String(calls)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { err += c; });
    child.on('close', (code) => (code === 0 ? resolve({ calls, seconds: Number(out) })
      : reject(new Error(`libvirt client on ${uri} failed (${code}): ${err}`))));
  });
}

async function xvirtRun(connect, uri, calls, inflight) {
  const conn = await connect(uri);
  try {
    const doms = await conn.listActiveDomains();
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: inflight }, async () => {
      for (let i = next++; i < calls; i = next++) await doms[i % doms.length].getInfo();
    }));
    return { calls, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    await conn.close();
  }
}

const pad = (s, n) => String(s).padEnd(n);
const show = (r) => `${r.seconds.toFixed(2)} s  ${(r.calls / r.seconds / 1000).toFixed(1)}k/s`;

async function main() {
  const { calls, inflight } = parseArgs(process.argv.slice(2));
  if (process.getuid() !== 0) fail('needs root (private libvirtd and sshd)');
  if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) fail("dist/ is missing: run 'npm run build' first");
  const { connect } = require(path.join(REPO, 'dist', 'index.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-secure-'));
  const { t, cleanup } = teardowns();
  try {
    const h = compileHarness(path.join(dir, 'harness'), ['pki', 'sshd', 'libvirtd', 'ports', 'xvirtd']);
    const loop = compileLibvirtLoop(dir);
    const pki = await h.pki.TestPki.create();
    t.teardown(() => pki.cleanup());
    const client = await pki.client('bench', '/C=GB/O=xvirt test/CN=bench');
    const tlsCommon = [`key_file = "${pki.server.key}"`, `cert_file = "${pki.server.cert}"`, `ca_file = "${pki.ca.cert}"`,
      'tls_allowed_dn_list = ["C=GB,O=xvirt test,CN=bench"]'];
    const [xPort, lPort] = [await h.ports.freePort(), await h.ports.freePort()];
    const xd = await h.xvirtd.startXvirtd(t, { extraConfig: ['log_level = 4', 'listen_tls = 1', `tls_port = ${xPort}`, ...tlsCommon] });
    const lv = await h.libvirtd.startLibvirtd(t, { extraConfig: ['listen_tls = 1', `tls_port = "${lPort}"`,
      'listen_addr = "127.0.0.1"', 'auth_tls = "none"', ...tlsCommon] });
    const bin = fs.mkdtempSync(path.join(dir, 'bin-'));
    fs.symlinkSync(path.join(REPO, 'bin', 'xvirt-ssh-helper.js'), path.join(bin, 'xvirt-ssh-helper'));
    const sshd = await h.sshd.startSshd(t, { sessionEnv: { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, XVIRTD_SOCK: xd.rwSocket } });

    const pkipath = `pkipath=${encodeURIComponent(client.pkipath)}`;
    const ssh = `test+ssh://root@127.0.0.1:${sshd.port}${FIXTURE}?command=${encodeURIComponent(sshd.sshWrapper)}`;
    const cases = [
      ['TLS', `test+tls://localhost:${xPort}${FIXTURE}?${pkipath}`, `test+tls://localhost:${lPort}${FIXTURE}?${pkipath}`],
      ['ssh', `${ssh}&proxy=xvirt`, `${ssh}&netcat=nc&socket=${encodeURIComponent(lv.socket)}`],
    ];
    process.stdout.write(`getInfo × ${calls} over 3 running guests (test driver); node ${process.version}, ${os.cpus().length} CPUs\n\n`);
    process.stdout.write(`${pad('', 26)}${pad('xvirt', 24)}${pad('libvirt (C, sequential)', 26)}xvirt time / libvirt time\n`);
    for (const [name, xUri, lUri] of cases) {
      const l = await libvirtRun(loop, lUri, calls);
      const xs = await xvirtRun(connect, xUri, calls, 1);
      const xp = await xvirtRun(connect, xUri, calls, inflight);
      process.stdout.write(`${pad(`${name}  sequential`, 26)}${pad(show(xs), 24)}${pad(show(l), 26)}${(xs.seconds / l.seconds).toFixed(2)}×  (target ≤ 0.5×)\n`);
      process.stdout.write(`${pad(`${name}  ${inflight} in flight`, 26)}${pad(show(xp), 24)}${pad('', 26)}${(xp.seconds / l.seconds).toFixed(2)}×\n`);
      if (name === 'ssh') {
        // The far-side bridge alone: xvirt through the system's nc -U instead of xvirt-ssh-helper.
        const xn = await xvirtRun(connect, `${ssh}&netcat=nc&socket=${encodeURIComponent(xd.rwSocket)}`, calls, 1);
        process.stdout.write(`${pad('ssh  sequential, nc -U', 26)}${pad(show(xn), 24)}${pad('', 26)}${(xn.seconds / l.seconds).toFixed(2)}×\n`);
      }
    }
  } finally {
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
