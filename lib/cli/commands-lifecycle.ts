/**
 * Commands that change domains: start, destroy, suspend, resume, shutdown,
 * reboot, define, create, undefine, autostart (setmem, setvcpus: commands-tuning.ts).
 */
import { promises as fs } from 'node:fs';
import { DomainCreateFlags } from '../constants';
import type { Domain } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { errnoText } from '../errno-text';
import { boolOption, stringOption } from './args';
import { INACTIVE_DOMAIN, domainArgument } from './lookup';
import { DOMAIN_OPTION, describeFailure, reportAction } from './print';
import type { CommandSpec, OptionSpec } from './spec';

/**
 * A command that looks a domain up, does one thing to it and reports it:
 * `Domain 'x' <done>` on success, `Failed to <verb> domain 'x': why` on failure.
 */
function simpleAction(
  name: string,
  action: string,
  done: string,
  summary: string,
  act: (dom: Domain) => Promise<void>,
): CommandSpec {
  return {
    name,
    summary,
    group: 'domain',
    options: [DOMAIN_OPTION],
    description: `${summary[0]!.toUpperCase()}${summary.slice(1)}.`,
    async run(ctx) {
      const dom = await domainArgument(ctx);
      await describeFailure(`Failed to ${name} domain '${dom.name}'`, () => act(dom));
      return reportAction(ctx, dom, action, `Domain '${dom.name}' ${done}`);
    },
  };
}

/** Largest domain XML file we read (virsh's limit too): a bigger file is surely not a domain. */
const MAX_XML_FILE = 10 * 1024 * 1024;

/**
 * Reads a domain XML file. Any readable file will do, pipes too
 * (`define /dev/stdin`), but reading stops past MAX_XML_FILE bytes.
 */
export async function readXmlFile(path: string): Promise<string> {
  const failed = (why: string): XvirtError =>
    new XvirtError(ErrorNumber.SYSTEM_ERROR, ErrorDomain.NONE, `Failed to open file '${path}': ${why}`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_XML_FILE) throw failed(`larger than ${MAX_XML_FILE} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof XvirtError) throw err;
    throw failed(errnoText(err as NodeJS.ErrnoException));
  } finally {
    await handle?.close();
  }
}

const FILE_OPTION: OptionSpec = {
  name: 'file',
  type: 'string',
  positional: true,
  required: true,
  help: 'file containing an XML domain description',
};
const PAUSED_OPTION: OptionSpec = { name: 'paused', type: 'bool', help: 'leave the guest paused after creation' };

export const LIFECYCLE_COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    group: 'domain',
    summary: 'start a (previously defined) inactive domain',
    description: 'Start a (previously defined) inactive domain.',
    options: [{ ...DOMAIN_OPTION, help: 'name of the inactive domain' }, PAUSED_OPTION],
    async run(ctx) {
      const dom = await domainArgument(ctx, INACTIVE_DOMAIN);
      if (dom.id >= 0)
        throw new XvirtError(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, 'Domain is already active');
      const flags = boolOption(ctx.options, 'paused') ? DomainCreateFlags.PAUSED : 0;
      await describeFailure(`Failed to start domain '${dom.name}'`, () => dom.create(flags));
      return reportAction(ctx, dom, 'started', `Domain '${dom.name}' started`);
    },
  },
  simpleAction('destroy', 'destroyed', 'destroyed', 'destroy (stop) a domain', (d) => d.destroy()),
  simpleAction('suspend', 'suspended', 'suspended', 'suspend a domain', (d) => d.suspend()),
  simpleAction('resume', 'resumed', 'resumed', 'resume a domain', (d) => d.resume()),
  simpleAction('shutdown', 'shutdown-requested', 'is being shutdown', 'gracefully shutdown a domain', (d) =>
    d.shutdown(),
  ),
  simpleAction('reboot', 'reboot-requested', 'is being rebooted', 'reboot a domain', (d) => d.reboot()),
  simpleAction('undefine', 'undefined', 'has been undefined', 'undefine a domain', (d) => d.undefine()),
  {
    name: 'define',
    group: 'domain',
    summary: "define (but don't start) a domain from an XML file",
    description: 'Define a domain from an XML file; it stays inactive until started.',
    options: [FILE_OPTION],
    async run(ctx) {
      const file = stringOption(ctx.options, 'file')!;
      const xml = await readXmlFile(file);
      const dom = await describeFailure(`Failed to define domain from ${file}`, () => ctx.connection().defineXML(xml));
      return reportAction(ctx, dom, 'defined', `Domain '${dom.name}' defined from ${file}`);
    },
  },
  {
    name: 'create',
    group: 'domain',
    summary: 'create a domain from an XML file',
    description: 'Create and start a transient domain from an XML file.',
    options: [FILE_OPTION, PAUSED_OPTION],
    async run(ctx) {
      const file = stringOption(ctx.options, 'file')!;
      const xml = await readXmlFile(file);
      const flags = boolOption(ctx.options, 'paused') ? DomainCreateFlags.PAUSED : 0;
      const dom = await describeFailure(`Failed to create domain from ${file}`, () =>
        ctx.connection().createXML(xml, flags),
      );
      return reportAction(ctx, dom, 'created', `Domain '${dom.name}' created from ${file}`);
    },
  },
  {
    name: 'autostart',
    group: 'domain',
    summary: 'autostart a domain',
    description: 'Configure a domain to be automatically started at boot (or not, with --disable).',
    options: [DOMAIN_OPTION, { name: 'disable', type: 'bool', help: 'disable autostarting' }],
    async run(ctx) {
      const dom = await domainArgument(ctx);
      const enable = !boolOption(ctx.options, 'disable');
      const mark = enable ? 'mark' : 'unmark';
      await describeFailure(`Failed to ${mark} domain '${dom.name}' as autostarted`, () => dom.setAutostart(enable));
      return reportAction(
        ctx,
        dom,
        enable ? 'autostart-enabled' : 'autostart-disabled',
        `Domain '${dom.name}' ${mark}ed as autostarted`,
      );
    },
  },
];
