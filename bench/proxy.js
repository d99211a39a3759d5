#!/usr/bin/env node
// getInfo through the setuid proxy (as an unprivileged user), beside the
// direct driver (as root) and a plain C unix-socket request/response loop of
// the same message sizes (native/proxy/bench_socket_loop.c, which also gives a
// C client of the helper: the floor for any client of it), in one run.
// Runs inside the Xen lab: scripts/xen-lab --bench bench/proxy.js
//   XVIRT_BENCH_N      getInfo calls per figure (default 300000, spread over the guests)
//   XVIRT_BENCH_SEQ_N  calls for the one-at-a-time figures (default N)
//   XVIRT_BENCH_CHUNKS the parts take turns, each running 1/CHUNKS of its calls (default 5)
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
const SOCKET = '/run/xvirt/proxy.sock';
const CHUNKS = Math.max(1, Number(process.env.XVIRT_BENCH_CHUNKS || 5));
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
  for (let i = 0; i < 300; i++) for (const d of guests) await d.getInfo(); // warm up
  const sequential = await timed(async () => {
    for (let i = 0; i < seqRounds; i++) for (const d of guests) await d.getInfo();
  });
  const pipelined = await timed(async () => {
    const calls = rounds * guests.length;
    let next = 0;
    const worker = async () => {
      while (next < calls) await guests[next++ % guests.length].getInfo();
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  });
  const driver = conn.driverName;
  await conn.close();
  return {
    driver,
    guests: guests.map((d) => `${d.name}=${d.id}`),
    calls: rounds * guests.length,
    seqCalls: seqRounds * guests.length,
    sequential,
    pipelined,
  };
}

function row(label, calls, seconds) {
  const perSec = calls / seconds;
  console.log(
    `${label.padEnd(50)} ${String(calls).padStart(8)} calls ${seconds.toFixed(3).padStart(8)} s ` +
      `${Math.round(perSec).toString().padStart(8)} calls/s ${(1e6 / perSec).toFixed(2).padStart(7)} us/call`,
  );
  return seconds / calls;
}

/** Adds `calls` and `seconds` to the figure `name` of `totals`. */
function add(totals, name, calls, seconds) {
  const t = (totals[name] ??= { calls: 0, seconds: 0 });
  t.calls += calls;
  t.seconds += seconds;
}

async function main() {
  if (!fs.existsSync(LOOP)) throw new Error(`${LOOP} is missing: build it on the host (make -C native/proxy)`);
  const uid = Number(process.env.XVIRT_LAB_UID);
  const gid = Number(process.env.XVIRT_LAB_GID);
  if (!Number.isInteger(uid) || uid === 0)
    throw new Error('XVIRT_LAB_UID is not set to an unprivileged uid: run inside scripts/xen-lab');
  if (!fs.existsSync(HELPER))
    execFileSync(path.join(root, 'scripts/install-proxy'), ['--no-build'], { stdio: 'inherit' });

  const probe = await measure(0); // guest count only
  const n = probe.guests.length;
  const rounds = Math.max(1, Math.floor(TOTAL / n / CHUNKS));
  const seqRounds = Math.max(1, Math.floor(SEQ_TOTAL / n / CHUNKS));
  const firstGuest = probe.guests[0].split('=')[1];
  console.log(
    `# proxy bench: getInfo over ${n} guests (${probe.guests.join(' ')}), ${CHUNKS} chunks of ` +
      `${rounds * n} calls (${seqRounds * n} one at a time), the parts taking turns`,
  );

  // Under emulation the machine's load drifts over minutes: each part runs a chunk in turn, so
  // every figure sees the same conditions, and the ratios compare like with like.
  const totals = {};
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const child = spawnSync(process.execPath, [__filename, '--proxy-child', String(rounds), String(seqRounds)], {
      uid,
      gid,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      timeout: 1_200_000,
    });
    if (child.status !== 0) throw new Error(`proxy child failed (${child.status}): ${child.stderr}${child.stdout}`);
    const p = JSON.parse(child.stdout.trim().split('\n').pop());
    if (p.driver !== 'xen-proxy') throw new Error(`the unprivileged user got driver ${p.driver}, not the proxy`);
    add(totals, 'proxySeq', p.seqCalls, p.sequential);
    add(totals, 'proxyPipe', p.calls, p.pipelined);
    add(totals, 'channelOnly', p.layers.calls, p.layers.sync);
    add(totals, 'channelAwait', p.layers.calls, p.layers.awaited);
    add(totals, 'clientCall', p.layers.calls, p.layers.clientCall);
    // The helper the child started is still serving (it exits after 30 s idle).
    const h = JSON.parse(
      execFileSync(LOOP, [String(seqRounds * n), SOCKET, firstGuest], { uid, gid, encoding: 'utf8' }),
    );
    add(totals, 'helperC', h.calls, h.seconds);
    const c = JSON.parse(execFileSync(LOOP, [String(seqRounds * n)], { encoding: 'utf8' }));
    add(totals, 'loop', c.calls, c.seconds);
    const d = await measure(rounds, seqRounds);
    if (d.driver !== 'xen') throw new Error(`root got driver ${d.driver}, not the direct one`);
    add(totals, 'directSeq', d.seqCalls, d.sequential);
    add(totals, 'directPipe', d.calls, d.pipelined);
  }
  const fig = (name, label) => row(label, totals[name].calls, totals[name].seconds);
  const perC = fig('loop', 'C loop: unix socket 32-byte req / 88-byte reply');
  fig('helperC', `C client -> xvirt-proxy (uid ${uid}): GET_INFO, one at a time`);
  fig('channelOnly', `node, addon channel alone (uid ${uid}): GET_INFO, one at a time`);
  fig('channelAwait', `node, addon channel + await (uid ${uid}): GET_INFO, one at a time`);
  fig('clientCall', `node, ProxyClient.call (uid ${uid}): GET_INFO, one at a time`);
  const perDirect = fig('directSeq', 'direct (root): getInfo, one at a time');
  const perDirectPipe = fig('directPipe', `direct (root): getInfo, ${WINDOW} in flight`);
  const perProxy = fig('proxySeq', `proxy (uid ${uid}): getInfo, one at a time`);
  const perProxyPipe = fig('proxyPipe', `proxy (uid ${uid}): getInfo, ${WINDOW} in flight`);
  console.log(`ratio proxy one at a time / C socket loop: ${(perProxy / perC).toFixed(3)} (target <= 1.5)`);
  console.log(`ratio proxy ${WINDOW} in flight / C socket loop: ${(perProxyPipe / perC).toFixed(3)} (target <= 1.5)`);
  console.log(`ratio proxy one at a time / direct one at a time: ${(perProxy / perDirect).toFixed(3)} (target <= 6.4)`);
  console.log(
    `ratio proxy ${WINDOW} in flight / direct ${WINDOW} in flight: ${(perProxyPipe / perDirectPipe).toFixed(3)} (target <= 6.4)`,
  );
}

function pinned() {
  if (process.env.XVIRT_BENCH_PIN === '0' || process.env.XVIRT_BENCH_PINNED) return false;
  const r = spawnSync('taskset', ['1', process.execPath, __filename], {
    stdio: 'inherit',
    env: { ...process.env, XVIRT_BENCH_PINNED: '1' },
  });
  if (r.error) throw new Error(`cannot pin with taskset (${r.error.message}): set XVIRT_BENCH_PIN=0 to run unpinned`);
  process.exitCode = r.status ?? 1;
  return true;
}

/**
 * GET_INFO `calls` times through the addon's channel alone (synchronously, then with an
 * await per call), then through ProxyClient.call without the driver. With the C client's
 * figure these split the proxy's cost into the helper's, the node process's, and each
 * layer of JavaScript above the channel.
 */
async function layers(calls, domid) {
  const { loadAddon } = require(path.join(root, 'dist/native.js'));
  const { ProxyClient } = require(path.join(root, 'dist/drivers/proxy/client.js'));
  const ch = new (loadAddon().ProxyChannel)();
  if (ch.connect(SOCKET, 2000) !== 0) throw new Error(`cannot connect to ${SOCKET}`);
  const req = Buffer.alloc(32);
  req.writeUInt16LE(1, 0);
  req.writeUInt16LE(7 /* GET_INFO */, 2);
  req.writeUInt32LE(domid, 8);
  const out = Buffer.alloc(4096);
  for (let i = 0; i < 300; i++) ch.exchange(req, 32, out);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) ch.exchange(req, 32, out);
  const sync = Number(process.hrtime.bigint() - t0) / 1e9;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    ch.exchange(req, 32, out);
    await null; // eslint-disable-line @typescript-eslint/await-thenable -- one microtask turn, as an async caller takes
  }
  const awaited = Number(process.hrtime.bigint() - t0) / 1e9;
  ch.close();
  const client = new ProxyClient({ socket: SOCKET, helper: HELPER });
  const r = { command: 7, domid };
  const none = () => 0;
  for (let i = 0; i < 300; i++) await client.call(r, none);
  t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await client.call(r, none);
  const clientCall = Number(process.hrtime.bigint() - t0) / 1e9;
  client.close();
  return { calls, sync, awaited, clientCall };
}

if (process.argv[2] === '--proxy-child') {
  measure(Number(process.argv[3]), Number(process.argv[4])).then(
    (r) => {
      // A tenth of the calls: these figures explain, the driver's are the measure.
      return layers(Math.max(300, Math.floor(r.seqCalls / 10)), Number(r.guests[0].split('=')[1])).then((c) => {
        r.layers = c;
        console.log(JSON.stringify(r));
      });
    },
    (err) => {
      console.error(err && err.stack ? err.stack : String(err));
      process.exit(1);
    },
  );
} else if (!pinned()) {
  if (process.env.XVIRT_BENCH_PINNED) console.log('# pinned to CPU 0 (taskset 1): C loop, direct and proxy alike');
  main().catch((err) => {
    console.error(`proxy bench failed: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  });
}
