/** virsh's --config/--live/--current options and the LIVE/CONFIG flag bits they select. */
import { DomainMemoryModFlags as M } from '../constants';
import { boolOption, exclusive } from './args';
import type { CommandContext, OptionSpec } from './spec';

export const IMPACT_OPTIONS: OptionSpec[] = [
  { name: 'config', type: 'bool', help: 'affect next boot' },
  { name: 'live', type: 'bool', help: 'affect running domain' },
  { name: 'current', type: 'bool', help: 'affect current domain' },
];

/** LIVE/CONFIG bits from the options, or null when none of --config/--live/--current was given. */
export function impactFlags(ctx: CommandContext): number | null {
  exclusive(ctx.options, 'current', 'live');
  exclusive(ctx.options, 'current', 'config');
  const o = (n: string): boolean => boolOption(ctx.options, n);
  if (!o('config') && !o('live') && !o('current')) return null;
  return (o('config') ? M.CONFIG : 0) | (o('live') ? M.LIVE : 0);
}
