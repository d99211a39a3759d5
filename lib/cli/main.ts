/**
 * `xvirt`'s entry point: global options, one command, its exit status.
 * Every failure ends as one `error: ...` line on stderr and a non-zero status;
 * nothing reaches the user as a stack trace.
 */
import type { Connection } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError, isXvirtError } from '../errors';
import { XVIRT_VERSION } from '../version';
import { parseCommandArgs, parseGlobalOptions, usageError } from './args';
import { allCommands, findCommand } from './commands';
import { commandHelp, programHelp } from './help';
import type { CliOutput, CommandContext, CommandSpec } from './spec';

/** Debug messages are virsh's INFO level: shown for -d 0 and -d 1. */
const DEBUG_MESSAGE_LEVEL = 1;

export interface RunOptions {
  output: CliOutput;
  /** Aborts when the user interrupts; commands that handle it stop cleanly. */
  interrupted?: AbortSignal;
  /** Told which command is about to run (the process entry point arms SIGINT with it). */
  onCommand?: (command: CommandSpec) => void;
}

/** The error as the one line virsh would print (messages from peers may hold newlines). */
function errorLine(err: unknown, showStack: boolean): string {
  let message: string;
  if (isXvirtError(err)) message = err.message;
  else message = `internal error: ${err instanceof Error ? err.message : String(err)}`;
  const line = `error: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`;
  // A stack trace helps only with our own bugs, and only when asked for.
  return showStack && !isXvirtError(err) && err instanceof Error && err.stack ? line + `debug: ${err.stack}\n` : line;
}

/** Runs one xvirt command line; resolves with the exit status. Never rejects. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<number> {
  const { output } = options;
  let debugging = false;
  let connection: Connection | null = null;
  try {
    const globals = parseGlobalOptions(argv);
    debugging = globals.debugLevel !== null && globals.debugLevel <= DEBUG_MESSAGE_LEVEL;
    if (globals.version) {
      output.out(`${XVIRT_VERSION}\n`);
      return 0;
    }
    if (globals.help) {
      output.out(programHelp(await allCommands()));
      return 0;
    }
    const [name, ...args] = globals.rest;
    if (name === undefined) throw usageError("no command given; see 'xvirt --help'");
    const command = await findCommand(name);
    if (!command) throw usageError(`unknown command: '${name}'`);
    const parsed = parseCommandArgs(command, args);
    if (parsed.help) {
      output.out(commandHelp(command) + (globals.quiet ? '' : '\n'));
      return 0;
    }
    const debug = (message: string): void => {
      if (debugging) output.err(`debug: ${message}\n`);
    };
    if (command.connect !== false) {
      try {
        // The connection layer (and the driver behind it) loads only for commands that connect.
        const { connect } = await import('../connection');
        connection = await connect(globals.uri, { readonly: globals.readonly });
      } catch (err) {
        if (!isXvirtError(err)) throw err;
        throw new XvirtError(err.number, err.domain, `failed to connect to the hypervisor: ${err.message}`, {
          cause: err,
        });
      }
      debug(
        `connected to ${connection.uri.text} (driver ${connection.driverName}${globals.readonly ? ', read-only' : ''})`,
      );
    }
    const open = connection;
    const json = parsed.values.get('json') === true;
    const ctx: CommandContext = {
      output,
      options: parsed.values,
      json,
      quiet: globals.quiet,
      debug,
      interrupted: options.interrupted ?? new AbortController().signal,
      connection: () => {
        if (!open)
          throw new XvirtError(
            ErrorNumber.INTERNAL_ERROR,
            ErrorDomain.NONE,
            `command '${command.name}' has no connection`,
          );
        return open;
      },
    };
    options.onCommand?.(command);
    // virsh ends every command's output, failed or not, with a blank line (not with -q).
    const blankLine = !json && !globals.quiet;
    try {
      return await command.run(ctx);
    } catch (err) {
      output.err(errorLine(err, debugging));
      return 1;
    } finally {
      if (blankLine) output.out('\n');
    }
  } catch (err) {
    output.err(errorLine(err, debugging));
    return 1;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** The process entry point (bin/xvirt.js). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader went away (`xvirt list | head -1`): nothing left to say to anyone.
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const interrupt = new AbortController();
  let catchInterrupt = false;
  process.on('SIGINT', () => {
    if (catchInterrupt && !interrupt.signal.aborted) interrupt.abort();
    else process.exit(130);
  });
  process.exitCode = await runCli(argv, {
    output: { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) },
    interrupted: interrupt.signal,
    onCommand: (c) => {
      catchInterrupt = c.handlesInterrupt === true;
    },
  });
  process.removeAllListeners('SIGINT');
}
