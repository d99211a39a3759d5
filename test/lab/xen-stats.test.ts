// Monitoring calls of xen:///system against the real Xen 4.17 (dom0, as root),
// checked against `xl vcpu-list`, `xl list -l` and `xl info`.
import { labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connect } from '../../lib/connection';
import { DomainMemoryStatTag, DomainVcpuFlags, VcpuState } from '../../lib/constants';

const xl = (...args: string[]) => execFileSync('xl', args, { encoding: 'utf8' });

labTest('vCPUs, memory and host figures agree with xl', 120, async () => {
  const c = await connect('xen:///system');
  try {
    const g1 = await c.lookupDomainByName('g1');
    const vcpus = await g1.getVcpus();
    // xl vcpu-list: Name ID VCPU CPU State Time(s) Affinity...
    const rows = xl('vcpu-list', 'g1')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
    assert.equal(vcpus.length, rows.length, 'one entry per vCPU');
    for (const [i, row] of rows.entries()) {
      assert.equal(vcpus[i]!.number, Number(row[2]));
      assert.equal(vcpus[i]!.cpu, Number(row[3]), `vCPU ${i} CPU`);
      const state = row[4]!.replace(/-/g, '');
      assert.equal(
        vcpus[i]!.state,
        state.includes('r') ? VcpuState.RUNNING : state.includes('b') ? VcpuState.BLOCKED : vcpus[i]!.state,
      );
      assert.ok(
        Math.abs(Number(vcpus[i]!.cpuTimeNs) / 1e9 - Number(row[5])) < 2,
        `vCPU ${i} time ${vcpus[i]!.cpuTimeNs} vs ${row[5]} s`,
      );
    }
    const info = JSON.parse(xl('list', '-l', 'g1'))[0];
    const mem = await g1.memoryStats();
    const actual = mem.find((m) => m.tag === DomainMemoryStatTag.ACTUAL_BALLOON)!.value;
    const tot = BigInt(
      execFileSync('xenstore-read', [`/local/domain/${g1.id}/memory/target`], { encoding: 'utf8' }).trim(),
    );
    assert.ok(actual > 0n && actual <= tot + 4096n, `actual ${actual} KiB near the xenstore target ${tot} KiB`);
    assert.equal(await g1.getVcpusFlags(0), info.config.b_info.max_vcpus ?? vcpus.length);
    const xlInfo = Object.fromEntries(
      xl('info')
        .trim()
        .split('\n')
        .map((l) => l.split(/\s*:\s*/, 2) as [string, string]),
    );
    const freeMiB = Number(xlInfo.free_memory);
    const free = await c.getFreeMemory();
    assert.ok(Math.abs(Number(free / 1048576n) - freeMiB) <= 2, `free ${free} B vs xl ${freeMiB} MiB`);
    const node = await c.getNodeMemoryStats(-1);
    assert.equal(Number(node.find((s) => s.field === 'total')!.value / 1024n), Number(xlInfo.total_memory));
    const map = await c.getCPUMap();
    assert.equal(map.online, Number(xlInfo.nr_cpus), 'online CPUs');
    const idle = await c.getNodeCPUStats(-1);
    assert.ok(idle[0]!.field === 'idle' && idle[0]!.value > 0n);
    const all = await c.getAllDomainStats(0, 0);
    const rec = all.find((r) => r.domain.name === 'g1')!.params;
    assert.equal(rec.find((p) => p.name === 'vcpu.current')?.value, vcpus.length);
    assert.equal(rec.find((p) => p.name === 'net.count')?.value, 0, 'the lab guests have no NICs');
  } finally {
    await c.close();
  }
});

/** The hard affinity column of `xl vcpu-list` ("all", "none" or "0-1,3") as a map over `width` CPUs. */
function xlHardAffinity(text: string, width: number): boolean[] {
  const map = new Array<boolean>(width).fill(text === 'all');
  if (text === 'all' || text === 'none') return map;
  for (const part of text.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    for (let c = from; c <= to!; c++) map[c] = true;
  }
  return map;
}

labTest('vCPU affinity agrees with xl vcpu-list, unpinned and after xl vcpu-pin', 120, async () => {
  const c = await connect('xen:///system');
  try {
    const g1 = await c.lookupDomainByName('g1');
    const width = (await c.getCPUMap()).cpumap.length;
    const check = async (what: string) => {
      // xl vcpu-list: Name ID VCPU CPU State Time(s) Hard / Soft
      const xlMaps = xl('vcpu-list', 'g1')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => xlHardAffinity(l.trim().split(/\s+/)[6]!, width));
      const vcpus = await g1.getVcpus();
      assert.deepEqual(
        vcpus.map((v) => v.cpumap),
        xlMaps,
        `${what}: getVcpus cpumaps are xl's hard affinity`,
      );
      assert.deepEqual(await g1.getVcpuPinInfo(DomainVcpuFlags.LIVE), xlMaps, `${what}: getVcpuPinInfo(LIVE)`);
      return xlMaps;
    };
    const unpinned = await check('unpinned');
    assert.ok(
      unpinned.every((m) => m.every(Boolean)),
      'an unpinned vCPU may run on every CPU',
    );
    const last = width - 1;
    xl('vcpu-pin', 'g1', '0', String(last));
    try {
      const pinned = await check('pinned');
      assert.deepEqual(
        pinned[0]!.flatMap((on, cpu) => (on ? [cpu] : [])),
        [last],
        'vCPU 0 pinned to the last CPU',
      );
    } finally {
      xl('vcpu-pin', 'g1', '0', 'all');
    }
    await check('unpinned again');
  } finally {
    await c.close();
  }
});
