// Statistics through xvirt-proxy on the host: a test build of the helper
// (fake hypervisor) installed setuid root, read by a real unprivileged user
// through the public API, compared with what the same C core serves in-process
// (native/proxy/test/fake_direct.c): vCPUs, CPU idle times, NUMA memory.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { DomainMemoryStatTag, VcpuState } from '../../../../lib/constants';
import { ensureDist, ensureTestUser, runAsUser, setupTestProxy, type TestProxy } from '../../../support/proxy-harness';

interface DirectVcpu {
  present: number;
  online: number;
  blocked: number;
  running: number;
  cpu: number;
  cpuTimeNs: string;
}
interface FakeDirect {
  physinfo: { totalPages: number; freePages: number };
  domains: Array<{
    domid: number;
    totPages: number;
    maxPages: number;
    onlineVcpus: number;
    cpuTimeNs: string;
    state: number;
  }>;
  vcpus: Record<string, DirectVcpu[]>;
  /** Each vCPU's hard affinity bytes as the core reads them in-process (null: an id Xen never allocated). */
  affinity: Record<string, Array<number[] | null>>;
  cpuIdle: string[];
  nodes: Array<{ online: number; sizeBytes: number; freeBytes: number }>;
}

let proxy: TestProxy;
let direct: FakeDirect;

t.before(async () => {
  ensureTestUser();
  ensureDist();
  proxy = await setupTestProxy();
  direct = JSON.parse(spawnSync(path.join(proxy.bin, 'fake_direct'), [], { encoding: 'utf8' }).stdout) as FakeDirect;
});
t.teardown(() => proxy?.close());

const READ_STATS = `
const c = await xvirt.connect('xen:///system');
const per = {};
for (const d of await c.listAllDomains()) {
  per[d.id] = { vcpus: await d.getVcpus(), pin: await d.getVcpuPinInfo(0), count: await d.getVcpusFlags(0), max: await d.getVcpusFlags(5),
    mem: await d.memoryStats(), cpu: await d.getCPUStats(-1, 1),
    config: await d.getVcpusFlags(2).then(() => null, errOf), disk: await d.blockStats('xvda').then(() => null, errOf),
    nic: await d.interfaceStats('vif9.0').then(() => null, errOf) };
}
const all = await c.getAllDomainStats(0, 0);
out({ per, all: all.map((r) => ({ id: r.domain.id, params: r.params })),
  map: await c.getCPUMap(), idle: await c.getNodeCPUStats(-1), idle1: await c.getNodeCPUStats(1),
  offline: await c.getNodeCPUStats(2).then(() => null, errOf),
  mem: await c.getNodeMemoryStats(-1), cell0: await c.getNodeMemoryStats(0), free: await c.getFreeMemory(),
  cells: await c.getCellsFreeMemory(0, 8) });
await c.close();
`;

t.test('an unprivileged user reads the same statistics through the proxy as the core serves directly', async (t) => {
  const r = (await runAsUser(proxy, READ_STATS)) as Record<string, any>;
  t.notOk(r.fatal, 'no failure', r.fatal);
  for (const d of direct.domains) {
    const got = r.per[d.domid];
    const want = direct.vcpus[String(d.domid)]!;
    t.same(
      got.vcpus.map((v: any) => [v.number, v.state, v.cpuTimeNs, v.cpu]),
      want.map((v, i) => [
        i,
        !v.online ? VcpuState.OFFLINE : v.blocked && !v.running ? VcpuState.BLOCKED : VcpuState.RUNNING,
        BigInt(v.cpuTimeNs),
        v.cpu,
      ]),
      `domain ${d.domid}: getVcpus from getvcpuinfo`,
    );
    const cpus = direct.cpuIdle.length;
    const maps = direct.affinity[String(d.domid)]!.map((bytes) =>
      Array.from({ length: cpus }, (_, c) => bytes !== null && (bytes[c >> 3]! & (1 << (c & 7))) !== 0),
    );
    t.same(
      got.vcpus.map((v: any) => v.cpumap),
      maps,
      `domain ${d.domid}: getVcpus' maps from getvcpuaffinity (VCPU_AFFINITY)`,
    );
    t.same(got.pin, maps, `domain ${d.domid}: getVcpuPinInfo, live`);
    if (d.domid === 0) t.same(maps[1], [false, true, false, false], "the fixture's pinned vCPU (xp_hv_fake.c)");
    t.equal(got.count, d.onlineVcpus, `domain ${d.domid}: current vCPUs`);
    t.equal(got.max, want.length, `domain ${d.domid}: maximum vCPUs`);
    t.same(
      got.mem,
      [
        { tag: DomainMemoryStatTag.ACTUAL_BALLOON, value: BigInt(d.totPages * 4) },
        { tag: DomainMemoryStatTag.AVAILABLE, value: BigInt(d.maxPages * 4) },
      ],
      `domain ${d.domid}: memory stats`,
    );
    t.same(got.cpu, [[{ name: 'cpu_time', type: 4, value: BigInt(d.cpuTimeNs) }]], `domain ${d.domid}: total CPU time`);
    t.equal(got.config.error, 'OPERATION_INVALID', 'no persistent config through the proxy');
    t.equal(got.disk.error, 'INVALID_ARG', 'no such disk (this host has no blkback devices)');
    t.match(got.disk.message, /invalid path: xvda/);
    t.equal(got.nic.error, 'INVALID_ARG');
  }
  const recordOf = (id: number) => r.all.find((x: any) => x.id === id).params;
  const g1 = recordOf(1).map((p: any) => [p.name, p.value]);
  t.same(
    g1.filter(([n]: [string]) => n.startsWith('vcpu.') || n === 'cpu.time'),
    [
      ['cpu.time', BigInt(direct.domains[1]!.cpuTimeNs)],
      ['vcpu.current', 1],
      ['vcpu.maximum', 1],
      ['vcpu.0.state', VcpuState.BLOCKED],
      ['vcpu.0.time', BigInt(direct.vcpus['1']![0]!.cpuTimeNs)],
    ],
    'getAllDomainStats carries the same vCPU figures',
  );

  const idle = direct.cpuIdle.map(BigInt);
  t.same(r.map, { cpumap: idle.map((v) => v > 0n), online: idle.filter((v) => v > 0n).length }, 'CPU map');
  t.same(r.idle, [{ field: 'idle', value: idle.reduce((a, b) => a + b, 0n) }], 'host idle time, 64 bits kept');
  t.same(r.idle1, [{ field: 'idle', value: idle[1] }]);
  t.equal(r.offline.error, 'INVALID_ARG', 'an offline CPU has no statistics');
  const p = direct.physinfo;
  t.same(r.mem, [
    { field: 'total', value: BigInt(p.totalPages * 4) },
    { field: 'free', value: BigInt(p.freePages * 4) },
  ]);
  t.same(r.cell0, [
    { field: 'total', value: BigInt(direct.nodes[0]!.sizeBytes / 1024) },
    { field: 'free', value: BigInt(direct.nodes[0]!.freeBytes / 1024) },
  ]);
  t.equal(r.free, BigInt(p.freePages) * 4096n);
  t.same(
    r.cells,
    direct.nodes.map((n) => BigInt(n.freeBytes)),
  );
});
