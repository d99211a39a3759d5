/**
 * Memory and vCPU setters with virsh's --config/--live/--current (and
 * --maximum) options: setmem, setmaxmem, setvcpus. Without any of them the
 * plain virDomainSetMemory/virDomainSetVcpus call is made, as virsh makes it.
 */
import { DomainMemoryModFlags as M, DomainVcpuFlags as V } from '../constants';
import { boolOption, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { IMPACT_OPTIONS, impactFlags } from './impact';
import { domainArgument } from './lookup';
import { parseScaledKiB, parseUnsigned } from './numbers';
import { DOMAIN_OPTION, reportAction } from './print';
import type { CommandSpec, OptionSpec } from './spec';

const SIZE_OPTION: OptionSpec = {
  name: 'size',
  type: 'int',
  positional: true,
  required: true,
  help: 'new memory size, as scaled integer (default KiB)',
};

export const TUNING_COMMANDS: CommandSpec[] = [
  {
    name: 'setmem',
    group: 'domain',
    summary: 'change memory allocation',
    description: 'Change the current memory allocation in the guest domain.',
    options: [DOMAIN_OPTION, SIZE_OPTION, ...IMPACT_OPTIONS],
    async run(ctx) {
      const flags = impactFlags(ctx);
      const kib = parseScaledKiB(stringOption(ctx.options, 'size')!, 'size');
      const dom = await domainArgument(ctx);
      if (flags === null) await dom.setMemory(kib);
      else await dom.setMemoryFlags(kib, flags);
      return reportAction(ctx, dom, 'memory-set', null);
    },
  },
  {
    name: 'setmaxmem',
    group: 'domain',
    summary: 'change maximum memory limit',
    description: 'Change the maximum memory allocation limit in the guest domain.',
    options: [DOMAIN_OPTION, SIZE_OPTION, ...IMPACT_OPTIONS],
    async run(ctx) {
      const flags = (impactFlags(ctx) ?? 0) | M.MAXIMUM;
      const kib = parseScaledKiB(stringOption(ctx.options, 'size')!, 'size');
      const dom = await domainArgument(ctx);
      await withContext(ctx, 'Unable to change MaxMemorySize', () => dom.setMemoryFlags(kib, flags));
      return reportAction(ctx, dom, 'max-memory-set', null);
    },
  },
  {
    name: 'setvcpus',
    group: 'domain',
    summary: 'change number of virtual CPUs',
    description: 'Change the number of virtual CPUs in the guest domain.',
    options: [
      DOMAIN_OPTION,
      { name: 'count', type: 'int', positional: true, required: true, help: 'number of virtual CPUs' },
      { name: 'maximum', type: 'bool', help: 'set maximum limit on next boot' },
      ...IMPACT_OPTIONS,
    ],
    async run(ctx) {
      let flags = impactFlags(ctx);
      if (boolOption(ctx.options, 'maximum')) {
        if (!boolOption(ctx.options, 'config')) throw usageError('Option --config is required by option --maximum');
        flags = (flags ?? 0) | V.MAXIMUM;
      }
      const count = parseUnsigned(stringOption(ctx.options, 'count')!, 'count');
      if (count === 0) throw usageError("Can't set 0 processors for a VM");
      const dom = await domainArgument(ctx);
      if (flags === null) await dom.setVcpus(count);
      else await dom.setVcpusFlags(count, flags);
      return reportAction(ctx, dom, 'vcpus-set', null);
    },
  },
];
