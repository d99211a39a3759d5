/** Host statistics commands: nodecpustats, nodememstats, freecell, nodecpumap. */
import { boolOption, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { parseUnsigned } from './numbers';
import { printJson } from './print';
import type { CommandContext, CommandSpec } from './spec';
import { setTimeout as delay } from 'node:timers/promises';
import {
  affinityText,
  formatNodeCpuPercent,
  formatNodeCpuStats,
  nodeCpuPercent,
  formatNodeMemoryStats,
  nodeStatsJson,
} from './stats-format';

/** The optional CPU/cell number of nodecpustats/nodememstats/freecell; -1 (all) when absent. */
function cellOrCpu(ctx: CommandContext, name: string): number {
  const text = stringOption(ctx.options, name);
  return text === undefined ? -1 : parseUnsigned(text, name, 0x7fffffff);
}

async function nodecpustatsCommand(ctx: CommandContext): Promise<number> {
  const cpu = cellOrCpu(ctx, 'cpu');
  const sample = () => withContext(ctx, 'Unable to get node cpu stats', () => ctx.connection().getNodeCPUStats(cpu));
  const stats = await sample();
  if (boolOption(ctx.options, 'percent')) {
    // As virsh: a second sample one second later, unless the driver reports utilization itself.
    const whole = stats.some((s) => s.field === 'utilization');
    const figures = nodeCpuPercent(stats, whole ? stats : await delay(1000).then(sample));
    if (ctx.json) printJson(ctx, Object.fromEntries(figures.map(([label, v]) => [label, Number.isNaN(v) ? null : v])));
    else ctx.output.out(formatNodeCpuPercent(figures, whole));
    return 0;
  }
  if (ctx.json) printJson(ctx, nodeStatsJson(stats));
  else ctx.output.out(formatNodeCpuStats(stats));
  return 0;
}

async function nodememstatsCommand(ctx: CommandContext): Promise<number> {
  const cell = cellOrCpu(ctx, 'cell');
  const conn = ctx.connection();
  const stats = await withContext(ctx, 'Unable to get number of memory stats', () => conn.getNodeMemoryStats(cell));
  if (ctx.json) printJson(ctx, nodeStatsJson(stats));
  else ctx.output.out(formatNodeMemoryStats(stats));
  return 0;
}

/** The NUMA cell ids the capabilities list (what virsh's `freecell --all` walks). */
function capabilityCells(caps: string): number[] {
  const topology = /<topology>([\s\S]*?)<\/topology>/.exec(caps)?.[1] ?? '';
  return [...topology.matchAll(/<cell id=['"](\d+)['"]/g)].map((m) => Number(m[1]));
}

async function freecellCommand(ctx: CommandContext): Promise<number> {
  const conn = ctx.connection();
  const cell = cellOrCpu(ctx, 'cellno');
  if (boolOption(ctx.options, 'all')) {
    if (cell >= 0) throw usageError('Options --all and --cellno are mutually exclusive');
    const rows: [number, bigint][] = [];
    for (const id of capabilityCells(await conn.getCapabilities())) {
      const [free] = await conn.getCellsFreeMemory(id, 1);
      rows.push([id, free ?? 0n]);
    }
    const total = rows.reduce((sum, [, b]) => sum + b, 0n);
    if (ctx.json) {
      printJson(ctx, { cells: rows.map(([id, b]) => ({ cell: id, freeKiB: b / 1024n })), totalKiB: total / 1024n });
    } else {
      const line = (label: string, bytes: bigint): string =>
        `${label.padStart(5)}: ${String(bytes / 1024n).padStart(10)} KiB\n`;
      const cells = rows.map(([id, b]) => line(String(id), b)).join('');
      ctx.output.out(cells + '-'.repeat(20) + '\n' + line('Total', total));
    }
    return 0;
  }
  if (cell >= 0) {
    const [free] = await conn.getCellsFreeMemory(cell, 1);
    if (ctx.json) printJson(ctx, { cell, freeKiB: (free ?? 0n) / 1024n });
    else ctx.output.out(`${cell}: ${(free ?? 0n) / 1024n} KiB\n`);
    return 0;
  }
  const free = await conn.getFreeMemory();
  if (ctx.json) printJson(ctx, { totalKiB: free / 1024n });
  else ctx.output.out(`Total: ${free / 1024n} KiB\n`);
  return 0;
}

async function nodecpumapCommand(ctx: CommandContext): Promise<number> {
  const map = await withContext(ctx, 'Unable to get cpu map', () => ctx.connection().getCPUMap());
  const text = affinityText(map.cpumap, map.cpumap.length);
  if (ctx.json) printJson(ctx, { present: map.cpumap.length, online: map.online, map: text });
  else {
    ctx.output.out(
      `CPUs present:   ${map.cpumap.length}\nCPUs online:    ${map.online}\n` + `CPU map:        ${text}\n`,
    );
  }
  return 0;
}

export const NODE_STATS_COMMANDS: CommandSpec[] = [
  {
    name: 'nodecpustats',
    group: 'host',
    summary: 'Prints cpu stats of the node.',
    description: 'Returns cpu stats of the node, in nanoseconds.',
    options: [
      { name: 'cpu', type: 'int', positional: true, help: 'prints specified cpu statistics only.' },
      { name: 'percent', type: 'bool', help: 'prints by percentage during 1 second.' },
    ],
    run: nodecpustatsCommand,
  },
  {
    name: 'nodememstats',
    group: 'host',
    summary: 'Prints memory stats of the node.',
    description: 'Returns memory stats of the node, in kilobytes.',
    options: [{ name: 'cell', type: 'int', positional: true, help: 'prints specified cell statistics only.' }],
    run: nodememstatsCommand,
  },
  {
    name: 'freecell',
    group: 'host',
    summary: 'NUMA free memory',
    description: 'display available free memory for the NUMA cell.',
    options: [
      { name: 'cellno', type: 'int', positional: true, help: 'NUMA cell number' },
      { name: 'all', type: 'bool', help: 'show free memory for all NUMA cells' },
    ],
    run: freecellCommand,
  },
  {
    name: 'nodecpumap',
    group: 'host',
    summary: 'node cpu map',
    description: "Displays the node's total number of CPUs, the number of online CPUs and the list of online CPUs.",
    options: [{ name: 'pretty', type: 'bool', help: 'return human readable output' }],
    run: nodecpumapCommand,
  },
];
