'use strict';
/**
 * Loaded into xvirtd by the benches only (NODE_OPTIONS="--expose-gc --require
 * bench/daemon-probe.js", see `probeEnv`), never by the daemon itself. On
 * SIGUSR2 it collects garbage (twice: weak and finalised objects go in the
 * second pass) and writes one JSON line to $XVIRT_BENCH_PROBE: the process's
 * memory after that GC and, where the bench asked for it
 * ($XVIRT_BENCH_PROBE_LOOP=1), the longest event-loop stall since the previous
 * probe (perf_hooks.monitorEventLoopDelay, 5 ms resolution), then resets the
 * stall figures. The loop monitor is opt-in because node's perf_hooks modules
 * add ~0.3-0.7 MiB to the daemon's RSS that are the probe's, not the daemon's.
 * `probe(pid, file)` is the bench's side.
 */
const fs = require('node:fs');
const path = require('node:path');

function install() {
  const out = process.env.XVIRT_BENCH_PROBE;
  if (!out || typeof globalThis.gc !== 'function') return;
  const loop =
    process.env.XVIRT_BENCH_PROBE_LOOP === '1'
      ? require('node:perf_hooks').monitorEventLoopDelay({ resolution: 5 })
      : null;
  if (loop) loop.enable();
  process.on('SIGUSR2', () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    const line = {
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      // The histogram counts delays beyond the 5 ms timer; max is the longest stall seen.
      loopMaxMs: loop ? loop.max / 1e6 : null,
      loopP99Ms: loop ? loop.percentile(99) / 1e6 : null,
    };
    if (loop) loop.reset();
    fs.writeFileSync(`${out}.tmp`, JSON.stringify(line) + '\n');
    fs.renameSync(`${out}.tmp`, out);
  });
}

/** Environment for a daemon the bench probes: its answers go to `file`; `loop`: also measure event-loop stalls. */
function probeEnv(file, { loop = false } = {}) {
  const existing = process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : '';
  return {
    NODE_OPTIONS: `${existing}--expose-gc --require ${path.resolve(__filename)}`,
    XVIRT_BENCH_PROBE: file,
    ...(loop ? { XVIRT_BENCH_PROBE_LOOP: '1' } : {}),
  };
}

/**
 * Waits until xvirtd has given back what was freed: it trims the C heap HEAP_TRIM_DELAY_MS after it starts or a
 * client leaves, then again HEAP_TRIM_FOLLOW_UP_MS later (lib/daemon/heap-trim.ts), so a figure read sooner would
 * show a state the daemon does not stay in. `collect` (the bench's forced GC) runs between the two: the departed
 * clients' buffers are freed when V8 collects them, and the follow-up trim returns that memory. Bench side only.
 */
async function afterHeapTrim(collect) {
  const { HEAP_TRIM_DELAY_MS, HEAP_TRIM_FOLLOW_UP_MS } = require(
    path.join(__dirname, '..', 'dist', 'daemon', 'heap-trim.js'),
  );
  await new Promise((r) => setTimeout(r, HEAP_TRIM_DELAY_MS + 500));
  if (collect) await collect();
  await new Promise((r) => setTimeout(r, HEAP_TRIM_FOLLOW_UP_MS + 500));
}

/** Asks the daemon `pid` for a probe and resolves with its answer (rejects after 10 s). */
async function probe(pid, file) {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10000; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  throw new Error(`daemon ${pid} did not answer the probe (was it started with probeEnv?)`);
}

if (require.main !== module && process.env.XVIRT_BENCH_PROBE) install();

module.exports = { afterHeapTrim, probe, probeEnv };
