#!/usr/bin/env node
'use strict';
/*
 * The dashboard poll of a fleet-sized host: getAllDomainStats (every group)
 * for 100 running domains, repeated, on a generated test-driver node file
 * served by a private xvirtd and a private libvirtd side by side, in one run,
 * the parts taking turns in slices. Rows:
 *
 *   libvirt C client -> libvirtd   the baseline (bench/stats-libvirt.c)
 *   libvirt C client -> xvirtd     the daemons compared with the same client
 *   xvirt client     -> xvirtd     xvirt end to end
 *   xvirt in-process               the embedded test driver, no wire
 *
 * and each row's time per poll as a multiple of the baseline's. A dashboard
 * polls for as long as it runs, so the rows are compared in steady state:
 * every row first makes `--warmup` untimed polls (once, in the same order),
 * whose time per poll is printed as the cold figure. V8 optimises a call
 * path that runs once per poll only after some thousands of polls, in the
 * xvirt client as in xvirtd, so a run without the warm-up measured mostly
 * that (docs/monitoring.md). For the two C-client rows the serving daemon's
 * own CPU time per poll (all its threads, from /proc, timed slices only) is
 * printed too: the cost of a poll to the host, without the client's share.
 * xvirtd's RSS is sampled after every slice (it must stay bounded) and around
 * each xvirt-client run, whose polls share one connection (it must stay flat
 * while polling).
 *
 *   node bench/stats.js [--polls N] [--domains N] [--slices N] [--warmup N]
 *
 * Needs root (the private libvirtd), cc and libvirt-dev, and npm run build.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { connect } = require('../dist/index.js');
const { buildLibvirtClient, compileHarness, paired, teardowns } = require('./harness');
const { spawn } = require('node:child_process');

/** Every group bit libvirt 9.0 knows: each backend reports those it supports. */
const ALL_GROUPS = 0x7ff;

function parseArgs(argv) {
  const opts = { polls: 6000, domains: 100, slices: 6, warmup: 4000 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in opts) || i + 1 >= argv.length) {
      process.stderr.write('usage: node bench/stats.js [--polls N] [--domains N] [--slices N] [--warmup N]\n');
      process.exit(2);
    }
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) {
      process.stderr.write(`bench/stats.js: --${name} must be a positive integer, not '${argv[i]}'\n`);
      process.exit(2);
    }
    opts[name] = value;
  }
  return opts;
}

/** A node file with `n` running domains, each with a disk, an interface and a balloon. */
function writeNodeFile(dir, n) {
  const doms = Array.from({ length: n }, (_, i) => {
    const hex = (i + 1).toString(16).padStart(12, '0');
    const mac = `52:54:00:${[16, 8, 0].map((s) => ((i >> s) & 0xff).toString(16).padStart(2, '0')).join(':')}`;
    return `<domain type='test'><name>guest${i}</name><uuid>6c0f1c2e-0000-4000-8000-${hex}</uuid>
  <memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>524288</currentMemory>
  <vcpu>2</vcpu><os><type>hvm</type></os>
  <devices><disk type='file' device='disk'>
    <source file='/var/lib/guest${i}.img'/><target dev='vda' bus='virtio'/></disk>
  <interface type='ethernet'><mac address='${mac}'/><target dev='vnet${i}'/></interface>
  <memballoon model='virtio'/></devices>
  <test:runstate>1</test:runstate></domain>`;
  });
  const file = path.join(dir, 'fleet.xml');
  fs.writeFileSync(
    file,
    `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
<cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>2</sockets><cores>8</cores><threads>2</threads>
<active>32</active></cpu>
<memory>268435456</memory>
${doms.join('\n')}
</node>
`,
  );
  return file;
}

/** CPU time a process (all its threads) has used so far, in ns (each of /proc/PID/task/TID/schedstat). */
function cpuNs(pid) {
  let total = 0n;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += BigInt(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* a thread that ended meanwhile */
    }
  }
  return total;
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** libvirt's C client: `polls` polls; resolves with { calls, seconds, records, params, clientSeconds } (its own CPU). */
function runC(bin, uri, polls) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [uri, String(polls), String(ALL_GROUPS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('close', (code) => {
      try {
        const r = JSON.parse(out);
        resolve({
          calls: r.polls,
          seconds: r.elapsedNs / 1e9,
          records: r.records,
          params: r.params,
          clientSeconds: r.cpuNs / 1e9,
        });
      } catch {
        reject(new Error(`stats-libvirt ${uri} failed (${code}): ${err.trim()}`));
      }
    });
  });
}

/** xvirt's API on an open connection: `polls` polls after a warm-up. */
async function runXvirt(conn, polls) {
  let last = [];
  for (let i = 0; i < 20; i++) last = await conn.getAllDomainStats(ALL_GROUPS);
  const start = process.hrtime.bigint();
  for (let i = 0; i < polls; i++) last = await conn.getAllDomainStats(ALL_GROUPS);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { calls: polls, seconds, records: last.length, params: last.reduce((n, r) => n + r.params.length, 0) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-bench-stats-'));
  const { t, cleanup } = teardowns();
  try {
    const file = writeNodeFile(dir, opts.domains);
    const driverUri = `test://${file}`;
    const h = compileHarness(path.join(dir, 'harness'), ['xvirtd', 'libvirtd']);
    const bin = buildLibvirtClient(dir, 'stats-libvirt');
    const x = await h.xvirtd.startXvirtd(t, { extraConfig: ['log_level = 3'] });
    const l = await h.libvirtd.startLibvirtd(t);
    const xUri = x.uri('unix', driverUri);
    const lUri = l.unixUri({ path: file });
    const remote = await connect(xUri);
    const local = await connect(driverUri);
    t.teardown(() => remote.close());
    t.teardown(() => local.close());
    const rss = [rssKiB(x.proc.pid)];
    const daemonCpu = [0n, 0n];
    const clientCpu = [0, 0];
    /**
     * Runs the C client against `pid`'s daemon; adds the daemon's CPU time (its 20 warm-up polls included) to
     * slot `i`, and the client's own for the timed polls.
     */
    const measured = (i, pid, uri) => async (n) => {
      const before = cpuNs(pid);
      const r = await runC(bin, uri, n);
      daemonCpu[i] += cpuNs(pid) - before;
      clientCpu[i] += r.clientSeconds;
      return r;
    };
    const rows = [
      ['libvirt C client -> libvirtd', (n) => runC(bin, lUri, n), measured(0, l.pid, lUri)],
      ['libvirt C client -> xvirtd', (n) => runC(bin, xUri, n), measured(1, x.proc.pid, xUri)],
      ['xvirt client -> xvirtd', (n) => runXvirt(remote, n)],
      ['xvirt in-process', (n) => runXvirt(local, n)],
    ];
    const cold = [];
    for (const [, warmUp] of rows) {
      const r = await warmUp(opts.warmup);
      cold.push(r.seconds / r.calls);
    }
    const shapes = [];
    // The C client opens a new connection per run, and each open loads the node file again (its definitions
    // stay in the heap until a major GC); xvirt's client polls on one connection: its runs show polling alone.
    const XVIRT_CLIENT_ROW = 2;
    const steadyRss = [];
    const totals = await paired(
      opts.slices,
      opts.polls,
      ...rows.map(([, warmUp, timed = warmUp], i) => async (n) => {
        const before = rssKiB(x.proc.pid);
        const r = await timed(n);
        shapes[i] = `${r.records} records, ${r.params} params`;
        if (i === XVIRT_CLIENT_ROW) steadyRss.push(rssKiB(x.proc.pid) - before);
        if (i === rows.length - 1) rss.push(rssKiB(x.proc.pid));
        return r;
      }),
    );
    const base = totals[0].seconds / totals[0].calls;
    process.stdout.write(
      `getAllDomainStats(0x${ALL_GROUPS.toString(16)}) of ${opts.domains} running domains, ` +
        `${opts.polls} polls per row in ${opts.slices} slices after ${opts.warmup} untimed ones ` +
        `(node ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})\n`,
    );
    totals.forEach((r, i) => {
      const per = r.seconds / r.calls;
      process.stdout.write(
        `  ${rows[i][0].padEnd(30)} ${(per * 1e6).toFixed(1).padStart(9)} us/poll  ` +
          `${(per / base).toFixed(2).padStart(5)}x  (${shapes[i]}; ` +
          `cold: ${(cold[i] * 1e6).toFixed(1)} us/poll, ${(cold[i] / cold[0]).toFixed(2)}x)\n`,
      );
    });
    // Each C run also makes 20 warm-up polls (bench/stats-libvirt.c): count them in.
    const cRuns = Math.ceil(opts.polls / Math.ceil(opts.polls / opts.slices));
    const perPoll = daemonCpu.map((ns) => Number(ns) / 1000 / (opts.polls + 20 * cRuns));
    process.stdout.write(
      `  daemon CPU per poll (C client): libvirtd ${perPoll[0].toFixed(1)} us, ` +
        `xvirtd ${perPoll[1].toFixed(1)} us` +
        ` = ${(perPoll[1] / perPoll[0]).toFixed(2)}x\n`,
    );
    // The C client waits for each reply, so its own CPU time is in its rows' figures whichever daemon answers.
    const clientPerPoll = clientCpu.map((sec) => (sec / opts.polls) * 1e6);
    process.stdout.write(
      `  C client's own CPU per poll: against libvirtd ${clientPerPoll[0].toFixed(1)} us, ` +
        `against xvirtd ${clientPerPoll[1].toFixed(1)} us = ${(clientPerPoll[1] / 1e6 / base).toFixed(2)}x ` +
        `of libvirtd's row, the floor of the C client -> xvirtd row\n`,
    );
    process.stdout.write(`  xvirtd RSS after each slice (KiB): ${rss.join(' ')}\n`);
    process.stdout.write(
      `  xvirtd RSS change over each xvirt-client run, one connection (KiB): ${steadyRss.join(' ')}\n`,
    );
    const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
    process.stdout.write(`  in-process heap after the run: ${heapMiB.toFixed(1)} MiB\n`);
  } finally {
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench/stats.js: ${err.stack ?? err}\n`);
  process.exit(1);
});
