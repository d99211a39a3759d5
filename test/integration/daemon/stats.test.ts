// Every monitoring call, made through xvirt's API on three backends: xvirt's
// embedded test driver, xvirtd (remote client) and a real libvirtd 9.0 (remote
// client): the same values (clock-derived counters within a second), the same
// errors (number, domain, message). Setters run on a node file (a private
// state per connection) and are judged by the XML and counts they leave.
// Then golden bytes: xvirtd's replies equal libvirtd's, byte for byte, for the
// deterministic calls, and its read-only socket refuses what libvirtd's refuses.
import t, { type Test } from 'tap';
import {
  connect,
  DomainMemoryModFlags as M,
  DomainStatsTypes as S,
  DomainVcpuFlags as V,
  DomainXMLFlags,
  GetAllDomainStatsFlags as F,
  isXvirtError,
  type Connection,
  type Domain,
} from '../../../lib';
import { RemoteProcedure as P } from '../../../lib/rpc/procedures';
import { MessageStatus, remoteError } from '../../../lib/rpc/protocol';
import type { Message } from '../../../lib/rpc/framing';
import { decode } from '../../../lib/rpc/xdr';
import { nodeFileUri, tempDir, type GuestSpec } from '../../support/cli';
import { startLibvirtd } from '../../support/libvirtd';
import { RawClient, startXvirtd } from '../../support/xvirtd';

type Outcome = { ok: unknown } | { err: { number: number; domain: number; message: string } };

async function outcome(op: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: plain(await op()) };
  } catch (err) {
    if (!isXvirtError(err)) throw err;
    return { err: { number: err.number, domain: err.domain, message: err.message } };
  }
}

/** Domain objects as their refs, so outcomes compare as data. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && 'connection' in v && 'ref' in v) return (v as Domain).ref;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Clock-derived figures (µs since the epoch, scaled) agree within a second's drift; the rest exactly. */
function close(t: Test, ours: unknown, theirs: unknown, what: string): void {
  const flat = (v: unknown, out: unknown[] = []): unknown[] => {
    if (v && typeof v === 'object') for (const x of Object.values(v)) flat(x, out);
    else out.push(v);
    return out;
  };
  const a = flat(ours);
  const b = flat(theirs);
  const same =
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      if (typeof x === 'bigint' && typeof y === 'bigint' && x > 10n ** 8n) {
        return (x > y ? x - y : y - x) * 1_000_000n <= x;
      }
      return x === y;
    });
  if (!t.ok(same, what)) t.same(ours, theirs, `${what} (details)`);
}

type Probe = [string, (c: Connection, d: Domain) => Promise<unknown>];

const READS: Probe[] = [
  ['getAllDomainStats()', (c) => c.getAllDomainStats()],
  ['getAllDomainStats(all groups)', (c) => c.getAllDomainStats(0x7ff)],
  ['getAllDomainStats(state, ACTIVE)', (c) => c.getAllDomainStats(S.STATE, F.ACTIVE)],
  ['getAllDomainStats(state, INACTIVE)', (c) => c.getAllDomainStats(S.STATE, F.INACTIVE)],
  ['getAllDomainStats(vcpu, ENFORCE)', (c) => c.getAllDomainStats(S.VCPU, F.ENFORCE_STATS)],
  ['getAllDomainStats(0, unknown flag)', (c) => c.getAllDomainStats(0, 0x1000)],
  ['getDomainStats([test])', (c, d) => c.getDomainStats([d], S.STATE)],
  ['memoryStats()', (_c, d) => d.memoryStats()],
  ['memoryStats(1)', (_c, d) => d.memoryStats(1)],
  ['blockStats(vda)', (_c, d) => d.blockStats('vda')],
  ['blockStats(source path)', (_c, d) => d.blockStats('/guest/diskimage1')],
  ['blockStats(hda)', (_c, d) => d.blockStats('hda')],
  ['blockStats("")', (_c, d) => d.blockStats('')],
  ['blockStatsFlags(vda)', (_c, d) => d.blockStatsFlags('vda')],
  ['interfaceStats(testnet0)', (_c, d) => d.interfaceStats('testnet0')],
  ['interfaceStats(MAC)', (_c, d) => d.interfaceStats('aa:bb:cc:dd:ee:ff')],
  ['interfaceStats(vnet0)', (_c, d) => d.interfaceStats('vnet0')],
  ['getVcpus()', (_c, d) => d.getVcpus()],
  ['getVcpus(1)', (_c, d) => d.getVcpus(1)],
  ['getVcpusFlags(CURRENT)', (_c, d) => d.getVcpusFlags(0)],
  ['getVcpusFlags(MAXIMUM|LIVE)', (_c, d) => d.getVcpusFlags(V.MAXIMUM | V.LIVE)],
  ['getVcpusFlags(CONFIG)', (_c, d) => d.getVcpusFlags(V.CONFIG)],
  ['getVcpusFlags(GUEST)', (_c, d) => d.getVcpusFlags(V.GUEST)],
  ['getCPUStats(total)', (_c, d) => d.getCPUStats()],
  ['getCPUStats(0, 4)', (_c, d) => d.getCPUStats(0, 4)],
  ['getCPUStats(1, 1)', (_c, d) => d.getCPUStats(1, 1)],
  ['getCPUStats(5, 1)', (_c, d) => d.getCPUStats(5, 1)],
  ['getCPUStats(flag 1)', (_c, d) => d.getCPUStats(-1, 1, 1)],
  ['getCPUMap()', (c) => c.getCPUMap()],
  ['getCPUMap(1)', (c) => c.getCPUMap(1)],
  ['getNodeCPUStats()', (c) => c.getNodeCPUStats()],
  ['getNodeCPUStats(3)', (c) => c.getNodeCPUStats(3)],
  ['getNodeCPUStats(-1, 1)', (c) => c.getNodeCPUStats(-1, 1)],
  ['getNodeMemoryStats()', (c) => c.getNodeMemoryStats()],
  ['getFreeMemory()', (c) => c.getFreeMemory()],
  ['getCellsFreeMemory(0, 2)', (c) => c.getCellsFreeMemory(0, 2)],
  ['getCellsFreeMemory(1, 8)', (c) => c.getCellsFreeMemory(1, 8)],
  ['getCellsFreeMemory(2, 1)', (c) => c.getCellsFreeMemory(2, 1)],
];

const GUESTS: readonly GuestSpec[] = [
  {
    name: 'web',
    uuid: '11111111-2222-3333-4444-555555555555',
    runstate: 1,
    memoryKiB: 524288,
    vcpus: 2,
    devices: "<devices><memballoon model='virtio'/></devices>",
  },
  { name: 'Db', uuid: '21111111-2222-3333-4444-555555555555', runstate: 3, vcpus: 3 },
  { name: 'cold', uuid: '31111111-2222-3333-4444-555555555555', runstate: 5, vcpus: 2 },
];

/** A sequence of changes and the state they leave, on `cold` (inactive) and `web` (running). */
async function setterRun(c: Connection): Promise<Outcome[]> {
  const cold = await c.lookupDomainByName('cold');
  const web = await c.lookupDomainByName('web');
  const look = async (d: Domain) => [
    await d.getXMLDesc(DomainXMLFlags.INACTIVE),
    (await d.getInfo()).memoryKiB,
    await d.getVcpusFlags(V.CONFIG),
    await d.getVcpusFlags(V.CONFIG | V.MAXIMUM),
  ];
  const steps: (() => Promise<unknown>)[] = [
    () => cold.setMemoryFlags(131072, M.CONFIG),
    () => look(cold),
    () => cold.setMemoryFlags(131072, M.LIVE),
    () => cold.setMemoryFlags(9999999, M.CONFIG),
    () => cold.setMemoryFlags(100000, M.CONFIG | M.MAXIMUM),
    () => look(cold),
    () => cold.setMaxMemory(300000),
    () => look(cold),
    () => cold.setVcpusFlags(1, V.CONFIG),
    () => look(cold),
    () => cold.setVcpusFlags(4, V.CONFIG),
    () => cold.setVcpusFlags(4, V.CONFIG | V.MAXIMUM),
    () => look(cold),
    () => cold.setVcpusFlags(40, V.CONFIG),
    () => cold.setVcpusFlags(1, V.LIVE),
    () => web.setMemoryFlags(262144, M.LIVE),
    () => web.getXMLDesc(0),
    () => look(web),
    () => web.setMemoryFlags(262144, M.LIVE | M.CONFIG),
    () => web.setMemoryFlags(200000, M.MAXIMUM),
    () => web.setMemoryFlags(200000, M.MAXIMUM | M.CONFIG),
    () => look(web),
    () => web.setMaxMemory(1000),
    () => web.setVcpusFlags(1, V.LIVE | V.CONFIG),
    () => look(web),
    () => web.getVcpusFlags(V.LIVE),
    () => web.setVcpusFlags(3, V.LIVE),
    () => web.setMemoryFlags(1024, 0x10),
    () => web.setMemoryStatsPeriod(5),
    () => web.getXMLDesc(0),
    () => web.setMemoryStatsPeriod(7, M.CONFIG),
    () => look(web),
    () => web.setMemoryStatsPeriod(0, M.CONFIG),
    () => look(web),
    () => web.setMemoryStatsPeriod(5, M.LIVE | M.CONFIG),
    () => web.setMemoryStatsPeriod(5, 4),
    () => web.setMemoryStatsPeriod(-1),
    () => cold.setMemoryStatsPeriod(5, M.LIVE),
    () => cold.setMemoryStatsPeriod(5, M.CONFIG),
    () => cold.memoryStats(),
    () => cold.blockStats('vda'),
    () => cold.interfaceStats('vnet0'),
    () => cold.getVcpus(),
    () => cold.getCPUStats(),
    () => cold.getVcpusFlags(V.LIVE),
    () => web.memoryStats(),
    () => web.getCPUStats(0, 8),
    () => c.getCellsFreeMemory(0, 1),
    () => c.getFreeMemory(),
    () => c.getAllDomainStats(S.STATE, F.SHUTOFF),
  ];
  const out: Outcome[] = [];
  for (const step of steps) out.push(await outcome(step));
  return out;
}

t.test('three backends, one answer', async (t) => {
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const file = nodeFileUri(tempDir(t), GUESTS);
  const path = file.slice('test://'.length);
  const backends: [string, (uri: string) => Promise<Connection>][] = [
    ['libvirtd', (u) => connect(u === 'default' ? lv.unixUri() : lv.unixUri({ path }))],
    ['xvirtd', (u) => connect(xd.uri('unix', u === 'default' ? 'test:///default' : file))],
    ['in-process', (u) => connect(u === 'default' ? 'test:///default' : file)],
  ];
  const results: Outcome[][] = [];
  const runs: Outcome[][] = [];
  for (const [, open] of backends) {
    const c = await open('default');
    const d = await c.lookupDomainByName('test');
    const row: Outcome[] = [];
    for (const [, probe] of READS) row.push(await outcome(() => probe(c, d)));
    results.push(row);
    await c.close();
    const f = await open('file');
    runs.push(await setterRun(f));
    await f.close();
  }
  for (let b = 1; b < backends.length; b++) {
    READS.forEach(([name], i) => close(t, results[b]![i], results[0]![i], `${backends[b]![0]}: ${name} as libvirtd`));
    runs[b]!.forEach((o, i) => close(t, o, runs[0]![i], `${backends[b]![0]}: setter step ${i} as libvirtd`));
  }
});

/** Raw calls whose replies are fully determined (no clock): xvirtd's bytes must be libvirtd's. */
const DOM = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
/**
 * A reply as compared: success payloads byte for byte; error bodies by number,
 * domain and message (libvirtd also fills str1/str2 with its format string and
 * detail, which xvirtd leaves empty).
 */
function comparable(m: Message): string {
  if (m.header.status !== MessageStatus.ERROR) return Buffer.from(m.payload).toString('hex');
  const e = decode(remoteError, m.payload);
  return `error ${e.code} domain ${e.domain}: ${e.message}`;
}

const GOLDEN: [number, unknown][] = [
  [P.CONNECT_GET_ALL_DOMAIN_STATS, { doms: [], stats: 0, flags: 0 }],
  [P.CONNECT_GET_ALL_DOMAIN_STATS, { doms: [DOM], stats: S.STATE, flags: 0 }],
  [P.CONNECT_GET_ALL_DOMAIN_STATS, { doms: [], stats: S.VCPU, flags: F.ENFORCE_STATS }],
  [P.DOMAIN_MEMORY_STATS, { dom: DOM, maxStats: 13, flags: 0 }],
  [P.DOMAIN_MEMORY_STATS, { dom: DOM, maxStats: 5, flags: 0 }],
  [P.DOMAIN_MEMORY_STATS, { dom: DOM, maxStats: 2000, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 0, start_cpu: -1, ncpus: 1, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 3, start_cpu: -1, ncpus: 1, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 0, start_cpu: 0, ncpus: 0, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 2, start_cpu: 0, ncpus: 4, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 1, start_cpu: 1, ncpus: 1, flags: 0 }],
  [P.DOMAIN_GET_CPU_STATS, { dom: DOM, nparams: 2, start_cpu: 0, ncpus: 200, flags: 0 }],
  [P.NODE_GET_CPU_MAP, { need_map: 1, need_online: 1, flags: 0 }],
  [P.NODE_GET_CPU_MAP, { need_map: 0, need_online: 1, flags: 0 }],
  [P.NODE_GET_CPU_STATS, { cpuNum: -1, nparams: 0, flags: 0 }],
  [P.NODE_GET_CPU_STATS, { cpuNum: -1, nparams: 4, flags: 0 }],
  [P.NODE_GET_CPU_STATS, { cpuNum: 2, nparams: 2, flags: 0 }],
  [P.NODE_GET_CPU_STATS, { cpuNum: -1, nparams: 17, flags: 0 }],
  [P.NODE_GET_MEMORY_STATS, { nparams: 0, cellNum: -1, flags: 0 }],
  [P.NODE_GET_CELLS_FREE_MEMORY, { startCell: 0, maxcells: 4 }],
  [P.NODE_GET_CELLS_FREE_MEMORY, { startCell: 0, maxcells: 2000 }],
  [P.NODE_GET_FREE_MEMORY, undefined],
  [P.DOMAIN_GET_VCPUS_FLAGS, { dom: DOM, flags: V.MAXIMUM }],
  [P.DOMAIN_BLOCK_STATS, { dom: DOM, path: 'hda' }],
  [P.DOMAIN_BLOCK_STATS_FLAGS, { dom: DOM, path: 'vda', nparams: 0, flags: 0 }],
  [P.DOMAIN_INTERFACE_STATS, { dom: DOM, device: 'vnet0' }],
  [P.DOMAIN_GET_VCPUS, { dom: DOM, maxinfo: 20000, maplen: 1 }],
  [P.CONNECT_GET_LIB_VERSION, undefined],
];

t.test("xvirtd's replies are libvirtd's bytes; the read-only socket refuses only the setters", async (t) => {
  const lv = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  for (const [label, rw, ro] of [
    ['libvirtd', lv.socket, lv.socketRo],
    ['xvirtd', xd.rwSocket, xd.roSocket],
  ] as const) {
    t.ok(rw && ro, `${label} sockets`);
  }
  const clients = await Promise.all([lv.socket, xd.rwSocket].map((s) => RawClient.opened(s)));
  t.teardown(() => clients.forEach((c) => c.socket.destroy()));
  for (const [proc, args] of GOLDEN) {
    const [theirs, ours] = await Promise.all(clients.map(async (c) => c.reply(c.sendCall(proc, args))));
    const label = JSON.stringify(args, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    t.equal(ours!.header.status, theirs!.header.status, `${P[proc]} ${label}: same status`);
    t.equal(comparable(ours!), comparable(theirs!), `${P[proc]}: same reply`);
  }
  const readOnly = await Promise.all([lv.socketRo, xd.roSocket].map((s) => RawClient.opened(s, 'test:///default', 1)));
  t.teardown(() => readOnly.forEach((c) => c.socket.destroy()));
  const roCalls: [number, unknown][] = [
    ...GOLDEN.filter(([p]) => p !== P.CONNECT_GET_LIB_VERSION),
    [P.DOMAIN_SET_MEMORY_FLAGS, { dom: DOM, memory: 1024, flags: M.CONFIG }],
    [P.DOMAIN_SET_VCPUS_FLAGS, { dom: DOM, nvcpus: 1, flags: V.CONFIG }],
    [P.DOMAIN_SET_MAX_MEMORY, { dom: DOM, memory: 1024 }],
    [P.DOMAIN_GET_VCPUS_FLAGS, { dom: DOM, flags: V.GUEST }],
  ];
  for (const [proc, args] of roCalls) {
    const [theirs, ours] = await Promise.all(readOnly.map(async (c) => c.reply(c.sendCall(proc, args))));
    t.equal(ours!.header.status, theirs!.header.status, `read-only ${P[proc]}: same status`);
    t.equal(comparable(ours!), comparable(theirs!), `read-only ${P[proc]}: same reply`);
  }
});
