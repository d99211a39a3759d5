#!/usr/bin/env node
// getInfo through xen:///system (direct hypercalls from Node) beside a plain C
// loop issuing the same hypercall through the same C core, in the same boot.
// Runs inside the Xen lab: scripts/xen-lab --bench bench/xen-direct.js
//   XVIRT_BENCH_N  total getInfo calls (default 300000, spread over the guests)
// Prints each figure and the Node/C ratios; exits 1 if a part cannot run.
'use strict';
const { execFileSync } = require('node:child_process');
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
const LOOP = path.join(root, 'build/Release/getinfo_loop');

function cLoop(args) {
  if (!fs.existsSync(LOOP)) throw new Error(`${LOOP} is missing: build it with 'npx node-gyp rebuild' on the host`);
  return JSON.parse(execFileSync(LOOP, args, { encoding: 'utf8' }));
}

function row(label, calls, seconds) {
  const perSec = calls / seconds;
  console.log(`${label.padEnd(44)} ${String(calls).padStart(8)} calls ${seconds.toFixed(3).padStart(8)} s ` +
    `${Math.round(perSec).toString().padStart(8)} calls/s ${(1e6 / perSec).toFixed(2).padStart(7)} us/call`);
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
  const calls = rounds * guests.length;
  const ids = guests.map((d) => String(d.id));
  console.log(`# xen-direct: ${calls} getInfo over ${guests.length} guests (${guests.map((d) => `${d.name}=${d.id}`).join(' ')})`);

  // Warm up both paths (JIT, page faults in the hypercall arena) before measuring.
  cLoop(['getinfo', '1000', ...ids]);
  for (let i = 0; i < 1000; i++) for (const d of guests) await d.getInfo();

  const c = cLoop(['getinfo', String(rounds), ...ids]);
  const perC = row('C loop: xc_domain_getinfo', c.calls, c.seconds);

  const nodeSeconds = await timed(async () => {
    for (let i = 0; i < rounds; i++) for (const d of guests) await d.getInfo();
  });
  const perNode = row('Node: xen:///system domain.getInfo()', calls, nodeSeconds);

  const hv = await XenHypervisor.open();
  const rec = new DomainRecords(1);
  const idNums = guests.map((d) => d.id);
  const addonSeconds = await timed(async () => {
    for (let i = 0; i < rounds; i++) for (const id of idNums) hv.getInfo(id, null, rec);
  });
  const perAddon = row('Node: addon getInfo (no driver, sync)', calls, addonSeconds);

  const listRounds = rounds;
  const cl = cLoop(['list', String(listRounds)]);
  const perCList = row(`C loop: getdomaininfolist (${cl.domains} domains)`, cl.calls, cl.seconds);
  let records = new DomainRecords(64);
  const listSeconds = await timed(async () => {
    for (let i = 0; i < listRounds; i++) records = hv.list(records).records;
  });
  const perNodeList = row('Node: addon list (one getdomaininfolist)', listRounds, listSeconds);
  hv.close();
  await conn.close();

  console.log(`ratio Node xen:///system getInfo / C loop: ${(perNode / perC).toFixed(3)} (target <= 1.1)`);
  console.log(`ratio Node addon getInfo / C loop:        ${(perAddon / perC).toFixed(3)}`);
  console.log(`ratio Node batched list / C batched list: ${(perNodeList / perCList).toFixed(3)}`);
  console.log(`batched: one list call covers ${cl.domains} domains = ${(perCList / cl.domains * 1e6).toFixed(2)} us per domain in C`);
}

main().catch((err) => {
  console.error(`xen-direct bench failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
