/** vCPU and CPU-time commands: vcpuinfo, vcpucount, cpu-stats. */
import { DomainState, DomainVcpuFlags as V } from '../constants';
import { parseCpuList } from '../cpu-list';
import type { Connection, Domain } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../errors';
import { boolOption, exclusive, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { domainArgument } from './lookup';
import { parseUnsigned } from './numbers';
import { DOMAIN_OPTION, printJson } from './print';
import type { CommandContext, CommandSpec } from './spec';
import { formatTable } from './format';
import { affinityText, cpuListText, formatCpuStats, formatOfflineVcpu, formatVcpu, paramsJson } from './stats-format';

/** How many host CPUs virsh shows affinity for: virNodeGetCPUMap's count, else the node's CPU count. */
async function hostCpuCount(conn: Connection): Promise<number> {
  try {
    return (await conn.getCPUMap()).cpumap.length;
  } catch (err) {
    if (!isXvirtError(err)) throw err;
    return (await conn.getNodeInfo()).cpus;
  }
}

async function vcpuinfoCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const [info, width] = await Promise.all([dom.getInfo(), hostCpuCount(ctx.connection())]);
  if (info.state !== DomainState.SHUTOFF) {
    const vcpus = await dom.getVcpus(info.nrVirtCpu);
    if (ctx.json) {
      printJson(
        ctx,
        vcpus.map((v) => ({
          vcpu: v.number,
          cpu: v.cpu,
          state: v.state,
          cpuTimeNs: v.cpuTimeNs,
          affinity: affinityText(v.cpumap, width),
        })),
      );
    } else ctx.output.out(vcpus.map((v) => formatVcpu(v, affinityText(v.cpumap, width))).join('\n'));
    return 0;
  }
  // Not running: no placement, only the configured affinity (virsh asks virDomainGetVcpuPinInfo too).
  const maps = (await dom.getVcpuPinInfo(V.CONFIG, info.nrVirtCpu)).map((m) => affinityText(m, width));
  if (ctx.json) {
    printJson(
      ctx,
      maps.map((a, n) => ({ vcpu: n, cpu: null, state: null, cpuTimeNs: null, affinity: a })),
    );
  } else ctx.output.out(maps.map((a, n) => formatOfflineVcpu(n, a)).join('\n'));
  return 0;
}

/**
 * `vcpupin DOMAIN VCPU CPULIST`: virsh's pin form. Without --live/--config/--current
 * it calls virDomainPinVcpu, as virsh does, else virDomainPinVcpuFlags.
 */
async function pinVcpu(
  ctx: CommandContext,
  dom: Domain,
  vcpu: number,
  cpulist: string,
  flags: number,
): Promise<number> {
  const width = await hostCpuCount(ctx.connection());
  let map: boolean[] | null;
  if (cpulist.startsWith('r')) map = new Array<boolean>(width).fill(true);
  else {
    // virsh's own line, then (for a list that does not parse) libvirt's bitmap parser's error.
    map = parseCpuList(cpulist, 1024);
    if (!map) {
      ctx.output.err(`error: Invalid cpulist '${cpulist}'\n`);
      throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `Failed to parse bitmap '${cpulist}'`);
    }
    if (!map.includes(true)) throw usageError(`Invalid cpulist '${cpulist}'`);
    const last = map.lastIndexOf(true);
    if (last >= width) throw usageError(`CPU ${last} in cpulist '${cpulist}' exceed the maxcpu ${width}`);
    map = Array.from({ length: width }, (_, c) => map![c] === true);
  }
  if (flags === 0 && !boolOption(ctx.options, 'current')) await dom.pinVcpu(vcpu, map);
  else await dom.pinVcpuFlags(vcpu, map, flags);
  if (ctx.json) printJson(ctx, { vcpu, affinity: cpuListText(map) });
  return 0;
}

/** `vcpupin DOMAIN [--vcpu N] [--cpulist LIST]`: pins with a CPU list, else shows the affinity as virsh does. */
async function vcpupinCommand(ctx: CommandContext): Promise<number> {
  const o = (n: string): boolean => boolOption(ctx.options, n);
  exclusive(ctx.options, 'current', 'live');
  exclusive(ctx.options, 'current', 'config');
  const cpulist = stringOption(ctx.options, 'cpulist');
  if (cpulist === undefined) exclusive(ctx.options, 'live', 'config'); // the query reads one definition
  const vcpuText = stringOption(ctx.options, 'vcpu');
  const vcpu = vcpuText === undefined ? undefined : parseUnsigned(vcpuText, 'vcpu', 0xffffffff);
  if (cpulist !== undefined && vcpu === undefined) throw usageError('vcpupin: Missing vCPU number in pin mode.');
  const flags = (o('live') ? V.LIVE : 0) | (o('config') ? V.CONFIG : 0);
  const dom = await domainArgument(ctx);
  if (cpulist !== undefined) return pinVcpu(ctx, dom, vcpu!, cpulist, flags);
  const width = await hostCpuCount(ctx.connection());
  // virsh checks the state the flags name before counting, with its own words.
  if (flags & V.LIVE && !(await dom.isActive())) throw usageError('cannot get vcpupin for offline domain');
  if (flags & V.CONFIG && !(await dom.isPersistent())) throw usageError('cannot get vcpupin for transient domain');
  const count = await dom.getVcpusFlags(flags | V.MAXIMUM);
  if (vcpu !== undefined && vcpu >= count) {
    const live = flags & V.LIVE || (!(flags & V.CONFIG) && (await dom.isActive()));
    throw usageError(`vcpu ${vcpu} is out of range of ${live ? 'live' : 'persistent'} cpu count ${count}`);
  }
  const rows = (await dom.getVcpuPinInfo(flags, count))
    .map((map, n) => [String(n), cpuListText(map, width)])
    .filter(([n]) => vcpu === undefined || n === String(vcpu));
  if (ctx.json)
    printJson(
      ctx,
      rows.map(([n, list]) => ({ vcpu: Number(n), affinity: list! })),
    );
  else ctx.output.out(formatTable(['VCPU', 'CPU Affinity'], rows));
  return 0;
}

async function vcpucountCommand(ctx: CommandContext): Promise<number> {
  const o = (n: string): boolean => boolOption(ctx.options, n);
  exclusive(ctx.options, 'live', 'config');
  exclusive(ctx.options, 'maximum', 'active');
  exclusive(ctx.options, 'current', 'live');
  exclusive(ctx.options, 'current', 'config');
  const dom = await domainArgument(ctx);
  const anyFlag = o('maximum') || o('active') || o('live') || o('config') || o('current');
  if (anyFlag) {
    let flags = o('maximum') ? V.MAXIMUM : 0;
    if (o('live')) flags |= V.LIVE;
    if (o('config')) flags |= V.CONFIG;
    const count = await dom.getVcpusFlags(flags);
    if (ctx.json) printJson(ctx, { count });
    else ctx.output.out(`${count}\n`);
    return 0;
  }
  const rows: [string, string, number][] = [];
  for (const [what, max] of [
    ['maximum', V.MAXIMUM],
    ['current', 0],
  ] as const) {
    for (const [where, impact] of [
      ['config', V.CONFIG],
      ['live', V.LIVE],
    ] as const) {
      if (where === 'live' && !(await dom.isActive())) continue;
      rows.push([what, where, await dom.getVcpusFlags(max | impact)]);
    }
  }
  if (ctx.json) printJson(ctx, Object.fromEntries(rows.map(([w, p, n]) => [`${w}-${p}`, n])));
  else ctx.output.out(rows.map(([w, p, n]) => `${w.padEnd(12)} ${p.padEnd(12)} ${String(n).padStart(3)}\n`).join(''));
  return 0;
}

/** How many CPUs the domain has statistics for (virsh asks with ncpus 0; xvirt's API answers with every record). */
async function cpuCount(dom: Domain): Promise<number> {
  return (await dom.getCPUStats(0, 4096)).length;
}

async function cpuStatsCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const startText = stringOption(ctx.options, 'start');
  const countText = stringOption(ctx.options, 'count');
  const total = boolOption(ctx.options, 'total');
  const perCpu = !total || startText !== undefined || countText !== undefined;
  const failure = `Failed to retrieve CPU statistics for domain '${dom.name}'`;
  const out: { cpu: number | null; params: Awaited<ReturnType<Domain['getCPUStats']>>[number] }[] = [];
  let text = '';
  if (perCpu) {
    const max = await withContext(ctx, failure, () => cpuCount(dom));
    const start = startText === undefined ? 0 : parseUnsigned(startText, 'start', 0x7fffffff);
    if (start > max - 1) throw usageError(`Start CPU ${start} is out of range (min: 0, max: ${max - 1})`);
    let count = countText === undefined ? max : parseUnsigned(countText, 'count', 0x7fffffff);
    if (start + count > max) {
      count = max - start;
      if (countText !== undefined) text += `Only ${count} CPUs available to show\n`;
    }
    const records = count > 0 ? await withContext(ctx, failure, () => dom.getCPUStats(start, count)) : [];
    records.forEach((params, i) => {
      out.push({ cpu: start + i, params });
      text += formatCpuStats(`CPU${start + i}`, params);
    });
  }
  if (total || (startText === undefined && countText === undefined)) {
    const [params] = await withContext(ctx, failure, () => dom.getCPUStats(-1, 1));
    if (params) {
      out.push({ cpu: null, params });
      text += formatCpuStats('Total', params);
    }
  }
  if (ctx.json)
    printJson(
      ctx,
      out.map((r) => ({ cpu: r.cpu, stats: paramsJson(r.params) })),
    );
  else ctx.output.out(text);
  return 0;
}

export const VCPU_COMMANDS: CommandSpec[] = [
  {
    name: 'vcpuinfo',
    group: 'domain',
    summary: 'detailed domain vcpu information',
    description: 'Returns basic information about the domain virtual CPUs.',
    options: [DOMAIN_OPTION],
    run: vcpuinfoCommand,
  },
  {
    name: 'vcpupin',
    group: 'domain',
    summary: 'control or query domain vcpu affinity',
    description: 'Pin domain VCPUs to host physical CPUs.',
    options: [
      DOMAIN_OPTION,
      { name: 'vcpu', type: 'int', positional: true, help: 'vcpu number' },
      { name: 'cpulist', type: 'string', positional: true, help: 'host cpu number(s) to set, or omit option to query' },
      { name: 'config', type: 'bool', help: 'affect next boot' },
      { name: 'live', type: 'bool', help: 'affect running domain' },
      { name: 'current', type: 'bool', help: 'affect current domain' },
    ],
    run: vcpupinCommand,
  },
  {
    name: 'vcpucount',
    group: 'domain',
    summary: 'domain vcpu counts',
    description: 'Returns the number of virtual CPUs used by the domain.',
    options: [
      DOMAIN_OPTION,
      { name: 'maximum', type: 'bool', help: 'get maximum count of vcpus' },
      { name: 'active', type: 'bool', help: 'get number of currently active vcpus' },
      { name: 'live', type: 'bool', help: 'get value from running domain' },
      { name: 'config', type: 'bool', help: 'get value to be used on next boot' },
      { name: 'current', type: 'bool', help: 'get value according to current domain state' },
    ],
    run: vcpucountCommand,
  },
  {
    name: 'cpu-stats',
    group: 'domain',
    summary: 'show domain cpu statistics',
    description: "Display per-CPU and total statistics about the domain's CPUs.",
    options: [
      DOMAIN_OPTION,
      { name: 'total', type: 'bool', help: 'Show total statistics only' },
      { name: 'start', type: 'int', help: 'Show statistics from this CPU' },
      { name: 'count', type: 'int', help: 'Number of shown CPUs at most' },
    ],
    run: cpuStatsCommand,
  },
];
