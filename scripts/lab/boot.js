#!/usr/bin/env node
'use strict';
// Boots the lab under QEMU and follows its serial console (see dom0-init for
// the line protocol). Streams the job's output live, enforces the timeouts
// (a hung Xen, dom0 or job never hangs the caller), keeps the whole serial
// log, and for test runs prints the one summary line CI parses.
// Usage: node boot.js QEMU [ARGS...], with LAB_* settings in the environment
// (set by scripts/xen-lab).
const { spawn } = require('node:child_process');
const fs = require('node:fs');

const env = process.env;
const cfg = {
  mode: env.LAB_MODE,
  accel: env.LAB_ACCEL,
  serialLog: env.LAB_SERIAL_LOG,
  outputLog: env.LAB_OUTPUT_LOG,
  bootTimeout: Number(env.LAB_BOOT_TIMEOUT),
  readyTimeout: Number(env.LAB_READY_TIMEOUT),
  jobTimeout: Number(env.LAB_JOB_TIMEOUT),
};
const [qemuBin, ...qemuArgs] = process.argv.slice(2);
const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const note = (msg) => process.stderr.write(`xen-lab: [${secs()}s] ${msg}\n`);

// Xen or dom0 died: no point waiting for the timeout. (Not domU crashes: a
// test may crash a guest on purpose.)
const FATAL = [/Panic on CPU/, /Hardware Dom0 crashed/, /Kernel panic/];

const log = fs.openSync(cfg.serialLog, 'w');
const output = fs.openSync(cfg.outputLog, 'w');
// QEMU gets its own process group (killed as a whole) and an absolute bound
// from coreutils' timeout, which holds even if this process is SIGKILLed.
// dom0 scales the job's bound by its calibration (at most x10, see dom0-init).
const lifetime = cfg.readyTimeout + cfg.jobTimeout * 10 + 90;
const qemu = spawn('timeout', ['-s', 'KILL', String(lifetime), qemuBin, ...qemuArgs], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
const state = { up: null, ready: null, done: null, rc: null, fatal: null, killedFor: null, lines: [] };

function kill(reason) {
  if (state.killedFor) return;
  state.killedFor = reason;
  note(`stopping QEMU: ${reason}`);
  if (qemu.pid === undefined) return; // never started: spawn reports that through 'error'
  try {
    process.kill(-qemu.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

let deadline = null;
function arm(seconds, what) {
  clearTimeout(deadline);
  deadline = setTimeout(() => kill(`${what} within ${seconds} s`), seconds * 1000);
}
arm(cfg.bootTimeout, 'dom0 did not report');

function onLine(line) {
  if (line.startsWith('@|')) {
    const text = line.slice(2);
    state.lines.push(text);
    process.stdout.write(text + '\n');
    fs.writeSync(output, text + '\n');
    return;
  }
  if (line.startsWith('XENLAB-MARK ')) {
    note(`dom0: ${line.slice(12)}`);
    if (state.up === null) {
      state.up = secs();
      arm(cfg.readyTimeout, 'toolstack and guests were not up');
    }
  } else if (line.startsWith('XENLAB-READY')) {
    state.ready = secs();
    const scaled = Number(/ job-timeout=(\d+)$/.exec(line)?.[1]);
    const jobTimeout = scaled > 0 ? Math.min(scaled, cfg.jobTimeout * 10) : cfg.jobTimeout;
    note(`dom0 ready; the job may take ${jobTimeout} s`);
    arm(jobTimeout + 30, 'the job did not finish');
  } else if (line.startsWith('XENLAB-DONE rc=')) {
    state.done = secs();
    state.rc = Number(line.slice(15));
    arm(30, 'QEMU did not exit after the job');
  } else if (!state.fatal && FATAL.some((re) => re.test(line))) {
    state.fatal = line.trim();
    note(`fatal: ${state.fatal}`);
    setTimeout(() => kill('Xen or dom0 crashed'), 2000);
  }
}

let pending = '';
qemu.stdout.on('data', (chunk) => {
  fs.writeSync(log, chunk);
  const parts = (pending + chunk.toString('latin1')).split('\n');
  pending = parts.pop();
  for (const p of parts) onLine(p.replace(/\r+$/, '')); // hvc and Xen both add a CR
});
let qemuErr = '';
qemu.stderr.on('data', (chunk) => {
  qemuErr += chunk;
  fs.writeSync(log, chunk);
});
qemu.on('error', (err) => {
  note(`cannot start ${qemuBin}: ${err.message}`);
});

qemu.on('close', (code, signal) => {
  clearTimeout(deadline);
  if (pending) onLine(pending);
  fs.closeSync(log);
  fs.closeSync(output);
  const ok = state.done !== null;
  if (state.up === null && cfg.accel === 'kvm' && !state.fatal) {
    note('dom0 never reported under KVM');
    process.exitCode = 99; // scripts/xen-lab retries with TCG
    return;
  }
  note(
    `QEMU exited (${signal ?? `code ${code}`}); dom0 up ${state.up ?? '-'}s, ready ${state.ready ?? '-'}s, ` +
      `job done ${state.done ?? '-'}s, total ${secs()}s`,
  );
  if (!ok) {
    if (qemuErr.trim()) note(`QEMU stderr: ${qemuErr.trim().split('\n').slice(-5).join(' | ')}`);
    const tail = fs.readFileSync(cfg.serialLog, 'latin1').split('\n').slice(-40).join('\n');
    process.stderr.write(
      `xen-lab: the lab did not complete (${state.killedFor ?? state.fatal ?? 'QEMU exited early'}); ` +
        `last serial lines (full log: ${cfg.serialLog}):\n${tail}\n`,
    );
  }
  process.exitCode = cfg.mode === 'tests' ? summarizeTests(ok) : ok ? state.rc : 1;
  if (cfg.mode !== 'tests')
    process.stderr.write(`xen-lab: command exited with ${ok ? state.rc : 'no status (lab failed)'}\n`);
});

// node --test's TAP reporter ends with '# pass N', '# fail N', '# cancelled N'.
function summarizeTests(ok) {
  const count = (key) => {
    const hits = state.lines.map((l) => l.match(new RegExp(`^# ${key} (\\d+)$`))).filter(Boolean);
    return hits.length ? Number(hits[hits.length - 1][1]) : 0;
  };
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  if ((!ok || state.rc !== 0) && failed === 0) failed = 1; // a crash or timeout is a failure
  if (passed === 0 && failed === 0) failed = 1; // nothing ran: never a silent pass
  process.stdout.write(`xen-lab: ${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => kill(`interrupted (${sig})`));
