/** `help`, `COMMAND --help` and `xvirt --help`, laid out like virsh's. */
import { usageError, valueLabel } from './args';
import type { CommandSpec, OptionSpec } from './spec';

const GROUP_TITLES: Record<CommandSpec['group'], string> = {
  domain: 'Domain Management',
  monitor: 'Domain Monitoring',
  events: 'Domain Events',
  host: 'Host and Hypervisor',
  network: 'Networking',
  pool: 'Storage Pool',
  volume: 'Storage Volume',
  shell: 'Shell Commands',
};

function synopsisPart(o: OptionSpec): string {
  const value = valueLabel(o);
  if (o.positional) return o.required ? `<${o.name}>` : `[<${o.name}>]`;
  return o.required ? `--${o.name}${value}` : `[--${o.name}${value}]`;
}

function optionLine(o: OptionSpec): string {
  const value = valueLabel(o);
  const label = o.positional ? `[--${o.name}]${value}` : `--${o.name}${value}`;
  return `    ${label.padEnd(15)}  ${o.help}\n`;
}

export function commandHelp(c: CommandSpec): string {
  let text =
    `  NAME\n    ${c.name} - ${c.summary}\n\n` +
    `  SYNOPSIS\n    ${[c.name, ...c.options.map(synopsisPart)].join(' ')}\n\n` +
    `  DESCRIPTION\n    ${c.description}\n`;
  if (c.options.length > 0) text += `\n  OPTIONS\n${c.options.map(optionLine).join('')}`;
  return text;
}

export function commandList(commands: readonly CommandSpec[], only?: CommandSpec['group']): string {
  let text = '';
  for (const group of Object.keys(GROUP_TITLES) as Array<CommandSpec['group']>) {
    if (only !== undefined && group !== only) continue;
    const members = commands.filter((c) => c.group === group);
    if (members.length === 0) continue;
    text += ` ${GROUP_TITLES[group]} (help keyword '${group}'):\n`;
    text += members.map((c) => `    ${c.name.padEnd(30)} ${c.summary}\n`).join('') + '\n';
  }
  return text;
}

export function programHelp(commands: readonly CommandSpec[]): string {
  return (
    'Usage: xvirt [options]... <command> [args...]\n\n' +
    '  options:\n' +
    '    -c | --connect=URI      hypervisor connection URI (default $XVIRT_DEFAULT_URI, then test:///default)\n' +
    '    -d | --debug=NUM        debug messages on stderr, level [0-4]\n' +
    '    -h | --help             this help\n' +
    '    -q | --quiet            quiet mode\n' +
    '    -r | --readonly         connect readonly\n' +
    '    -v | -V | --version     program version\n\n' +
    '  Every command accepts --json (machine-readable output) and --help.\n\n' +
    '  commands:\n\n' +
    commandList(commands)
  );
}

/** The `help [COMMAND|GROUP]` command over the given command table. */
export function helpCommand(commands: () => Promise<readonly CommandSpec[]>): CommandSpec {
  return {
    name: 'help',
    group: 'shell',
    summary: 'print help',
    connect: false,
    description: 'Prints global help, command specific help, or help for a group of related commands.',
    options: [
      {
        name: 'command',
        type: 'string',
        positional: true,
        help: 'Prints global help, command specific help, or help for a group of related commands',
      },
    ],
    async run(ctx) {
      const topic = ctx.options.get('command');
      const all = await commands();
      if (typeof topic !== 'string') {
        ctx.output.out('Grouping of commands:\n\n' + commandList(all));
        return 0;
      }
      const command = all.find((c) => c.name === topic);
      if (command) {
        ctx.output.out(commandHelp(command));
        return 0;
      }
      if (topic in GROUP_TITLES) {
        ctx.output.out(commandList(all, topic as CommandSpec['group']));
        return 0;
      }
      throw usageError(`command or command group '${topic}' doesn't exist`);
    },
  };
}
