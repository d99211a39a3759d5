/** Domain statistics commands: domstats, dommemstat, domblkstat, domifstat. */
import { DomainMemoryModFlags, DomainStatsTypes as S, GetAllDomainStatsFlags as F } from '../constants';
import type { Domain } from '../connection';
import { ErrorNumber, isXvirtError } from '../errors';
import type { BlockStats, InterfaceStats } from '../types';
import type { TypedParam } from '../typed-params';
import { boolOption, listOption, stringOption, usageError } from './args';
import { IMPACT_OPTIONS, impactFlags } from './impact';
import { parseInt32 } from './numbers';
import { domainJson } from './json';
import { domainArgument, lookupDomain } from './lookup';
import { DOMAIN_OPTION, printJson } from './print';
import type { CommandContext, CommandSpec, OptionSpec } from './spec';
import { formatMemoryStats, formatStatsRecord, memoryStatName, paramsJson } from './stats-format';

/**
 * Runs `op`; when it fails, first prints virsh's own context line
 * (`error: Failed to get block stats ...`), then lets the error's line follow.
 */
export async function withContext<T>(ctx: CommandContext, line: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isXvirtError(err)) ctx.output.err(`error: ${line}\n`);
    throw err;
  }
}

const GROUPS: [string, number, string][] = [
  ['state', S.STATE, 'report domain state'],
  ['cpu-total', S.CPU_TOTAL, 'report domain physical cpu usage'],
  ['balloon', S.BALLOON, 'report domain balloon statistics'],
  ['vcpu', S.VCPU, 'report domain virtual cpu information'],
  ['interface', S.INTERFACE, 'report domain network interface information'],
  ['block', S.BLOCK, 'report domain block device statistics'],
  ['perf', S.PERF, 'report domain perf event statistics'],
  ['iothread', S.IOTHREAD, 'report domain IOThread information'],
  ['memory', S.MEMORY, 'report domain memory usage'],
  ['dirtyrate', S.DIRTYRATE, 'report domain dirty rate information'],
  ['vm', S.VM, 'report hypervisor-specific statistics'],
];
const FILTERS: [string, number][] = [
  ['list-active', F.ACTIVE],
  ['list-inactive', F.INACTIVE],
  ['list-persistent', F.PERSISTENT],
  ['list-transient', F.TRANSIENT],
  ['list-running', F.RUNNING],
  ['list-paused', F.PAUSED],
  ['list-shutoff', F.SHUTOFF],
  ['list-other', F.OTHER],
];
const MODIFIERS: [string, number, string][] = [
  ['backing', F.BACKING, 'add backing chain information to block stats'],
  ['enforce', F.ENFORCE_STATS, 'enforce requested stats parameters'],
  ['nowait', F.NOWAIT, 'report only stats that are accessible instantly'],
];

async function domstatsCommand(ctx: CommandContext): Promise<number> {
  let stats = 0;
  let flags = 0;
  for (const [name, bit] of GROUPS) if (boolOption(ctx.options, name)) stats |= bit;
  for (const [name, bit] of [...FILTERS, ...MODIFIERS]) if (boolOption(ctx.options, name)) flags = (flags | bit) >>> 0;
  const conn = ctx.connection();
  // Each name is looked up in turn, as virsh does: the first unknown one fails the command.
  const named: Domain[] = [];
  for (const name of listOption(ctx.options, 'domain')) named.push(await lookupDomain(conn, name));
  const records =
    named.length === 0 ? await conn.getAllDomainStats(stats, flags) : await conn.getDomainStats(named, stats, flags);
  if (ctx.json) {
    printJson(
      ctx,
      records.map((r) => ({ domain: domainJson(r.domain.ref), params: paramsJson(r.params) })),
    );
  } else {
    const raw = boolOption(ctx.options, 'raw');
    ctx.output.out(records.map((r) => formatStatsRecord(r.domain.name, r.params, raw)).join('\n'));
  }
  return 0;
}

async function dommemstatCommand(ctx: CommandContext): Promise<number> {
  const impact = impactFlags(ctx);
  const dom = await domainArgument(ctx);
  const periodText = stringOption(ctx.options, 'period');
  if (periodText !== undefined) {
    // As virsh: the period is changed instead of printing statistics; no option and a running domain mean LIVE.
    const period = parseInt32(periodText, 'period');
    if (period < 0) throw usageError(`Invalid collection period value '${period}'`);
    const flags = impact ?? ((await dom.isActive()) ? DomainMemoryModFlags.LIVE : 0);
    await withContext(ctx, 'Unable to change balloon collection period.', () =>
      dom.setMemoryStatsPeriod(period, flags),
    );
    if (ctx.json) printJson(ctx, { action: 'memory-stats-period-set', period });
    return 0;
  }
  const failure = `Failed to get memory statistics for domain ${dom.name}`;
  const stats = await withContext(ctx, failure, () => dom.memoryStats());
  if (ctx.json) printJson(ctx, Object.fromEntries(stats.map((s) => [memoryStatName(s.tag), s.value])));
  else ctx.output.out(formatMemoryStats(stats));
  return 0;
}

/**
 * virsh's table for virDomainBlockStatsFlags fields, in its order: the field,
 * its legacy spelling (the field's own when null) and its --human label.
 */
const BLOCK_FIELDS: [string, string | null, string][] = [
  ['rd_operations', 'rd_req', 'number of read operations:'],
  ['rd_bytes', 'rd_bytes', 'number of bytes read:'],
  ['wr_operations', 'wr_req', 'number of write operations:'],
  ['wr_bytes', 'wr_bytes', 'number of bytes written:'],
  ['errs', 'errs', 'error count:'],
  ['flush_operations', null, 'number of flush operations:'],
  ['rd_total_times', null, 'total duration of reads (ns):'],
  ['wr_total_times', null, 'total duration of writes (ns):'],
  ['flush_total_times', null, 'total duration of flushes (ns):'],
];

/** One printed figure: its legacy name, its --human label (null: printed as named), its value. */
type BlockFigure = [string, string | null, bigint | string];

function blockStatsParams(s: BlockStats): BlockFigure[] {
  const legacy: [string, bigint][] = [
    ['rd_req', s.rdReq],
    ['rd_bytes', s.rdBytes],
    ['wr_req', s.wrReq],
    ['wr_bytes', s.wrBytes],
    ['errs', s.errs],
  ];
  return legacy.filter(([, v]) => v >= 0n).map(([name, v]) => [name, BLOCK_FIELDS.find(([, l]) => l === name)![2], v]);
}

/**
 * virDomainBlockStatsFlags first, as virsh: the fields it knows in its order,
 * then any others as the driver named them; drivers without it fall back to
 * virDomainBlockStats.
 */
async function blockFigures(device: string, dom: Domain): Promise<BlockFigure[]> {
  let params: TypedParam[];
  try {
    params = await dom.blockStatsFlags(device);
  } catch (err) {
    if (!isXvirtError(err) || err.number !== ErrorNumber.NO_SUPPORT) throw err;
    return blockStatsParams(await dom.blockStats(device));
  }
  const text = (p: TypedParam): bigint | string => (typeof p.value === 'bigint' ? p.value : String(p.value));
  const out: BlockFigure[] = [];
  for (const [field, legacy, human] of BLOCK_FIELDS) {
    const p = params.find((x) => x.name === field);
    if (p) out.push([legacy ?? field, human, text(p)]);
  }
  for (const p of params) if (!BLOCK_FIELDS.some(([field]) => field === p.name)) out.push([p.name, null, text(p)]);
  return out;
}

async function domblkstatCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const device = stringOption(ctx.options, 'device') ?? '';
  const failure = `Failed to get block stats ${dom.name} ${device}`;
  const figures = await withContext(ctx, failure, () => blockFigures(device, dom));
  if (ctx.json) {
    printJson(ctx, Object.fromEntries(figures.map(([name, , v]) => [name, v])));
  } else if (boolOption(ctx.options, 'human')) {
    // virsh names the device once, then prints each line after an empty device column.
    ctx.output.out(
      `Device: ${device}\n` +
        figures
          .map(([name, human, v]) => (human === null ? ` ${name} ${v}\n` : ` ${human.padEnd(31)} ${v}\n`))
          .join(''),
    );
  } else {
    ctx.output.out(figures.map(([name, , v]) => `${device} ${name} ${v}\n`).join(''));
  }
  return 0;
}

function interfaceParams(s: InterfaceStats): [string, bigint][] {
  return [
    ['rx_bytes', s.rxBytes],
    ['rx_packets', s.rxPackets],
    ['rx_errs', s.rxErrs],
    ['rx_drop', s.rxDrop],
    ['tx_bytes', s.txBytes],
    ['tx_packets', s.txPackets],
    ['tx_errs', s.txErrs],
    ['tx_drop', s.txDrop],
  ];
}

async function domifstatCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const device = stringOption(ctx.options, 'interface')!;
  const failure = `Failed to get interface stats ${dom.name} ${device}`;
  const stats = await withContext(ctx, failure, () => dom.interfaceStats(device));
  const figures = interfaceParams(stats).filter(([, v]) => v >= 0n);
  if (ctx.json) printJson(ctx, Object.fromEntries(figures));
  else ctx.output.out(figures.map(([k, v]) => `${device} ${k} ${v}\n`).join(''));
  return 0;
}

const flag = (name: string, help: string): OptionSpec => ({ name, type: 'bool', help });

export const STATS_COMMANDS: CommandSpec[] = [
  {
    name: 'domstats',
    group: 'monitor',
    summary: 'get statistics about one or multiple domains',
    description: "Gets statistics about one or more (or all) domains: libvirt's typed parameters, group by group.",
    options: [
      ...GROUPS.map(([n, , h]) => flag(n, h)),
      ...FILTERS.map(([n]) => flag(n, `list only ${n.slice(5)} domains`)),
      flag('raw', 'do not pretty-print the fields'),
      ...MODIFIERS.map(([n, , h]) => flag(n, h)),
      {
        name: 'domain',
        type: 'string',
        positional: true,
        repeated: true,
        help: 'list of domains to get stats for',
      },
    ],
    run: domstatsCommand,
  },
  {
    name: 'dommemstat',
    group: 'monitor',
    summary: 'get memory statistics for a domain',
    description: 'Get memory statistics for a running domain.',
    options: [
      DOMAIN_OPTION,
      { name: 'period', type: 'int', help: 'period in seconds to set collection' },
      ...IMPACT_OPTIONS,
    ],
    run: dommemstatCommand,
  },
  {
    name: 'domblkstat',
    group: 'monitor',
    summary: 'get device block stats for a domain',
    description: 'Get device block stats for a running domain.',
    options: [
      DOMAIN_OPTION,
      { name: 'device', type: 'string', positional: true, help: 'block device' },
      { name: 'human', type: 'bool', help: 'print a more human readable output' },
    ],
    run: domblkstatCommand,
  },
  {
    name: 'domifstat',
    group: 'monitor',
    summary: 'get network interface stats for a domain',
    description: 'Get network interface stats for a running domain.',
    options: [
      DOMAIN_OPTION,
      {
        name: 'interface',
        type: 'string',
        positional: true,
        required: true,
        help: 'interface device specified by name or MAC Address',
      },
    ],
    run: domifstatCommand,
  },
];
