/**
 * The shapes shared by the CLI's parts: how a command declares its options,
 * what a parsed command line looks like, and what a command handler gets.
 */
import type { Connection } from '../connection';

/**
 * An option, virsh style. `bool` options are flags; `string` and `int` take a
 * value (`--name VALUE` or `--name=VALUE`). A `positional` option may also be
 * given as bare words, filled in declaration order (virsh's DATA options).
 */
export interface OptionSpec {
  name: string;
  type: 'bool' | 'string' | 'int';
  help: string;
  positional?: boolean;
  /** Takes every value given, in order (virsh's ARGV options: `domstats dom1 dom2`); read with listOption. */
  repeated?: boolean;
  required?: boolean;
}

export type OptionValues = Map<string, string | true | readonly string[]>;

/** Where a command writes. Text is written as given (commands add their own newlines). */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  readonly output: CliOutput;
  readonly options: OptionValues;
  /** `--json` was given: write one JSON document (or one per line for events). */
  readonly json: boolean;
  /** `-q`: leave out informational messages such as "Domain 'x' started". */
  readonly quiet: boolean;
  /** The open connection (commands declared with `connect: false` must not use it). */
  connection(): Connection;
  /** Prints a debug message on stderr when `-d` asked for it. */
  debug(message: string): void;
  /** Aborted when the user interrupts (SIGINT): long-running commands stop cleanly. */
  readonly interrupted: AbortSignal;
}

export interface CommandSpec {
  name: string;
  /** One line, shown by `help`. */
  summary: string;
  /** Longer text for `help COMMAND`. */
  description: string;
  group: 'domain' | 'monitor' | 'host' | 'events' | 'network' | 'pool' | 'volume' | 'shell';
  options: OptionSpec[];
  /** False for commands that work without a hypervisor connection (help). */
  connect?: boolean;
  /** The command stops cleanly on SIGINT (through CommandContext.interrupted) instead of being killed. */
  handlesInterrupt?: boolean;
  /** Resolves with the exit status (0 success). Throws XvirtError on failure. */
  run(ctx: CommandContext): Promise<number>;
}
