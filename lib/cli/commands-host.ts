/** Commands about the host and the connection: nodeinfo, version, uri, hostname, capabilities. */
import { XVIRT_LIB_VERSION } from '../version';
import { boolOption } from './args';
import { formatNodeInfo, formatVersionReport } from './format';
import { nodeInfoJson, versionJson } from './json';
import { printJson } from './print';
import type { CommandContext, CommandSpec } from './spec';

/** Prints a single value: the bare text, or `{key: value}` with --json. */
function printValue(ctx: CommandContext, key: string, value: string): number {
  if (ctx.json) printJson(ctx, { [key]: value });
  else ctx.output.out(value.endsWith('\n') ? value : value + '\n');
  return 0;
}

export const HOST_COMMANDS: CommandSpec[] = [
  {
    name: 'nodeinfo',
    group: 'host',
    options: [],
    summary: 'node information',
    description:
      'Returns basic information about the node, like number and type of CPU, and size of the physical memory.',
    async run(ctx) {
      const info = await ctx.connection().getNodeInfo();
      if (ctx.json) printJson(ctx, nodeInfoJson(info));
      else ctx.output.out(formatNodeInfo(info));
      return 0;
    },
  },
  {
    name: 'version',
    group: 'host',
    options: [{ name: 'daemon', type: 'bool', help: 'report daemon version too' }],
    summary: 'show version',
    description:
      "Display xvirt's version and the hypervisor type and version (and, with --daemon, the serving library's).",
    async run(ctx) {
      const conn = ctx.connection();
      const daemon = boolOption(ctx.options, 'daemon');
      const [hypervisorType, hypervisorVersion, daemonVersion] = await Promise.all([
        conn.getType(),
        conn.getVersion(),
        daemon ? conn.getLibVersion() : null,
      ]);
      const report = { libraryVersion: XVIRT_LIB_VERSION, hypervisorType, hypervisorVersion, daemonVersion };
      if (ctx.json) printJson(ctx, versionJson(report));
      else ctx.output.out(formatVersionReport(report));
      return 0;
    },
  },
  {
    name: 'uri',
    group: 'host',
    options: [],
    summary: 'print the hypervisor canonical URI',
    description: 'Print the canonical URI of the connection.',
    async run(ctx) {
      return printValue(ctx, 'uri', await ctx.connection().getUri());
    },
  },
  {
    name: 'hostname',
    group: 'host',
    options: [],
    summary: 'print the hypervisor hostname',
    description: 'Print the name of the host the hypervisor runs on.',
    async run(ctx) {
      return printValue(ctx, 'hostname', await ctx.connection().getHostname());
    },
  },
  {
    name: 'capabilities',
    group: 'host',
    options: [],
    summary: 'capabilities',
    description: 'Returns the capabilities of the hypervisor/driver, as XML.',
    async run(ctx) {
      const xml = await ctx.connection().getCapabilities();
      // virsh adds a newline after the document, which already ends with one.
      if (ctx.json) printJson(ctx, { xml });
      else ctx.output.out(`${xml}\n`);
      return 0;
    },
  },
];
