/** Small output helpers shared by the command files. */
import type { Domain } from '../connection';
import { XvirtError, isXvirtError } from '../errors';
import { actionJson, toJsonLine, type JsonValue } from './json';
import type { CommandContext, OptionSpec } from './spec';

/** The <domain> argument every domain command takes. */
export const DOMAIN_OPTION: OptionSpec = {
  name: 'domain',
  type: 'string',
  positional: true,
  required: true,
  help: 'domain name, id or uuid',
};

export function printJson(ctx: CommandContext, value: JsonValue): void {
  ctx.output.out(toJsonLine(value));
}

/**
 * Reports a finished state change: virsh's sentence in text mode (unless -q;
 * null when virsh says nothing),
 * `{"action", "domain"}` with --json.
 */
export function reportAction(ctx: CommandContext, dom: Domain, action: string, sentence: string | null): number {
  if (ctx.json) printJson(ctx, actionJson(action, dom.ref));
  else if (!ctx.quiet && sentence !== null) ctx.output.out(sentence + '\n');
  return 0;
}

/**
 * Runs `op`; on failure rethrows the error with `what` in front, so the user
 * reads what failed and why on one line ("Failed to suspend domain 'x': ...").
 */
export async function describeFailure<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!isXvirtError(err)) throw err;
    throw new XvirtError(err.number, err.domain, `${what}: ${err.message}`, { level: err.level, cause: err });
  }
}
