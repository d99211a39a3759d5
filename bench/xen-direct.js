#!/usr/bin/env node
// getInfo through xen:///system (direct hypercalls from Node) beside a plain C
// loop issuing the same hypercall through the same C core, in the same boot.
// Runs inside the Xen lab: scripts/xen-lab --bench bench/xen-direct.js
//   XVIRT_BENCH_N       total getInfo calls (default 300000, spread over the guests)
//   XVIRT_BENCH_BLOCKS  interleaved blocks per path (default 30)
// Prints each figure and the Node/C ratios; exits 1 if a part cannot run.
'use strict';
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { connect } = require(path.join(root, 'dist/index.js'));
const { XenHypervisor, DomainRecords } = require(path.join(root, 'dist/native.js'));

const TOTAL = Number(process.env.XVIRT_BENCH_N || 300000);
if (!Number.isInteger(TOTAL) || TOTAL < 3) {
  console.error(`XVIRT_BENCH_N must be an integer >= 3, got ${process.env.XVIRT_BENCH_N}`);
  process.exit(2);
}
const BLOCKS = Number(process.env.XVIRT_BENCH_BLOCKS || 30);
const LOOP = path.join(root, 'native/bench/build/getinfo_loop');

/** The C loop in serve mode: one measurement per command line, so blocks interleave without process start-up. */
function startCLoop() {
  if (!fs.existsSync(LOOP)) throw new Error(`${LOOP} is missing: build it with 'npm run build:bench' on the host`);
  const child = spawn(LOOP, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`getinfo_loop exited with status ${code}`));
  });
  return {
    measure: (args) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${args.join(' ')}\n`);
      }),
    close: () => child.stdin.end(),
  };
}

function row(label, calls, seconds) {
  const perSec = calls / seconds;
  console.log(
    `${label.padEnd(44)} ${String(calls).padStart(8)} calls ${seconds.toFixed(3).padStart(8)} s ` +
      `${Math.round(perSec).toString().padStart(8)} calls/s ${(1e6 / perSec).toFixed(2).padStart(7)} us/call`,
  );
  return seconds / calls;
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main() {
  const conn = await connect('xen:///system');
  const guests = (await conn.listAllDomains(1 /* ACTIVE */)).filter((d) => d.id !== 0);
  if (guests.length === 0) throw new Error('no running guests to measure');
  const rounds = Math.floor(TOTAL / guests.length);
  const ids = guests.map((d) => String(d.id));
  console.log(
    `# xen-direct: ${rounds * guests.length} getInfo over ${guests.length} guests (${guests.map((d) => `${d.name}=${d.id}`).join(' ')})`,
  );

  // Warm up both paths (JIT, page faults in the hypercall arena) before measuring.
  const cLoop = startCLoop();
  await cLoop.measure(['getinfo', '1000', ...ids]);
  for (let i = 0; i < 1000; i++) for (const d of guests) await d.getInfo();

  // The lab shares a 2-core host with other work: measure in interleaved
  // blocks so every path sees the same load, and sum each path's blocks.
  const hv = await XenHypervisor.open();
  const rec = new DomainRecords(1);
  let records = new DomainRecords(64);
  const idNums = guests.map((d) => d.id);
  const perBlock = Math.max(1, Math.floor(rounds / BLOCKS));
  const t = { c: 0, node: 0, addon: 0, cList: 0, nodeList: 0 };
  let listDomains = 0;
  const blockRatios = [];
  for (let b = 0; b < BLOCKS; b++) {
    const cBlock = (await cLoop.measure(['getinfo', String(perBlock), ...ids])).seconds;
    const nodeBlock = await timed(async () => {
      for (let i = 0; i < perBlock; i++) for (const d of guests) await d.getInfo();
    });
    t.c += cBlock;
    t.node += nodeBlock;
    blockRatios.push(nodeBlock / cBlock);
    t.addon += await timed(async () => {
      for (let i = 0; i < perBlock; i++) for (const id of idNums) hv.getInfo(id, null, rec);
    });
    const cl = await cLoop.measure(['list', String(perBlock)]);
    t.cList += cl.seconds;
    listDomains = cl.domains;
    t.nodeList += await timed(async () => {
      for (let i = 0; i < perBlock; i++) records = hv.list(records).records;
    });
  }
  const n = perBlock * BLOCKS * guests.length;
  const perC = row('C loop: xc_domain_getinfo', n, t.c);
  const perNode = row('Node: xen:///system domain.getInfo()', n, t.node);
  const perAddon = row('Node: addon getInfo (no driver, sync)', n, t.addon);
  const perCList = row(`C loop: getdomaininfolist (${listDomains} domains)`, perBlock * BLOCKS, t.cList);
  const perNodeList = row('Node: addon list (one getdomaininfolist)', perBlock * BLOCKS, t.nodeList);
  hv.close();
  cLoop.close();
  await conn.close();

  console.log(`ratio Node xen:///system getInfo / C loop: ${(perNode / perC).toFixed(3)} (target <= 1.1)`);
  blockRatios.sort((a, b) => a - b);
  console.log(
    `  median of ${BLOCKS} block ratios:        ${blockRatios[Math.floor(BLOCKS / 2)].toFixed(3)} ` +
      `(min ${blockRatios[0].toFixed(3)}, max ${blockRatios[BLOCKS - 1].toFixed(3)})`,
  );
  console.log(`ratio Node addon getInfo / C loop:        ${(perAddon / perC).toFixed(3)}`);
  console.log(`ratio Node batched list / C batched list: ${(perNodeList / perCList).toFixed(3)}`);
  console.log(
    `batched: one list call covers ${listDomains} domains = ${((perCList / listDomains) * 1e6).toFixed(2)} us per domain in C`,
  );
}

main().catch((err) => {
  console.error(`xen-direct bench failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
