/**
 * virsh's text layouts of the statistics commands, and their --json shapes.
 * Kept apart from the commands so each layout can be read next to virsh's.
 */
import { DOMAIN_MEMORY_STAT_NAMES, vcpuStateName } from '../constants';
import { TypedParamType as T, type TypedParam } from '../typed-params';
import type { MemoryStat, NodeStat, VcpuInfo } from '../types';
import { formatSeconds } from './format';
import type { JsonValue } from './json';

/** A typed parameter's value as virsh prints it (`--raw`: booleans as 1/0). */
export function paramText(p: TypedParam, raw: boolean): string {
  if (p.type === T.BOOLEAN) return raw ? (p.value ? '1' : '0') : p.value ? 'yes' : 'no';
  if (p.type === T.DOUBLE) return p.value.toFixed(6);
  return String(p.value);
}

export function paramsJson(params: readonly TypedParam[]): JsonValue {
  return Object.fromEntries(params.map((p) => [p.name, p.value]));
}

/** One domstats record: `Domain: 'name'` then `  key=value` lines. */
export function formatStatsRecord(name: string, params: readonly TypedParam[], raw: boolean): string {
  return `Domain: '${name}'\n` + params.map((p) => `  ${p.name}=${paramText(p, raw)}\n`).join('');
}

export function memoryStatName(tag: number): string {
  return DOMAIN_MEMORY_STAT_NAMES[tag] ?? `tag${tag}`;
}

export function formatMemoryStats(stats: readonly MemoryStat[]): string {
  return stats.map((s) => `${memoryStatName(s.tag)} ${s.value}\n`).join('');
}

/** Seconds with nine decimals, as virsh's cpu-stats `%llu.%09llu`. */
function nsSeconds(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** One cpu-stats block: `CPUn:` (or `Total:`) then a tab-indented line per parameter. */
export function formatCpuStats(title: string, params: readonly TypedParam[]): string {
  return (
    `${title}:\n` +
    params
      .map((p) => {
        const timed = p.name.endsWith('_time') && (p.type === T.ULLONG || p.type === T.LLONG);
        return timed
          ? `\t${p.name.padEnd(12)} ${nsSeconds(p.value as bigint).padStart(19)} seconds\n`
          : `\t${p.name.padEnd(12)} ${paramText(p, false)}\n`;
      })
      .join('')
  );
}

/** vcpuinfo's block for a running vCPU; `map` is the affinity as virsh prints it (y/-). */
export function formatVcpu(v: VcpuInfo, map: string): string {
  return (
    `VCPU:           ${v.number}\nCPU:            ${v.cpu}\nState:          ${vcpuStateName(v.state)}\n` +
    `CPU time:       ${formatSeconds(v.cpuTimeNs)}s\nCPU Affinity:   ${map}\n`
  );
}

/** vcpuinfo's block for a vCPU of a domain that is not running (virsh's N/A form, its missing colon included). */
export function formatOfflineVcpu(n: number, map: string): string {
  return (
    `VCPU:           ${n}\nCPU:            N/A\nState:          N/A\n` + `CPU time        N/A\nCPU Affinity:   ${map}\n`
  );
}

export function affinityText(map: readonly boolean[], width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) s += map[i] ? 'y' : '-';
  return s;
}

export { cpuListText } from '../cpu-list';

/** virsh's nodecpustats names for the driver's fields, in its order. */
const NODE_CPU_FIELDS: [string, string][] = [
  ['user', 'user'],
  ['kernel', 'system'],
  ['idle', 'idle'],
  ['iowait', 'iowait'],
  ['intr', 'intr'],
];

/**
 * virsh's `nodecpustats --percent` figures from two samples a second apart:
 * the driver's own utilization when it gives one (usage and idle, whole
 * numbers), else each time's share of the total that passed, usage being
 * user + system. [label, percent] in virsh's order; NaN when no time passed.
 */
export function nodeCpuPercent(first: readonly NodeStat[], second: readonly NodeStat[]): [string, number][] {
  const utilization = first.find((s) => s.field === 'utilization');
  if (utilization)
    return [
      ['usage', Number(utilization.value)],
      ['idle', 100 - Number(utilization.value)],
    ];
  const deltas: [string, number][] = [];
  for (const [field, label] of NODE_CPU_FIELDS) {
    const a = first.find((x) => x.field === field);
    const b = second.find((x) => x.field === field);
    if (a && b) deltas.push([label, Number(BigInt(b.value) - BigInt(a.value))]);
  }
  const total = deltas.reduce((sum, [, d]) => sum + d, 0);
  const busy = deltas.filter(([label]) => label === 'user' || label === 'system').reduce((sum, [, d]) => sum + d, 0);
  return [['usage', (busy / total) * 100], ...deltas.map(([label, d]): [string, number] => [label, (d / total) * 100])];
}

/**
 * The lines virsh prints for them: "%5.1lf%%" (utilization: a whole number);
 * 0/0 is the x86 default NaN, whose sign bit glibc's printf shows as "-nan".
 */
export function formatNodeCpuPercent(figures: readonly [string, number][], whole: boolean): string {
  return figures
    .map(([label, v]) => {
      const text = Number.isNaN(v) ? '-nan' : whole ? String(v) : v.toFixed(1);
      return `${(label + ':').padEnd(15)} ${text.padStart(5)}%\n`;
    })
    .join('');
}

export function formatNodeCpuStats(stats: readonly NodeStat[]): string {
  let text = '';
  for (const [field, label] of NODE_CPU_FIELDS) {
    const s = stats.find((x) => x.field === field);
    if (s) text += `${(label + ':').padEnd(15)} ${String(s.value).padStart(20)}\n`;
  }
  return text;
}

export function formatNodeMemoryStats(stats: readonly NodeStat[]): string {
  return stats.map((s) => `${s.field.padEnd(7)}: ${String(s.value).padStart(20)} KiB\n`).join('');
}

export function nodeStatsJson(stats: readonly NodeStat[]): JsonValue {
  return Object.fromEntries(stats.map((s) => [s.field, s.value]));
}
