#!/usr/bin/env node
// getInfo through the setuid proxy (as an unprivileged user), beside the
// direct driver (as root) and a plain C unix-socket request/response loop of
// the same message sizes (native/proxy/bench_socket_loop.c), in one run.
// Runs inside the Xen lab: scripts/xen-lab --bench bench/proxy.js
//   XVIRT_BENCH_N      getInfo calls per figure (default 300000, spread over the guests)
//   XVIRT_BENCH_SEQ_N  calls for the one-at-a-time figures (default N)
//   XVIRT_BENCH_PIN=0  do not pin to one CPU (by default the whole run is under
//                      `taskset 1`: under TCG a wake-up across vCPUs costs ~1 ms)
// The proxy part runs in a child process as $XVIRT_LAB_UID (this file with
// --proxy-child). Prints each figure and the ratios; exits 1 if a part cannot run.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { connect } = require(path.join(root, 'dist/index.js'));
const TOTAL = Number(process.env.XVIRT_BENCH_N || 300000);
const SEQ_TOTAL = Number(process.env.XVIRT_BENCH_SEQ_N || TOTAL);
const WINDOW = 32; // requests in flight in the pipelined proxy figure
const LOOP = path.join(root, 'native/proxy/build/bench_socket_loop');
const HELPER = '/usr/local/libexec/xvirt/xvirt-proxy';

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** getInfo one at a time (`seqRounds` per guest), then `rounds` per guest with WINDOW in flight. */
async function measure(rounds, seqRounds = rounds) {
  const conn = await connect('xen:///system');
  const guests = (await conn.listAllDomains(1 /* ACTIVE */)).filter((d) => d.id !== 0);
  if (guests.length === 0) throw new Error('no running guests to measure');
  for (let i = 0; i < 1000; i++) for (const d of guests) await d.getInfo(); // warm up
  const sequential = await timed(async () => {
    for (let i = 0; i < seqRounds; i++) for (const d of guests) await d.getInfo();
  });
  const pipelined = await timed(async () => {
    const calls = rounds * guests.length;
    let next = 0;
    const worker = async () => { while (next < calls) await guests[next++ % guests.length].getInfo(); };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  });
  const driver = conn.driverName;
  await conn.close();
  return { driver, guests: guests.map((d) => `${d.name}=${d.id}`), calls: rounds * guests.length,
    seqCalls: seqRounds * guests.length, sequential, pipelined };
}

function row(label, calls, seconds) {
  const perSec = calls / seconds;
  console.log(`${label.padEnd(50)} ${String(calls).padStart(8)} calls ${seconds.toFixed(3).padStart(8)} s ` +
    `${Math.round(perSec).toString().padStart(8)} calls/s ${(1e6 / perSec).toFixed(2).padStart(7)} us/call`);
  return seconds / calls;
}

async function main() {
  if (!fs.existsSync(LOOP)) throw new Error(`${LOOP} is missing: build it on the host (make -C native/proxy)`);
  const uid = Number(process.env.XVIRT_LAB_UID);
  const gid = Number(process.env.XVIRT_LAB_GID);
  if (!Number.isInteger(uid) || uid === 0) throw new Error('XVIRT_LAB_UID is not set to an unprivileged uid: run inside scripts/xen-lab');
  if (!fs.existsSync(HELPER)) execFileSync(path.join(root, 'scripts/install-proxy'), ['--no-build'], { stdio: 'inherit' });

  const direct = await measure(0); // guest count only
  const rounds = Math.floor(TOTAL / direct.guests.length);
  console.log(`# proxy bench: getInfo over ${direct.guests.length} guests (${direct.guests.join(' ')}), ${rounds} rounds`);

  // Each figure is printed as soon as it is measured: under emulation the whole run takes minutes.
  const c = JSON.parse(execFileSync(LOOP, [String(rounds * direct.guests.length)], { encoding: 'utf8' }));
  const perC = row('C loop: unix socket 32-byte req / 88-byte reply', c.calls, c.seconds);
  const seqRounds = Math.max(1, Math.floor(SEQ_TOTAL / direct.guests.length));
  const d = await measure(rounds, seqRounds);
  if (d.driver !== 'xen') throw new Error(`root got driver ${d.driver}, not the direct one`);
  const perDirect = row('direct (root): getInfo, one at a time', d.seqCalls, d.sequential);
  const perDirectPipe = row(`direct (root): getInfo, ${WINDOW} in flight`, d.calls, d.pipelined);
  const child = spawnSync(process.execPath, [__filename, '--proxy-child', String(rounds), String(seqRounds)],
    { uid, gid, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 1_200_000 });
  if (child.status !== 0) throw new Error(`proxy child failed (${child.status}): ${child.stderr}${child.stdout}`);
  const p = JSON.parse(child.stdout.trim().split('\n').pop());
  if (p.driver !== 'xen-proxy') throw new Error(`the unprivileged user got driver ${p.driver}, not the proxy`);
  const perProxy = row('proxy (uid ' + uid + '): getInfo, one at a time', p.seqCalls, p.sequential);
  const perProxyPipe = row(`proxy (uid ${uid}): getInfo, ${WINDOW} in flight`, p.calls, p.pipelined);
  console.log(`ratio proxy one at a time / C socket loop: ${(perProxy / perC).toFixed(3)} (target <= 1.5)`);
  console.log(`ratio proxy ${WINDOW} in flight / C socket loop: ${(perProxyPipe / perC).toFixed(3)} (target <= 1.5)`);
  console.log(`ratio proxy one at a time / direct one at a time: ${(perProxy / perDirect).toFixed(3)} (target <= 6.4)`);
  console.log(`ratio proxy ${WINDOW} in flight / direct ${WINDOW} in flight: ${(perProxyPipe / perDirectPipe).toFixed(3)} (target <= 6.4)`);
}

function pinned() {
  if (process.env.XVIRT_BENCH_PIN === '0' || process.env.XVIRT_BENCH_PINNED) return false;
  const r = spawnSync('taskset', ['1', process.execPath, __filename], { stdio: 'inherit', env: { ...process.env, XVIRT_BENCH_PINNED: '1' } });
  if (r.error) throw new Error(`cannot pin with taskset (${r.error.message}): set XVIRT_BENCH_PIN=0 to run unpinned`);
  process.exitCode = r.status ?? 1;
  return true;
}

if (process.argv[2] === '--proxy-child') {
  measure(Number(process.argv[3]), Number(process.argv[4])).then((r) => console.log(JSON.stringify(r)), (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  });
} else if (!pinned()) {
  if (process.env.XVIRT_BENCH_PINNED) console.log('# pinned to CPU 0 (taskset 1): C loop, direct and proxy alike');
  main().catch((err) => {
    console.error(`proxy bench failed: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}
