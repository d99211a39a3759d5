/**
 * The command table: every command `xvirt` knows, each with the options all commands share.
 * A command's module loads only when that command runs (or when help lists them all):
 * start-up pays for one module, not for every command and what it imports.
 */
import { helpCommand } from './help';
import type { CommandSpec, OptionSpec } from './spec';

const JSON_OPTION: OptionSpec = { name: 'json', type: 'bool', help: 'print the result as JSON (see docs/cli.md)' };

function withCommonOptions(c: CommandSpec): CommandSpec {
  return { ...c, options: [...c.options, JSON_OPTION] };
}

/** One command module: the names it defines (in its order) and how to load it. */
export interface CommandModule {
  names: readonly string[];
  load(): Promise<readonly CommandSpec[]>;
}

/** In `help` order. A unit test checks each `names` against what `load` gives. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    names: ['list', 'dominfo', 'domstate', 'domid', 'domname', 'domuuid', 'dumpxml'],
    load: async () => (await import('./commands-query')).QUERY_COMMANDS,
  },
  {
    names: ['start', 'destroy', 'suspend', 'resume', 'shutdown', 'reboot', 'undefine', 'define', 'create', 'autostart'],
    load: async () => (await import('./commands-lifecycle')).LIFECYCLE_COMMANDS,
  },
  {
    names: ['save', 'restore', 'managedsave', 'managedsave-remove'],
    load: async () => (await import('./commands-save')).SAVE_COMMANDS,
  },
  { names: ['console'], load: async () => [(await import('./commands-console')).CONSOLE_COMMAND] },
  { names: ['event'], load: async () => [(await import('./commands-event')).EVENT_COMMAND] },
  {
    names: ['nodeinfo', 'version', 'uri', 'hostname', 'capabilities'],
    load: async () => (await import('./commands-host')).HOST_COMMANDS,
  },
  {
    names: ['domstats', 'dommemstat', 'domblkstat', 'domifstat'],
    load: async () => (await import('./commands-stats')).STATS_COMMANDS,
  },
  {
    names: ['vcpuinfo', 'vcpupin', 'vcpucount', 'cpu-stats'],
    load: async () => (await import('./commands-vcpu')).VCPU_COMMANDS,
  },
  { names: ['setmem', 'setmaxmem', 'setvcpus'], load: async () => (await import('./commands-tuning')).TUNING_COMMANDS },
  {
    names: ['nodecpustats', 'nodememstats', 'freecell', 'nodecpumap'],
    load: async () => (await import('./commands-node-stats')).NODE_STATS_COMMANDS,
  },
  {
    names: [
      'net-list',
      'net-info',
      'net-dumpxml',
      'net-define',
      'net-create',
      'net-start',
      'net-destroy',
      'net-undefine',
      'net-autostart',
      'net-dhcp-leases',
    ],
    load: async () => (await import('./commands-network')).NETWORK_COMMANDS,
  },
  {
    names: [
      'pool-list',
      'pool-info',
      'pool-dumpxml',
      'pool-define',
      'pool-create',
      'pool-build',
      'pool-start',
      'pool-destroy',
      'pool-delete',
      'pool-undefine',
      'pool-refresh',
      'pool-autostart',
    ],
    load: async () => (await import('./commands-pool')).POOL_COMMANDS,
  },
  {
    names: [
      'vol-list',
      'vol-info',
      'vol-dumpxml',
      'vol-create',
      'vol-create-as',
      'vol-clone',
      'vol-delete',
      'vol-path',
      'vol-resize',
    ],
    load: async () => (await import('./commands-volume')).VOLUME_COMMANDS,
  },
];

const HELP_COMMAND = helpCommand(allCommands);

/** Every command, in help order (loads every command module). */
export async function allCommands(): Promise<readonly CommandSpec[]> {
  const modules = await Promise.all(COMMAND_MODULES.map((m) => m.load()));
  return [...modules.flat().map(withCommonOptions), HELP_COMMAND];
}

/** The command called `name`, loading only the module that defines it. */
export async function findCommand(name: string): Promise<CommandSpec | undefined> {
  if (name === HELP_COMMAND.name) return HELP_COMMAND;
  const module = COMMAND_MODULES.find((m) => m.names.includes(name));
  if (!module) return undefined;
  const command = (await module.load()).find((c) => c.name === name);
  return command && withCommonOptions(command);
}
