/** The command table: every command `xvirt` knows, each with the options all commands share. */
import { CONSOLE_COMMAND } from './commands-console';
import { EVENT_COMMAND } from './commands-event';
import { HOST_COMMANDS } from './commands-host';
import { LIFECYCLE_COMMANDS } from './commands-lifecycle';
import { NODE_STATS_COMMANDS } from './commands-node-stats';
import { QUERY_COMMANDS } from './commands-query';
import { SAVE_COMMANDS } from './commands-save';
import { STATS_COMMANDS } from './commands-stats';
import { TUNING_COMMANDS } from './commands-tuning';
import { VCPU_COMMANDS } from './commands-vcpu';
import { NETWORK_COMMANDS } from './commands-network';
import { POOL_COMMANDS } from './commands-pool';
import { VOLUME_COMMANDS } from './commands-volume';
import { helpCommand } from './help';
import type { CommandSpec, OptionSpec } from './spec';

const JSON_OPTION: OptionSpec = { name: 'json', type: 'bool', help: 'print the result as JSON (see docs/cli.md)' };

function withCommonOptions(c: CommandSpec): CommandSpec {
  return { ...c, options: [...c.options, JSON_OPTION] };
}

export const COMMANDS: readonly CommandSpec[] = [
  ...QUERY_COMMANDS,
  ...LIFECYCLE_COMMANDS,
  ...SAVE_COMMANDS,
  CONSOLE_COMMAND,
  EVENT_COMMAND,
  ...HOST_COMMANDS,
  ...STATS_COMMANDS,
  ...VCPU_COMMANDS,
  ...TUNING_COMMANDS,
  ...NODE_STATS_COMMANDS,
  ...NETWORK_COMMANDS,
  ...POOL_COMMANDS,
  ...VOLUME_COMMANDS,
].map(withCommonOptions).concat(helpCommand(() => COMMANDS));

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
