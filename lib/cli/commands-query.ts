/** Read-only domain commands: list, dominfo, domstate, domid, domname, domuuid, dumpxml. */
import { DomainXMLFlags, ListDomainsFlags, domainStateName, domainStateReasonName } from '../constants';
import type { Domain } from '../connection';
import { ErrorNumber, isXvirtError } from '../errors';
import { boolOption, exclusive } from './args';
import { compareListRows, formatDomainInfo, formatDomainTable, type DomainSummary } from './format';
import { domainInfoJson, domainStateJson, listEntryJson } from './json';
import { domainArgument } from './lookup';
import { DOMAIN_OPTION, printJson } from './print';
import type { CommandContext, CommandSpec } from './spec';

/** The value of `op`, or null when the driver could not say (virsh leaves such a line out). */
async function optional<T>(op: () => Promise<T>): Promise<T | null> {
  try {
    return await op();
  } catch (err) {
    if (isXvirtError(err)) return null;
    throw err;
  }
}

type ListRow = { dom: Domain; id: number; name: string; state: number };

async function listCommand(ctx: CommandContext): Promise<number> {
  // virsh's order of the fields, whatever the order of the options.
  const fields = (['uuid', 'id', 'name'] as const).filter((f) => boolOption(ctx.options, f));
  for (const f of ['name', 'uuid', 'id']) exclusive(ctx.options, 'table', f);
  const all = boolOption(ctx.options, 'all');
  const inactive = boolOption(ctx.options, 'inactive');
  const flags = all
    ? ListDomainsFlags.ACTIVE | ListDomainsFlags.INACTIVE
    : inactive
      ? ListDomainsFlags.INACTIVE
      : ListDomainsFlags.ACTIVE;
  const domains = await ctx.connection().listAllDomains(flags);
  // All the states asked at once (one round trip's wait on a remote
  // connection, not one per domain); a failure is still the first domain's
  // in listing order, whichever answer came first.
  const states = await Promise.allSettled(domains.map((dom) => dom.getState()));
  const rows: ListRow[] = [];
  for (const [i, dom] of domains.entries()) {
    const answer = states[i]!;
    if (answer.status === 'fulfilled') rows.push({ dom, id: dom.id, name: dom.name, state: answer.value.state });
    // Undefined by someone else since the listing: it is simply no longer there.
    else if (!isXvirtError(answer.reason) || answer.reason.number !== ErrorNumber.NO_DOMAIN) throw answer.reason;
  }
  rows.sort(compareListRows);
  if (ctx.json)
    printJson(
      ctx,
      rows.map((r) => listEntryJson(r.dom.ref, r.state)),
    );
  else if (fields.length === 0) ctx.output.out(formatDomainTable(rows, !ctx.quiet));
  else {
    // Ids alone list running domains only; with other fields an inactive domain's id is '-'.
    const shown = fields.length === 1 && fields[0] === 'id' ? rows.filter((r) => r.id >= 0) : rows;
    const field = {
      uuid: (r: ListRow) => r.dom.uuid,
      id: (r: ListRow) => (r.id < 0 ? '-' : String(r.id)),
      name: (r: ListRow) => r.name,
    };
    ctx.output.out(shown.map((r) => fields.map((f) => field[f](r)).join(' ') + '\n').join(''));
  }
  return 0;
}

async function dominfoCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const [osType, info, persistent, autostart] = await Promise.all([
    optional(() => dom.getOSType()),
    dom.getInfo(),
    optional(() => dom.isPersistent()),
    optional(() => dom.getAutostart()),
  ]);
  const summary: DomainSummary = { id: dom.id, name: dom.name, uuid: dom.uuid, osType, info, persistent, autostart };
  if (ctx.json) printJson(ctx, domainInfoJson(summary));
  else ctx.output.out(formatDomainInfo(summary));
  return 0;
}

async function domstateCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  const state = await dom.getState();
  if (ctx.json) printJson(ctx, domainStateJson(state));
  else if (boolOption(ctx.options, 'reason')) {
    ctx.output.out(`${domainStateName(state.state)} (${domainStateReasonName(state.state, state.reason)})\n`);
  } else ctx.output.out(`${domainStateName(state.state)}\n`);
  return 0;
}

/** domid, domname, domuuid: look the domain up, print one of its identifiers. */
function identityCommand(name: string, key: 'id' | 'name' | 'uuid', summary: string): CommandSpec {
  return {
    name,
    summary,
    group: 'domain',
    options: [DOMAIN_OPTION],
    description: `Print the domain's ${key === 'id' ? "id ('-' when it is not running)" : key}.`,
    async run(ctx) {
      const dom = await domainArgument(ctx);
      const value = key === 'id' ? (dom.id < 0 ? null : dom.id) : dom[key];
      if (ctx.json) printJson(ctx, { [key]: value });
      else ctx.output.out(`${value ?? '-'}\n`);
      return 0;
    },
  };
}

async function dumpxmlCommand(ctx: CommandContext): Promise<number> {
  const dom = await domainArgument(ctx);
  let flags = 0;
  if (boolOption(ctx.options, 'inactive')) flags |= DomainXMLFlags.INACTIVE;
  if (boolOption(ctx.options, 'security-info')) flags |= DomainXMLFlags.SECURE;
  const xml = await dom.getXMLDesc(flags);
  if (ctx.json) printJson(ctx, { xml });
  else ctx.output.out(xml.endsWith('\n') ? xml : xml + '\n');
  return 0;
}

export const QUERY_COMMANDS: CommandSpec[] = [
  {
    name: 'list',
    group: 'monitor',
    summary: 'list domains',
    description: 'Returns list of domains: running ones by default, inactive ones too with --all.',
    options: [
      { name: 'inactive', type: 'bool', help: 'list inactive domains' },
      { name: 'all', type: 'bool', help: 'list inactive & active domains' },
      { name: 'uuid', type: 'bool', help: "list uuid's only" },
      { name: 'name', type: 'bool', help: 'list domain names only' },
      { name: 'id', type: 'bool', help: 'list domain IDs only' },
      { name: 'table', type: 'bool', help: 'list table (default)' },
    ],
    run: listCommand,
  },
  {
    name: 'dominfo',
    group: 'monitor',
    summary: 'domain information',
    description: 'Returns basic information about the domain.',
    options: [DOMAIN_OPTION],
    run: dominfoCommand,
  },
  {
    name: 'domstate',
    group: 'monitor',
    summary: 'domain state',
    description: 'Returns state about a domain.',
    options: [DOMAIN_OPTION, { name: 'reason', type: 'bool', help: 'also print reason for the state' }],
    run: domstateCommand,
  },
  identityCommand('domid', 'id', 'convert a domain name or UUID to domain id'),
  identityCommand('domname', 'name', 'convert a domain id or UUID to domain name'),
  identityCommand('domuuid', 'uuid', 'convert a domain name or id to domain UUID'),
  {
    name: 'dumpxml',
    group: 'domain',
    summary: 'domain information in XML',
    description: 'Output the domain information as an XML dump to stdout.',
    options: [
      DOMAIN_OPTION,
      { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
      { name: 'security-info', type: 'bool', help: 'include security sensitive information in XML dump' },
    ],
    run: dumpxmlCommand,
  },
];
