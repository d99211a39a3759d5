'use strict';
/**
 * bench/crowd.js's mixed load: C clients connect at once and, for S seconds,
 * each cycles through reads, a start/suspend/resume/destroy of its own
 * domain and an undefine/define of it, checking every answer it can check
 * (states after each change, its domain's UUID, lookups of an undefined
 * domain failing). At the end every client's domain must be listed.
 */
const { domainXml, P, percentile, RpcClient } = require('./crowd-client');
const { afterHeapTrim } = require('./daemon-probe');

/** How long after the "after" reading the memory is read again. */
const SETTLE_LATER_MS = 30000;
const hex = (uuid) => Buffer.from(uuid).toString('hex');

class Worker {
  constructor(d, name, latencies) {
    this.d = d;
    this.name = name;
    this.latencies = latencies;
    this.wrong = [];
    this.defined = false;
    this.ops = 0;
  }

  async call(proc, args) {
    const t0 = process.hrtime.bigint();
    const r = await this.c.call(proc, args);
    this.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    this.ops++;
    return r;
  }

  check(ok, what) {
    if (!ok) this.wrong.push(`${this.name}: ${what}`);
  }

  async expectState(state, what) {
    const r = await this.call(P.DOMAIN_GET_STATE, { dom: this.dom, flags: 0 });
    this.check(r.state === state, `${what}: state ${r.state}, expected ${state}`);
  }

  async define() {
    this.dom = (await this.call(P.DOMAIN_DEFINE_XML, { xml: domainXml(this.name) })).dom;
    this.defined = true;
  }

  async connect() {
    this.c = await RpcClient.connect(this.d.unix, 20000);
    await this.c.open();
    await this.define();
    this.test = (await this.call(P.DOMAIN_LOOKUP_BY_NAME, { name: 'test' })).dom;
  }

  async round(step) {
    switch (step % 4) {
      case 0: {
        const info = await this.call(P.DOMAIN_GET_INFO, { dom: this.test });
        this.check(info.state === 1, `domain 'test' state ${info.state}, expected 1 (running)`);
        break;
      }
      case 1: {
        const r = await this.call(P.DOMAIN_LOOKUP_BY_NAME, { name: this.name });
        this.check(hex(r.dom.uuid) === hex(this.dom.uuid), 'lookup by name gave another UUID');
        break;
      }
      case 2:
        await this.call(P.DOMAIN_CREATE, { dom: this.dom });
        await this.expectState(1, 'after create');
        await this.call(P.DOMAIN_SUSPEND, { dom: this.dom });
        await this.expectState(3, 'after suspend');
        await this.call(P.DOMAIN_RESUME, { dom: this.dom });
        await this.expectState(1, 'after resume');
        await this.call(P.DOMAIN_DESTROY, { dom: this.dom });
        await this.expectState(5, 'after destroy');
        break;
      default: {
        await this.call(P.DOMAIN_UNDEFINE, { dom: this.dom });
        this.defined = false;
        const gone = await this.call(P.DOMAIN_LOOKUP_BY_NAME, { name: this.name }).then(
          () => false,
          () => true,
        );
        this.check(gone, 'an undefined domain was still found');
        await this.define();
      }
    }
  }

  async run(deadline) {
    for (let step = 0; Date.now() < deadline && !this.c.closed; step++) {
      try {
        await this.round(step);
      } catch (err) {
        this.wrong.push(`${this.name}: ${err.message}`);
        if (this.c.closed) return;
      }
    }
  }
}

async function mixedOne(d, opts) {
  const latencies = [];
  const workers = Array.from({ length: opts.clients }, (_, i) => new Worker(d, `crowd-${i}`, latencies));
  const before = await d.settled();
  const connected = await Promise.all(
    workers.map((w) =>
      w.connect().then(
        () => true,
        () => false,
      ),
    ),
  );
  const live = workers.filter((_, i) => connected[i]);
  const deadline = Date.now() + opts.seconds * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(live.map((w) => w.run(deadline)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const checker = await (await RpcClient.connect(d.unix)).open();
  const listed = new Set(
    (await checker.call(P.CONNECT_LIST_ALL_DOMAINS, { need_results: 1, flags: 0 })).domains.map((dom) => dom.name),
  );
  const expected = live.filter((w) => w.defined);
  const lost = expected.filter((w) => !listed.has(w.name)).length;
  for (const w of expected) await checker.call(P.DOMAIN_UNDEFINE, { dom: w.dom }).catch(() => undefined);
  checker.destroy();
  for (const w of live) w.c.destroy();
  await afterHeapTrim(() => d.settled());
  const after = await d.settled();
  // The steady state: V8's memory reducer shrinks the heap only some tens of seconds after the load stops.
  await new Promise((r) => setTimeout(r, SETTLE_LATER_MS));
  const later = await d.settled();
  const wrong = live.flatMap((w) => w.wrong);
  const ops = live.reduce((n, w) => n + w.ops, 0);
  return {
    refused: `${opts.clients - live.length} of ${opts.clients}`,
    ops: `${ops} in ${seconds.toFixed(1)} s (${(ops / seconds / 1000).toFixed(1)}k/s)`,
    wrong: wrong.length === 0 ? '0' : `${wrong.length} (first: ${wrong[0].slice(0, 60)})`,
    lost: `${lost} of ${expected.length}`,
    latency: `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    memory: { before, after, later },
  };
}

async function mixed(daemons, opts, { each, table, mib }) {
  const r = await each(daemons, (d) => mixedOne(d, opts));
  table(`Mixed load: ${opts.clients} concurrent clients for ${opts.seconds} s (unix socket)`, [
    ['refused connects', ...r.map((x) => x.refused)],
    ['calls answered', ...r.map((x) => x.ops)],
    ['wrong answers and failed calls', ...r.map((x) => x.wrong)],
    ['lost definitions', ...r.map((x) => x.lost)],
    ['call latency', ...r.map((x) => x.latency)],
    [
      `settled memory before, after, ${SETTLE_LATER_MS / 1000} s later`,
      ...r.map((x) => `${mib(x.memory.before)}, ${mib(x.memory.after)}, ${mib(x.memory.later)}`),
    ],
  ]);
}

module.exports = { mixed };
