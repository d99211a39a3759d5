/**
 * Virtual network commands, as virsh 9.0 prints them: net-list, net-info,
 * net-dumpxml, net-define, net-create, net-start, net-destroy, net-undefine,
 * net-autostart, net-dhcp-leases.
 */
import type { Network } from '../network';
import { boolOption, exclusive, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { formatTable, labelled } from './format';
import { lifecycleListFlags, objectCommands } from './netstore-commands';
import { networkArgument } from './netstore-lookup';
import { optional, yesNo } from './netstore-format';
import { printJson } from './print';
import type { CommandContext, CommandSpec, OptionSpec } from './spec';

const NETWORK_OPTION: OptionSpec = {
  name: 'network',
  type: 'string',
  positional: true,
  required: true,
  help: 'network name or uuid',
};
const FILE_OPTION: OptionSpec = {
  name: 'file',
  type: 'string',
  positional: true,
  required: true,
  help: 'file containing an XML network description',
};

function netJson(net: Network): { name: string; uuid: string } {
  return { name: net.name, uuid: net.uuid };
}

const NETWORKS = objectCommands<Network>({
  group: 'network',
  title: 'Network',
  argument: NETWORK_OPTION,
  file: FILE_OPTION,
  lookup: networkArgument,
});

async function netList(ctx: CommandContext): Promise<number> {
  const shown = ['table', 'name', 'uuid'].filter((f) => boolOption(ctx.options, f));
  if (shown.length > 1) throw usageError('Only one argument from --table, --name and --uuid may be specified.');
  exclusive(ctx.options, 'all', 'inactive');
  const flags = lifecycleListFlags(ctx);
  const nets = (await withContext(ctx, 'Failed to list networks', () => ctx.connection().listAllNetworks(flags))).sort(
    (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const rows = await Promise.all(
    nets.map(async (n) => ({
      net: n,
      active: await n.isActive(),
      autostart: await optional(() => n.getAutostart()),
      persistent: await n.isPersistent(),
    })),
  );
  if (ctx.json) {
    printJson(
      ctx,
      rows.map((r) => ({ ...netJson(r.net), active: r.active, autostart: r.autostart, persistent: r.persistent })),
    );
  } else if (shown[0] === 'name' || shown[0] === 'uuid') {
    ctx.output.out(rows.map((r) => (shown[0] === 'name' ? r.net.name : r.net.uuid) + '\n').join(''));
  } else {
    ctx.output.out(
      formatTable(
        ['Name', 'State', 'Autostart', 'Persistent'],
        rows.map((r) => [
          r.net.name,
          r.active ? 'active' : 'inactive',
          r.autostart === null ? 'no autostart' : yesNo(r.autostart),
          yesNo(r.persistent),
        ]),
        !ctx.quiet,
      ),
    );
  }
  return 0;
}

async function netInfo(ctx: CommandContext): Promise<number> {
  const net = await networkArgument(ctx);
  const [active, persistent, autostart, bridge] = await Promise.all([
    optional(() => net.isActive()),
    optional(() => net.isPersistent()),
    optional(() => net.getAutostart()),
    optional(() => net.getBridgeName()),
  ]);
  if (ctx.json) {
    printJson(ctx, { ...netJson(net), active, persistent, autostart, bridge });
    return 0;
  }
  let text = labelled('Name:', net.name, 15) + labelled('UUID:', net.uuid, 15);
  const unknown = (v: boolean | null): string => (v === null ? 'unknown' : yesNo(v));
  text += labelled('Active:', unknown(active), 15) + labelled('Persistent:', unknown(persistent), 15);
  text += labelled('Autostart:', autostart === null ? 'no autostart' : yesNo(autostart), 15);
  if (bridge !== null) text += labelled('Bridge:', bridge, 15);
  ctx.output.out(text);
  return 0;
}

export const NETWORK_COMMANDS: CommandSpec[] = [
  {
    name: 'net-list',
    group: 'network',
    summary: 'list networks',
    description: 'Returns list of networks.',
    options: [
      { name: 'inactive', type: 'bool', help: 'list inactive networks' },
      { name: 'all', type: 'bool', help: 'list inactive & active networks' },
      { name: 'persistent', type: 'bool', help: 'list persistent networks' },
      { name: 'transient', type: 'bool', help: 'list transient networks' },
      { name: 'autostart', type: 'bool', help: 'list networks with autostart enabled' },
      { name: 'no-autostart', type: 'bool', help: 'list networks with autostart disabled' },
      { name: 'uuid', type: 'bool', help: "list uuid's only" },
      { name: 'name', type: 'bool', help: 'list network names only' },
      { name: 'table', type: 'bool', help: 'list table (default)' },
    ],
    run: netList,
  },
  {
    name: 'net-info',
    group: 'network',
    summary: 'network information',
    description: 'Returns basic information about the network.',
    options: [NETWORK_OPTION],
    run: netInfo,
  },
  NETWORKS.dumpxml(
    'net-dumpxml',
    'network information in XML',
    'Output the network information as an XML dump to stdout.',
  ),
  NETWORKS.fromFile(
    'net-define',
    'define',
    'defined',
    'define an inactive persistent virtual network from an XML file',
    (ctx, xml) => ctx.connection().defineNetworkXML(xml),
  ),
  NETWORKS.fromFile('net-create', 'create', 'created', 'create a network from an XML file', (ctx, xml) =>
    ctx.connection().createNetworkXML(xml),
  ),
  NETWORKS.action('net-start', 'start', 'started', 'start a (previously defined) inactive network', (n) => n.create()),
  NETWORKS.action('net-destroy', 'destroy', 'destroyed', 'destroy (stop) a network', (n) => n.destroy()),
  NETWORKS.action('net-undefine', 'undefine', 'has been undefined', 'undefine a persistent network', (n) =>
    n.undefine(),
  ),
  NETWORKS.autostart(
    'net-autostart',
    'autostart a network',
    'Configure a network to be automatically started at boot.',
  ),
  {
    name: 'net-dhcp-leases',
    group: 'network',
    summary: 'print lease info for a given network',
    description: 'Print lease info for a given network.',
    options: [NETWORK_OPTION, { name: 'mac', type: 'string', help: 'MAC address' }],
    async run(ctx) {
      const net = await networkArgument(ctx);
      const leases = await withContext(ctx, `Failed to get leases info for ${net.name}`, () =>
        net.getDHCPLeases(stringOption(ctx.options, 'mac') ?? null),
      );
      const sorted = [...leases].sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
      if (ctx.json) {
        printJson(
          ctx,
          sorted.map((l) => ({ ...l, expiryTime: l.expiryTime })),
        );
        return 0;
      }
      ctx.output.out(
        formatTable(
          ['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'],
          sorted.map((l) => [
            new Date(Number(l.expiryTime) * 1000).toISOString().replace('T', ' ').slice(0, 19),
            l.mac,
            l.type === 1 ? 'ipv6' : 'ipv4',
            `${l.ipaddr}/${l.prefix}`,
            l.hostname ?? '-',
            l.clientid ?? '-',
          ]),
          !ctx.quiet,
        ),
      );
      return 0;
    },
  },
];
