/**
 * Command-line parsing, virsh's way: global options first, then a command
 * name, then that command's options in any order. Each mistake becomes one
 * XvirtError whose message reads like virsh's.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import type { CommandSpec, OptionSpec, OptionValues } from './spec';

export function usageError(message: string): XvirtError {
  return new XvirtError(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, message);
}

export interface GlobalOptions {
  uri: string | null;
  readonly: boolean;
  quiet: boolean;
  /** virsh's debug level (0 = most detail), or null when -d was not given. */
  debugLevel: number | null;
  help: boolean;
  version: boolean;
  /** The command name and its arguments (empty when none was given). */
  rest: string[];
}

const GLOBAL_WITH_VALUE: Record<string, 'uri' | 'debug'> = {
  '-c': 'uri',
  '--connect': 'uri',
  '-d': 'debug',
  '--debug': 'debug',
};
const GLOBAL_FLAGS: Record<string, 'readonly' | 'quiet' | 'help' | 'version'> = {
  '-r': 'readonly',
  '--readonly': 'readonly',
  '-q': 'quiet',
  '--quiet': 'quiet',
  '-h': 'help',
  '--help': 'help',
  '-v': 'version',
  '-V': 'version',
  '--version': 'version',
};

/** Parses the options before the command name. */
export function parseGlobalOptions(argv: readonly string[]): GlobalOptions {
  const result: GlobalOptions = {
    uri: null,
    readonly: false,
    quiet: false,
    debugLevel: null,
    help: false,
    version: false,
    rest: [],
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = GLOBAL_FLAGS[name];
    if (flag && eq < 0) {
      result[flag] = true;
      continue;
    }
    const valued = GLOBAL_WITH_VALUE[name];
    if (!valued) throw usageError(`unsupported option '${arg}'. See --help.`);
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw usageError(`option '${name}' requires an argument. See --help.`);
    if (valued === 'uri') {
      result.uri = value;
    } else {
      const level = /^[0-4]$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(level)) throw usageError(`ignoring debug level '${value}': expected 0 to 4`);
      result.debugLevel = level;
    }
  }
  result.rest = argv.slice(i);
  return result;
}

export interface ParsedCommand {
  values: OptionValues;
  /** `--help` was among the command's options. */
  help: boolean;
}

/** The value placeholder help and usage errors print after an option: '' for flags, else ' <number>' or ' <string>'. */
export function valueLabel(spec: OptionSpec): string {
  return spec.type === 'bool' ? '' : ` <${spec.type === 'int' ? 'number' : 'string'}>`;
}

function optionLabel(spec: OptionSpec): string {
  return `--${spec.name}${valueLabel(spec)}`;
}

/** Parses a command's own arguments against its declared options. */
export function parseCommandArgs(command: CommandSpec, args: readonly string[]): ParsedCommand {
  const values: OptionValues = new Map();
  const byName = new Map(command.options.map((o) => [o.name, o]));
  const positionals = command.options.filter((o) => o.positional);
  let help = false;
  let onlyData = false;

  const set = (spec: OptionSpec, value: string | true): void => {
    const seen = values.get(spec.name);
    if (spec.repeated && typeof value === 'string') values.set(spec.name, [...((seen ?? []) as string[]), value]);
    else if (seen !== undefined) throw usageError(`option --${spec.name} already seen`);
    else values.set(spec.name, value);
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!onlyData && arg === '--') {
      onlyData = true;
      continue;
    }
    if (!onlyData && arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      if (name === 'help' && eq < 0) {
        help = true;
        continue;
      }
      const spec = byName.get(name);
      if (!spec) throw usageError(`command '${command.name}' doesn't support option --${name}`);
      if (spec.type === 'bool') {
        if (eq > 0) throw usageError(`option --${name} takes no value`);
        set(spec, true);
      } else if (eq > 0) {
        set(spec, arg.slice(eq + 1));
      } else if (i + 1 < args.length) {
        set(spec, args[++i]!);
      } else {
        throw usageError(`expected syntax: ${optionLabel(spec)}`);
      }
      continue;
    }
    const next = positionals.find((p) => !values.has(p.name) || p.repeated);
    if (!next) throw usageError(`unexpected data '${arg}'`);
    set(next, arg);
  }
  if (!help) {
    for (const spec of command.options) {
      if (!spec.required || values.has(spec.name)) continue;
      throw usageError(
        spec.positional
          ? `command '${command.name}' requires <${spec.name}> option`
          : `command '${command.name}' requires --${spec.name} option`,
      );
    }
  }
  return { values, help };
}

/** The option's text value, or undefined when absent. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a `repeated` option, in order ([] when absent). */
export function listOption(values: OptionValues, name: string): readonly string[] {
  const v = values.get(name);
  return typeof v === 'object' ? v : [];
}

export function boolOption(values: OptionValues, name: string): boolean {
  return values.get(name) === true;
}

/** Throws virsh's "Options --a and --b are mutually exclusive" if both are set. */
export function exclusive(values: OptionValues, a: string, b: string): void {
  if (values.has(a) && values.has(b)) throw usageError(`Options --${a} and --${b} are mutually exclusive`);
}
