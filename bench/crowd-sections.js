'use strict';
/**
 * bench/crowd.js's sections (idle, tls, dribble, events; mixed is in
 * crowd-mixed.js). Each runs against both daemons in turn and prints its rows
 * side by side. A daemon here: { name, unix, ro, tcp, tls, pid, rss(), settled(), loopStall() }.
 */
const { connectSocket, domainXml, P, percentile, RpcClient, within } = require('./crowd-client');
const { mixed } = require('./crowd-mixed');
const { afterHeapTrim } = require('./daemon-probe');

const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pad = (s, n) => String(s).padEnd(n);
const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');

/** Prints rows of [label, xvirtd's figure, libvirtd's]; the xvirtd column widens so a long figure never runs into the next. */
function table(title, rows) {
  const width = Math.max(46, ...rows.map(([, x]) => String(x).length + 2));
  process.stdout.write(`\n${title}\n${pad('', 62)}${pad('xvirtd', width)}libvirtd\n`);
  for (const [label, x, l] of rows) process.stdout.write(`${pad(label, 62)}${pad(x, width)}${l}\n`);
}

/** Runs `fn` on each daemon in turn; returns their results in order. */
async function each(daemons, fn) {
  const out = [];
  for (const d of daemons) out.push(await fn(d));
  return out;
}

/** Opens `n` sockets with `limit` connects at a time; `onOpen(socket, i)` may write. */
async function hold(n, targetOf, onOpen, limit = 100) {
  const sockets = [];
  let refused = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      try {
        const s = await connectSocket(targetOf(i), 10000);
        s.on('data', () => undefined);
        s.closedByPeer = false;
        s.on('close', () => {
          s.closedByPeer = true;
        });
        onOpen(s, i);
        sockets.push(s);
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { sockets, refused, seconds, open: () => sockets.filter((s) => !s.closedByPeer).length };
}

/** `n` fresh clients one after another: connect, AUTH_LIST, CONNECT_OPEN, a lookup, within 5 s each. */
async function fresh(target, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    let c = null;
    try {
      await within(
        (async () => {
          c = await RpcClient.connect(target, 5000);
          await c.open();
          await c.call(P.DOMAIN_LOOKUP_BY_NAME, { name: 'test' });
        })(),
        5000,
        'fresh client',
      );
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } catch {
      /* not served */
    }
    c?.destroy();
  }
  const served = times.length;
  return `${served}/${n}, p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}`;
}

async function freshRows(daemons, n) {
  const unix = await each(daemons, (d) => fresh(d.unix, n));
  const tcp = await each(daemons, (d) => fresh(d.tcp, n));
  return [
    ['  fresh clients on unix: served, p50, p99', ...unix],
    ['  fresh clients on TCP', ...tcp],
  ];
}

/**
 * One client on each daemon before any section: xvirtd loads its session code, handlers and test driver for its
 * first client (an idle daemon holds none of them), a cost paid once per daemon, shown here apart from the
 * fresh-client figures the floods are about.
 */
async function firstClient(daemons) {
  const r = await each(daemons, (d) => fresh(d.unix, 1));
  table('First client after start (unix: connect, CONNECT_OPEN, a lookup)', [['  served, time', ...r]]);
  await afterHeapTrim(() => Promise.all(daemons.map((d) => d.settled())));
}

// ---- idle / half-open and TLS floods --------------------------------------------------

const PARTIAL_HEADER = Buffer.from([0, 0, 0, 28, 0x20, 0x00, 0x80, 0x86, 0, 0]);

async function idle(daemons, opts) {
  const rows = [];
  const held = [];
  for (const d of daemons) {
    const before = await d.settled();
    const h = await hold(
      opts.idle,
      (i) => (i % 2 ? d.tcp : d.unix),
      (s, i) => {
        if ((i >> 1) % 2) s.write(PARTIAL_HEADER);
      },
    );
    await sleep(500);
    held.push({ h, perConn: ((await d.settled()) - before) / h.sockets.length });
  }
  rows.push([
    `held ${opts.idle} (half unix, half TCP, half with a partial header)`,
    ...held.map(({ h }) => `${h.sockets.length} in ${h.seconds.toFixed(2)} s, ${h.refused} refused`),
  ]);
  rows.push(['  still open once all were made', ...held.map(({ h }) => String(h.open()))]);
  rows.push([
    '  memory per held connection (settled)',
    ...held.map(({ perConn }) => `${(perConn / 1024).toFixed(1)} KiB`),
  ]);
  // Each daemon holds its own crowd while the other is checked: both floods stand during both checks.
  rows.push(...(await freshRows(daemons, opts.fresh)));
  for (const { h } of held) for (const s of h.sockets) s.destroy();
  table(`Idle and half-open connections (${opts.idle})`, rows);
  await sleep(1000);
}

async function tls(daemons, opts) {
  const held = await each(daemons, (d) =>
    hold(
      opts.tls,
      () => d.tls,
      () => undefined,
    ),
  );
  await sleep(500);
  const rows = [
    [
      `${opts.tls} silent connections to the TLS port`,
      ...held.map((h) => `${h.sockets.length} made, ${h.refused} refused`),
    ],
    ['  still open once all were made', ...held.map((h) => String(h.open()))],
    ...(await freshRows(daemons, opts.fresh)),
  ];
  for (const h of held) for (const s of h.sockets) s.destroy();
  table(`TLS handshake flood (${opts.tls} connections that never send a byte)`, rows);
  await sleep(1000);
}

// ---- dribbled frames ------------------------------------------------------------------

const DRIBBLERS = 20;
/** Bytes per client of the unshown first dribble round. */
const WARM_UP_BYTES = 16384;

/** 20 clients announce `announce` bytes and send `bytes` of it one byte per write; memory held, and after. */
async function dribbleOne(d, socketPath, announce, bytes, open) {
  const idleMem = await d.settled();
  const idleBuffers = d.buffers;
  const clients = [];
  for (let i = 0; i < DRIBBLERS; i++) {
    const c = await RpcClient.connect(socketPath);
    if (open) await c.open();
    const word = Buffer.alloc(4);
    word.writeUInt32BE(announce);
    c.socket.write(word);
    clients.push(c);
  }
  const one = Buffer.alloc(1);
  for (let b = 0; b < bytes; b++) {
    for (const c of clients) c.socket.write(one);
    // One byte per client per turn: the daemon reads them as they come, not gathered.
    await new Promise((r) => setImmediate(r));
  }
  await sleep(1000);
  const during = await d.settled();
  const received = DRIBBLERS * (bytes + 4);
  const held = Number.isFinite(d.buffers) ? `buffers ${((d.buffers - idleBuffers) / received).toFixed(2)} B/B, ` : '';
  const peak = d.rss();
  const alive = clients.filter((c) => !c.closed).length;
  for (const c of clients) c.destroy();
  await afterHeapTrim(() => d.settled());
  const after = await d.settled();
  const rss = `RSS ${((during - idleMem) / received).toFixed(2)} B/B (${mib(during - idleMem)} for ${mib(received)}`;
  return [`${held}${rss}; ${alive} kept)`, `${mib(after)} (idle ${mib(idleMem)}, raw peak ${mib(peak)})`];
}

async function dribble(daemons, opts) {
  // A first round (not shown) runs the code paths, so their first-use cost is not counted per byte: long enough
  // for V8 to optimise xvirtd's read path, whose compiler's code pages (~3.8 MiB of the node binary, once per
  // process) a 1,024-byte round never reached and the measured round then counted as if the bytes held them.
  await each(daemons, (d) => dribbleOne(d, d.ro, 286720, WARM_UP_BYTES, false));
  const pre = await each(daemons, (d) => dribbleOne(d, d.ro, 286720, opts.dribbleBytes, false));
  const post = await each(daemons, (d) => dribbleOne(d, d.unix, 32 * MiB, opts.dribbleBytes, true));
  table(`Dribbled frames: ${DRIBBLERS} clients, ${opts.dribbleBytes} bytes each, one byte per write`, [
    ['read-only socket, 286,720 announced before OPEN', ...pre.map((r) => r[0])],
    ['  settled memory after they closed', ...pre.map((r) => r[1])],
    ['rw socket after CONNECT_OPEN, 32 MiB announced', ...post.map((r) => r[0])],
    ['  settled memory after they closed', ...post.map((r) => r[1])],
  ]);
}

// ---- slow event consumer --------------------------------------------------------------

const GENERATORS = 4;
const LANES_PER_GENERATOR = 4;

async function stormOne(d, events) {
  const idleMem = await d.settled();
  if (d.loopStall) await d.loopStall(); // resets the daemon's stall figures
  const slow = await (await RpcClient.connect(d.unix)).open();
  await slow.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null });
  slow.socket.pause();
  const gens = [];
  const lanes = [];
  for (let g = 0; g < GENERATORS; g++) {
    const c = await (await RpcClient.connect(d.unix)).open();
    gens.push(c);
    for (let k = 0; k < LANES_PER_GENERATOR; k++) {
      const xml = domainXml(`storm-${g}-${k}`);
      lanes.push({ c, dom: (await c.call(P.DOMAIN_CREATE_XML, { xml_desc: xml, flags: 0 })).dom });
    }
  }
  const prober = await (await RpcClient.connect(d.unix)).open();
  let probing = true;
  let worstProbe = 0;
  const probeLoop = (async () => {
    while (probing && !prober.closed) {
      const t0 = process.hrtime.bigint();
      await prober.call(P.CONNECT_GET_LIB_VERSION, undefined).catch(() => undefined);
      worstProbe = Math.max(worstProbe, Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(20);
    }
  })();
  let peak = d.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, d.rss());
  }, 100);
  let made = 0;
  let failed = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    lanes.map(async ({ c, dom }) => {
      while (made < events && !c.closed) {
        made += 2;
        await c.call(P.DOMAIN_SUSPEND, { dom }).catch(() => {
          failed++;
        });
        await c.call(P.DOMAIN_RESUME, { dom }).catch(() => {
          failed++;
        });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  probing = false;
  await probeLoop;
  clearInterval(sampler);
  const stall = d.loopStall ? await d.loopStall() : NaN;
  slow.socket.resume();
  for (let quiet = 0, seen = -1; !slow.closed && quiet < 3; quiet = slow.events === seen ? quiet + 1 : 0) {
    seen = slow.events;
    await sleep(500);
  }
  const dropped = slow.closed;
  for (const { c, dom } of lanes) await c.call(P.DOMAIN_DESTROY, { dom }).catch(() => undefined);
  for (const c of [slow, prober, ...gens]) c.destroy();
  await afterHeapTrim(() => d.settled());
  const after = await d.settled();
  return {
    storm: `${made} in ${seconds.toFixed(1)} s (${(made / seconds / 1000).toFixed(1)}k/s), ${failed} failed`,
    dropped: `${dropped ? 'yes' : 'no'} (it had ${slow.events} events)`,
    peak: `${mib(peak - idleMem)} (idle ${mib(idleMem)}, peak ${mib(peak)})`,
    after: mib(after),
    probe: ms(worstProbe),
    stall: d.loopStall ? ms(stall) : 'n/a (C threads)',
  };
}

async function events(daemons, opts) {
  const r = await each(daemons, (d) =>
    stormOne(d, d.name === 'libvirtd' ? Math.min(opts.events, opts.libvirtdEvents) : opts.events),
  );
  table(
    `Slow event consumer: registers lifecycle events, stops reading; ${GENERATORS * LANES_PER_GENERATOR} lanes ` +
      'suspend/resume',
    [
      ['events generated', ...r.map((x) => x.storm)],
      ['  non-reading subscriber disconnected?', ...r.map((x) => x.dropped)],
      ['  RSS peak above settled idle', ...r.map((x) => x.peak)],
      ['  settled memory afterwards', ...r.map((x) => x.after)],
      ['  slowest 20 ms probe call during the storm', ...r.map((x) => x.probe)],
      ['  longest event-loop stall (daemon-probe)', ...r.map((x) => x.stall)],
    ],
  );
}

module.exports = {
  firstClient,
  idle,
  tls,
  dribble,
  events,
  mixed: (daemons, opts) => mixed(daemons, opts, { each, table, mib }),
};
