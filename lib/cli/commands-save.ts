/**
 * Saving a running domain's state to a file and starting it again from one:
 * save, restore, managedsave, managedsave-remove (virsh's words and output).
 * Relative paths are made absolute here, as virsh does: the driver may run
 * in a daemon whose working directory is not the user's.
 */
import * as path from 'node:path';
import { stringOption } from './args';
import { domainArgument } from './lookup';
import { DOMAIN_OPTION, describeFailure, printJson, reportAction } from './print';
import type { CommandSpec, OptionSpec } from './spec';

const fileOption = (help: string): OptionSpec => ({
  name: 'file',
  type: 'string',
  positional: true,
  required: true,
  help,
});
const absolute = (file: string): string => path.resolve(file);

export const SAVE_COMMANDS: CommandSpec[] = [
  {
    name: 'save',
    group: 'domain',
    summary: 'save a domain state to a file',
    description: 'Save the state of a running domain to a file; the domain stops. Restore it with `restore`.',
    options: [DOMAIN_OPTION, fileOption('where to save the data')],
    async run(ctx) {
      const dom = await domainArgument(ctx);
      const file = absolute(stringOption(ctx.options, 'file')!);
      await describeFailure(`Failed to save domain '${dom.name}' to ${file}`, () => dom.save(file));
      return reportAction(ctx, dom, 'saved', `\nDomain '${dom.name}' saved to ${file}`);
    },
  },
  {
    name: 'restore',
    group: 'domain',
    summary: 'restore a domain from a saved state in a file',
    description: 'Start a domain from the state `save` wrote to a file.',
    options: [fileOption('the state to restore')],
    async run(ctx) {
      const file = absolute(stringOption(ctx.options, 'file')!);
      await describeFailure(`Failed to restore domain from ${file}`, () => ctx.connection().restore(file));
      // A restore names no domain (libvirt's API): the JSON says which file came back.
      if (ctx.json) printJson(ctx, { action: 'restored', file });
      else if (!ctx.quiet) ctx.output.out(`Domain restored from ${file}\n`);
      return 0;
    },
  },
  {
    name: 'managedsave',
    group: 'domain',
    summary: 'managed save of a domain state',
    description: 'Save the state of a running domain where the next `start` finds and restores it.',
    options: [DOMAIN_OPTION],
    async run(ctx) {
      const dom = await domainArgument(ctx);
      await describeFailure(`Failed to save domain '${dom.name}' state`, () => dom.managedSave());
      return reportAction(ctx, dom, 'managed-saved', `\nDomain '${dom.name}' state saved by libvirt`);
    },
  },
  {
    name: 'managedsave-remove',
    group: 'domain',
    summary: 'Remove managed save of a domain',
    description: 'Remove the managed save image of a domain, so that its next start boots it.',
    options: [DOMAIN_OPTION],
    async run(ctx) {
      const dom = await domainArgument(ctx);
      const had = await describeFailure(`Failed to check for domain '${dom.name}' managed save image`, () =>
        dom.hasManagedSaveImage(),
      );
      if (had)
        await describeFailure(`Failed to remove managed save image for domain '${dom.name}'`, () =>
          dom.managedSaveRemove(),
        );
      if (ctx.json) {
        printJson(ctx, { action: had ? 'managed-save-removed' : 'none', name: dom.name, uuid: dom.uuid });
      } else if (!ctx.quiet) {
        ctx.output.out(
          had
            ? `Removed managedsave image for domain '${dom.name}'\n`
            : `Domain '${dom.name}' has no manage save image; removal skipped\n`,
        );
      }
      return 0;
    },
  },
];
