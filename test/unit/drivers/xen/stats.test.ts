// The direct Xen driver's monitoring calls over the stand-in hypervisor and a
// fake sysfs tree: vCPUs, memory, block and vif counters (directions as the
// guest sees them), host CPU/memory, and getAllDomainStats records.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DomainMemoryStatTag,
  DomainState,
  DomainStatsTypes as G,
  DomainVcpuFlags as Vcpu,
  GetAllDomainStatsFlags as F,
  VcpuState,
} from '../../../../lib/constants';
import { ErrorDomain, ErrorNumber } from '../../../../lib/errors';
import type { TypedParam } from '../../../../lib/typed-params';
import { BackendCounters } from '../../../../lib/drivers/xen-common/stats/backend-counters';
import { XenDomainStats } from '../../../../lib/drivers/xen-common/stats/domain-stats';
import type { StatsDomain, XenStatsSource } from '../../../../lib/drivers/xen-common/stats/source';
import { domainXml, fakeSysfs, rig } from '../../../support/xen';

const DEFINED = '22222222-2222-3333-4444-555555555599';

async function setup(t: Parameters<typeof rig>[0]) {
  const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-sysfs-'));
  t.teardown(() => fs.rmSync(sys, { recursive: true, force: true }));
  fakeSysfs(
    sys,
    [
      [1, 51712, { rd_req: 10, rd_sect: 80, wr_req: 3, wr_sect: 24, f_req: 2, oo_req: 1, ds_req: 0 }], // xvda
      [1, 51728, { rd_req: 5, rd_sect: 8, wr_req: 0, wr_sect: 0, f_req: 0, oo_req: 0, ds_req: 0 }], // xvdb
      [11, 51712, { rd_req: 99, rd_sect: 99, wr_req: 99, wr_sect: 99, f_req: 99, oo_req: 99, ds_req: 0 }], // domain 11's
    ],
    [
      [
        'vif1.0',
        {
          rx_bytes: 100,
          rx_packets: 2,
          rx_errors: 0,
          rx_dropped: 1,
          tx_bytes: 5000,
          tx_packets: 40,
          tx_errors: 3,
          tx_dropped: 4,
        },
      ],
      [
        'vif11.0',
        {
          rx_bytes: 9,
          rx_packets: 9,
          rx_errors: 9,
          rx_dropped: 9,
          tx_bytes: 9,
          tx_packets: 9,
          tx_errors: 9,
          tx_dropped: 9,
        },
      ],
    ],
  );
  fs.mkdirSync(path.join(sys, 'class/net/vif1.0-emu/statistics'), { recursive: true }); // an HVM tap: not a vif
  const r = await rig(t, { sysfsRoot: sys });
  await r.driver.defineXML(domainXml('off', DEFINED));
  return {
    ...r,
    sys,
    g1: await r.driver.lookupByName('g1'),
    dom0: await r.driver.lookupById(0),
    off: await r.driver.lookupByName('off'),
  };
}

const names = (params: TypedParam[]) => params.map((p) => p.name);
const value = (params: TypedParam[], name: string) => params.find((p) => p.name === name)?.value;

const ALL_CPUS = [true, true, true, true]; // the stand-in's 4 CPU ids (cpuIdleNs)

t.test('vCPUs: state, time, CPU and affinity from the hypervisor; counts by LIVE/CONFIG/MAXIMUM', async (t) => {
  const { driver, hv, g1, dom0, off } = await setup(t);
  t.same(await driver.domainGetVcpus(g1, 8), [
    { number: 0, state: VcpuState.BLOCKED, cpuTimeNs: 2_000_000n, cpu: 0, cpumap: ALL_CPUS },
  ]);
  const d0 = await driver.domainGetVcpus(dom0, 8);
  t.same(
    d0.map((v) => v.state),
    [VcpuState.RUNNING, VcpuState.RUNNING],
  );
  t.equal(d0[0]!.cpuTimeNs + d0[1]!.cpuTimeNs, 2n ** 60n, 'the vCPU times add up to the domain time, 64 bits kept');
  t.equal((await driver.domainGetVcpus(dom0, 1)).length, 1, 'maxInfo caps the answer');
  hv.domains[0]!.vcpuInfo[1] = { ...hv.domains[0]!.vcpuInfo[1]!, online: false };
  t.same(
    (await driver.domainGetVcpus(dom0, 8))[1],
    { number: 1, state: VcpuState.OFFLINE, cpuTimeNs: 2n ** 59n, cpu: -1, cpumap: ALL_CPUS },
    'a hot-unplugged vCPU is offline, on no CPU',
  );
  hv.domains[0]!.vcpuInfo[1] = { ...hv.domains[0]!.vcpuInfo[1]!, affinity: [false, true] };
  t.same(
    (await driver.domainGetVcpus(dom0, 8)).map((v) => v.cpumap),
    [ALL_CPUS, [false, true, false, false]],
    "a pinned vCPU's hard affinity, as wide as the host's CPU ids",
  );
  hv.domains[0]!.vcpuInfo[1] = { ...hv.domains[0]!.vcpuInfo[1]!, present: false };
  t.same(
    (await driver.domainGetVcpus(dom0, 8))[1]!.cpumap,
    [false, false, false, false],
    'a vCPU id Xen never allocated may run nowhere',
  );

  t.equal(await driver.domainGetVcpusFlags(g1, 0), 1, 'current of a running domain: online vCPUs');
  t.equal(await driver.domainGetVcpusFlags(dom0, Vcpu.LIVE | Vcpu.MAXIMUM), 2, 'maximum: the vCPU ids Xen holds');
  t.equal(await driver.domainGetVcpusFlags(off, 0), 2, 'an inactive domain: its definition');
  t.equal(await driver.domainGetVcpusFlags(off, Vcpu.CONFIG | Vcpu.MAXIMUM), 2);
  await t.rejects(driver.domainGetVcpusFlags(off, Vcpu.LIVE), {
    number: ErrorNumber.OPERATION_INVALID,
    domain: ErrorDomain.DOMAIN,
    message: 'domain is not running',
  });
  await t.rejects(driver.domainGetVcpusFlags(g1, Vcpu.CONFIG), {
    number: ErrorNumber.OPERATION_INVALID,
    message: /transient/,
  });
  await t.rejects(driver.domainGetVcpusFlags(g1, Vcpu.GUEST), {
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x8\)/,
  });
  await t.rejects(driver.domainGetVcpus(off, 4), {
    number: ErrorNumber.OPERATION_INVALID,
    message: 'domain is not running',
  });

  hv.domains = hv.domains.filter((d) => d.id !== 1);
  await t.rejects(
    driver.domainGetVcpus(g1, 4),
    { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN },
    'a vanished domain',
  );
});

t.test('vCPU pinning: the live hard affinity from Xen, an unpinned definition otherwise', async (t) => {
  const { driver, hv, g1, dom0, off } = await setup(t);
  hv.domains[0]!.vcpuInfo[0] = { ...hv.domains[0]!.vcpuInfo[0]!, affinity: [true, false, true] };
  t.same(await driver.domainGetVcpuPinInfo(dom0, 8, 0), [[true, false, true, false], ALL_CPUS]);
  t.same(await driver.domainGetVcpuPinInfo(dom0, 1, Vcpu.LIVE), [[true, false, true, false]], 'ncpumaps caps it');
  t.same(
    hv.calls.filter((c) => c.startsWith('vcpuAffinity')).slice(-1),
    ['vcpuAffinity 0 0'],
    'one getvcpuaffinity per vCPU asked for',
  );
  t.same(await driver.domainGetVcpuPinInfo(off, 8, 0), [ALL_CPUS, ALL_CPUS], 'inactive: each defined vCPU, unpinned');
  t.same(await driver.domainGetVcpuPinInfo(off, 1, Vcpu.CONFIG), [ALL_CPUS]);
  await t.rejects(driver.domainGetVcpuPinInfo(off, 2, Vcpu.LIVE), {
    number: ErrorNumber.OPERATION_INVALID,
    domain: ErrorDomain.DOMAIN,
    message: 'domain is not running',
  });
  await t.rejects(driver.domainGetVcpuPinInfo(g1, 2, Vcpu.CONFIG), {
    number: ErrorNumber.OPERATION_INVALID,
    domain: ErrorDomain.DOMAIN,
    message: /transient/,
  });
  await t.rejects(driver.domainGetVcpuPinInfo(g1, 2, 4), {
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x4\)/,
  });
  hv.domains = hv.domains.filter((d) => d.id !== 1);
  await t.rejects(driver.domainGetVcpuPinInfo(g1, 2, 0), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });
});

t.test("memory stats: actual and available, as libvirt's Xen driver; only while running", async (t) => {
  const { driver, g1, off } = await setup(t);
  t.same(await driver.domainMemoryStats(g1, 13, 0), [
    { tag: DomainMemoryStatTag.ACTUAL_BALLOON, value: 16384n },
    { tag: DomainMemoryStatTag.AVAILABLE, value: 17408n },
  ]);
  t.same(await driver.domainMemoryStats(g1, 1, 0), [{ tag: DomainMemoryStatTag.ACTUAL_BALLOON, value: 16384n }]);
  await t.rejects(driver.domainMemoryStats(g1, 13, 1), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  await t.rejects(driver.domainMemoryStats(off, 13, 0), { name: 'XvirtError', number: ErrorNumber.OPERATION_INVALID });
});

t.test("block stats from blkback's sysfs counters (512-byte sectors), summed for the empty name", async (t) => {
  const { driver, g1, off } = await setup(t);
  t.same(await driver.domainBlockStats(g1, 'xvda'), {
    rdReq: 10n,
    rdBytes: 40960n,
    wrReq: 3n,
    wrBytes: 12288n,
    errs: 1n,
  });
  t.same(
    await driver.domainBlockStats(g1, ''),
    { rdReq: 15n, rdBytes: 45056n, wrReq: 3n, wrBytes: 12288n, errs: 1n },
    'every disk of domain 1 and none of domain 11',
  );
  t.same(await driver.domainBlockStatsFlags(g1, 'xvdb', 0), [
    { name: 'wr_bytes', type: 3, value: 0n },
    { name: 'wr_operations', type: 3, value: 0n },
    { name: 'rd_bytes', type: 3, value: 4096n },
    { name: 'rd_operations', type: 3, value: 5n },
    { name: 'flush_operations', type: 3, value: 0n },
    { name: 'errs', type: 3, value: 0n },
  ]);
  await t.rejects(driver.domainBlockStats(g1, 'xvdz'), {
    number: ErrorNumber.INVALID_ARG,
    domain: ErrorDomain.XEN,
    message: 'invalid path: xvdz',
  });
  await t.rejects(driver.domainBlockStats(off, 'xvda'), {
    number: ErrorNumber.OPERATION_INVALID,
    message: 'domain is not running',
  });
});

t.test("interface stats from the vif's netdev counters, directions as the guest sees them", async (t) => {
  const { driver, g1 } = await setup(t);
  t.same(await driver.domainInterfaceStats(g1, 'vif1.0'), {
    rxBytes: 5000n,
    rxPackets: 40n,
    rxErrs: 3n,
    rxDrop: 4n,
    txBytes: 100n,
    txPackets: 2n,
    txErrs: 0n,
    txDrop: 1n,
  });
  for (const bad of ['vif11.0', 'vif1.0-emu', 'eth0', '../vif1.0']) {
    await t.rejects(driver.domainInterfaceStats(g1, bad), {
      number: ErrorNumber.INVALID_ARG,
      message: `'${bad}' is not a known interface`,
    });
  }
});

t.test('CPU stats: the domain total; per host CPU without fields (Xen does not split it)', async (t) => {
  const { driver, g1 } = await setup(t);
  t.same(await driver.domainGetCPUStats(g1, -1, 1, 0), [[{ name: 'cpu_time', type: 4, value: 2_000_000n }]]);
  t.same(await driver.domainGetCPUStats(g1, 1, 8, 0), [[], [], []], 'CPUs 1-3 of the 4 ids');
  await t.rejects(driver.domainGetCPUStats(g1, 4, 1, 0), {
    number: ErrorNumber.INVALID_ARG,
    message: 'start_cpu 4 larger than maximum of 3',
  });
});

t.test('host CPU map, CPU idle time and memory from the hypervisor', async (t) => {
  const { driver } = await setup(t);
  t.same(await driver.nodeGetCPUMap(0), { cpumap: [true, true, false, false], online: 2 });
  t.same(await driver.nodeGetCPUStats(-1, 0), [{ field: 'idle', value: 7_000_000_000_000n + 2n ** 53n + 3n }]);
  t.same(await driver.nodeGetCPUStats(1, 0), [{ field: 'idle', value: 2n ** 53n + 3n }]);
  await t.rejects(driver.nodeGetCPUStats(2, 0), { number: ErrorNumber.INVALID_ARG, message: /online CPUs are 0, 1/ });
  t.same(await driver.nodeGetMemoryStats(-1, 0), [
    { field: 'total', value: 2096632n },
    { field: 'free', value: 1024156n },
  ]);
  t.same(await driver.nodeGetMemoryStats(0, 0), [
    { field: 'total', value: 2096632n },
    { field: 'free', value: 1024156n },
  ]);
  await t.rejects(driver.nodeGetMemoryStats(1, 0), { number: ErrorNumber.INVALID_ARG, message: /cell number 1/ });
  t.equal(await driver.nodeGetFreeMemory(), 1024156n * 1024n);
  t.same(await driver.nodeGetCellsFreeMemory(0, 1024), [1024156n * 1024n, 0n]);
  t.same(await driver.nodeGetCellsFreeMemory(1, 1), [0n]);
  await t.rejects(driver.nodeGetCellsFreeMemory(2, 1), {
    number: ErrorNumber.INVALID_ARG,
    message: 'start cell 2 out of range (0-1)',
  });
  await t.rejects(driver.nodeGetCPUMap(1), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
});

t.test('getAllDomainStats: every group for running domains, state and definition for inactive ones', async (t) => {
  const { driver, g1, off, hv } = await setup(t);
  const all = await driver.connectGetAllDomainStats(null, 0, 0);
  t.same(
    all.map((r) => r.domain.name),
    ['Domain-0', 'g1', 'g2', 'g3', 'off'],
  );
  const p = all[1]!.params;
  t.same(
    names(p),
    [
      'state.state',
      'state.reason',
      'cpu.time',
      'balloon.current',
      'balloon.maximum',
      'vcpu.current',
      'vcpu.maximum',
      'vcpu.0.state',
      'vcpu.0.time',
      'net.count',
      'net.0.name',
      'net.0.rx.bytes',
      'net.0.rx.pkts',
      'net.0.rx.errs',
      'net.0.rx.drop',
      'net.0.tx.bytes',
      'net.0.tx.pkts',
      'net.0.tx.errs',
      'net.0.tx.drop',
      'block.count',
      'block.0.name',
      'block.0.rd.reqs',
      'block.0.rd.bytes',
      'block.0.wr.reqs',
      'block.0.wr.bytes',
      'block.0.fl.reqs',
      'block.0.errors',
      'block.1.name',
      'block.1.rd.reqs',
      'block.1.rd.bytes',
      'block.1.wr.reqs',
      'block.1.wr.bytes',
      'block.1.fl.reqs',
      'block.1.errors',
    ],
    "libvirt's keys, nothing Xen does not count (no cpu.user, vcpu.N.wait, block.N.rd.times...)",
  );
  t.equal(value(p, 'state.state'), DomainState.BLOCKED);
  t.equal(value(p, 'cpu.time'), 2_000_000n);
  t.equal(value(p, 'balloon.current'), 16384n);
  t.equal(value(p, 'balloon.maximum'), 17408n);
  t.equal(value(p, 'vcpu.0.state'), VcpuState.BLOCKED);
  t.equal(value(p, 'net.0.name'), 'vif1.0');
  t.equal(value(p, 'net.0.rx.bytes'), 5000n, "the vif's tx is the guest's rx");
  t.equal(value(p, 'block.0.name'), 'xvda');
  t.equal(value(p, 'block.1.rd.bytes'), 4096n);
  t.same(
    names(all[2]!.params).filter((n) => n.startsWith('net.') || n.startsWith('block.')),
    ['net.count', 'block.count'],
    'a domain without devices counts zero of them',
  );
  t.same(
    all[4]!.params,
    [
      { name: 'state.state', type: 1, value: DomainState.SHUTOFF },
      { name: 'state.reason', type: 1, value: 0 },
      { name: 'balloon.current', type: 4, value: 32768n },
      { name: 'balloon.maximum', type: 4, value: 65536n },
      { name: 'vcpu.current', type: 2, value: 2 },
      { name: 'vcpu.maximum', type: 2, value: 2 },
    ],
    'an inactive domain: its state and definition only',
  );

  const cpuOnly = await driver.connectGetAllDomainStats(
    [g1, off, { name: 'gone', uuid: '99999999-9999-9999-9999-999999999999', id: 7 }],
    G.CPU_TOTAL,
    0,
  );
  t.same(
    cpuOnly.map((r) => [r.domain.name, names(r.params)]),
    [
      ['g1', ['cpu.time']],
      ['off', []],
    ],
    'a vanished domain is skipped',
  );
  t.same(
    (await driver.connectGetAllDomainStats(null, G.STATE, F.INACTIVE)).map((r) => r.domain.name),
    ['off'],
  );
  t.same(
    (await driver.connectGetAllDomainStats(null, G.STATE, F.RUNNING)).map((r) => r.domain.name),
    ['Domain-0', 'g1', 'g2', 'g3'],
    'an idle guest counts as running',
  );
  await t.rejects(driver.connectGetAllDomainStats(null, G.PERF, F.ENFORCE_STATS >>> 0), {
    number: ErrorNumber.ARGUMENT_UNSUPPORTED,
    message: 'Stats types bits 0x40 are not supported by this daemon',
  });
  t.equal(
    (await driver.connectGetAllDomainStats(null, G.PERF | G.STATE, 0))[0]!.params.length,
    2,
    'unsupported groups are skipped',
  );
  await t.rejects(driver.connectGetAllDomainStats(null, 0, 0x100), {
    number: ErrorNumber.INVALID_ARG,
    message: /unsupported flags \(0x100\)/,
  });

  hv.domains[1]!.vcpuInfo[0]!.present = false;
  t.same(
    names((await driver.connectGetAllDomainStats([g1], G.VCPU, 0))[0]!.params),
    ['vcpu.current', 'vcpu.maximum'],
    'a vCPU id Xen does not hold is left out',
  );
});

t.test('affinity read in one batch per call; a domain gone meanwhile is NO_DOMAIN', async (t) => {
  const calls: string[] = [];
  let gone = false;
  const live: StatsDomain = {
    ref: { name: 'g', uuid: DEFINED, id: 3 },
    active: true,
    persistent: false,
    autostart: false,
    state: DomainState.RUNNING,
    reason: 1,
    info: { state: DomainState.RUNNING, maxMemKiB: 4096, memoryKiB: 4096, nrVirtCpu: 1, cpuTimeNs: 5n },
    config: null,
  };
  const source: XenStatsSource = {
    errorDomain: ErrorDomain.XEN,
    counters: new BackendCounters('/nonexistent'),
    find: async () => live,
    all: async () => [live],
    vcpus: async () => {
      calls.push('vcpus');
      return [{ id: 0, present: true, online: true, blocked: true, running: false, cpu: 1, cpuTimeNs: 5n }];
    },
    physinfo: async () => {
      throw new Error('not asked');
    },
    vcpuAffinities: async (_ref, vcpus, cpus) => {
      calls.push(`affinities ${vcpus.map((v) => v.id).join()} over ${cpus}`);
      return gone ? null : vcpus.map(() => [false, true]);
    },
    cpuIdle: async () => [1n, 1n],
    nodeMemory: async () => [],
  };
  const stats = new XenDomainStats(source);
  t.same(
    (await stats.getVcpus(live.ref, 4)).map((v) => v.cpumap),
    [[false, true]],
  );
  t.same(await stats.getVcpuPinInfo(live.ref, 1, 0), [[false, true]]);
  t.same(calls, ['vcpus', 'affinities 0 over 2', 'vcpus', 'affinities 0 over 2'], 'one batch per call');
  gone = true;
  for (const call of [stats.getVcpus(live.ref, 4), stats.getVcpuPinInfo(live.ref, 1, 0)] as Promise<unknown>[]) {
    await t.rejects(call, {
      number: ErrorNumber.NO_DOMAIN,
      domain: ErrorDomain.XEN,
      message: `domain 'g' (${DEFINED}) no longer exists`,
    });
  }
});
