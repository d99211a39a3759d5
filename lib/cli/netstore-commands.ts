/**
 * The command shapes virsh gives networks and storage pools alike (net-* and
 * pool-*): look the object up and act on it, define or create from an XML
 * file, dump its XML, toggle autostart, and the lifecycle bits of the list
 * filters. commands-network.ts and commands-pool.ts build their commands from
 * these, each naming its noun and lookup once.
 */
import { ListNetworksFlags as F } from '../netstore-constants';
import { boolOption, stringOption } from './args';
import { withContext } from './commands-stats';
import { readXmlFile } from './commands-lifecycle';
import { printJson } from './print';
import type { CommandContext, CommandSpec, OptionSpec } from './spec';

/** What a network or a pool offers to these commands. */
interface ManagedObject {
  readonly name: string;
  readonly uuid: string;
  getXMLDesc(flags?: number): Promise<string>;
  setAutostart(enable: boolean): Promise<void>;
}

export interface ObjectKind<T extends ManagedObject> {
  /** The help group, also the JSON key naming the object ("network", "pool"). */
  group: 'network' | 'pool';
  /** The capitalised noun of virsh's sentences ("Network", "Pool"). */
  title: string;
  /** The positional option that names the object. */
  argument: OptionSpec;
  /** The positional option that names an XML file. */
  file: OptionSpec;
  lookup(ctx: CommandContext): Promise<T>;
}

export interface ObjectCommands<T extends ManagedObject> {
  action(
    name: string,
    verb: string,
    done: string,
    summary: string,
    act: (obj: T, ctx: CommandContext) => Promise<void>,
    extra?: OptionSpec[],
  ): CommandSpec;
  fromFile(
    name: string,
    verb: string,
    done: string,
    summary: string,
    write: (ctx: CommandContext, xml: string) => Promise<T>,
  ): CommandSpec;
  dumpxml(name: string, summary: string, description: string): CommandSpec;
  autostart(name: string, summary: string, description: string): CommandSpec;
}

const sentence = (summary: string): string => `${summary[0]!.toUpperCase()}${summary.slice(1)}.`;

export function objectCommands<T extends ManagedObject>(kind: ObjectKind<T>): ObjectCommands<T> {
  const noun = kind.group;
  /** virsh's sentence for a finished change (unless -q), or `{"action", noun: {name, uuid}}` with --json. */
  const report = (ctx: CommandContext, obj: T, action: string, text: string): number => {
    if (ctx.json) printJson(ctx, { action, [noun]: { name: obj.name, uuid: obj.uuid } });
    else if (!ctx.quiet) ctx.output.out(text + '\n');
    return 0;
  };
  return {
    action: (name, verb, done, summary, act, extra = []) => ({
      name,
      summary,
      group: noun,
      options: [kind.argument, ...extra],
      description: sentence(summary),
      async run(ctx) {
        const obj = await kind.lookup(ctx);
        await withContext(ctx, `Failed to ${verb} ${noun} ${obj.name}`, () => act(obj, ctx));
        return report(ctx, obj, done.split(' ').pop()!, `${kind.title} ${obj.name} ${done}`);
      },
    }),
    fromFile: (name, verb, done, summary, write) => ({
      name,
      summary,
      group: noun,
      options: [kind.file],
      description: sentence(summary),
      async run(ctx) {
        const file = stringOption(ctx.options, 'file')!;
        const xml = await readXmlFile(file);
        const obj = await withContext(ctx, `Failed to ${verb} ${noun} from ${file}`, () => write(ctx, xml));
        return report(ctx, obj, done, `${kind.title} ${obj.name} ${done} from ${file}`);
      },
    }),
    dumpxml: (name, summary, description) => ({
      name,
      group: noun,
      summary,
      description,
      options: [kind.argument, { name: 'inactive', type: 'bool', help: 'show inactive defined XML' }],
      async run(ctx) {
        const obj = await kind.lookup(ctx);
        const xml = await obj.getXMLDesc(boolOption(ctx.options, 'inactive') ? 1 : 0);
        if (ctx.json) printJson(ctx, { xml });
        else ctx.output.out(xml.endsWith('\n') ? xml : xml + '\n');
        return 0;
      },
    }),
    autostart: (name, summary, description) => ({
      name,
      group: noun,
      summary,
      description,
      options: [kind.argument, { name: 'disable', type: 'bool', help: 'disable autostarting' }],
      async run(ctx) {
        const obj = await kind.lookup(ctx);
        const enable = !boolOption(ctx.options, 'disable');
        const mark = enable ? 'mark' : 'unmark';
        await withContext(ctx, `failed to ${mark} ${noun} ${obj.name} as autostarted`, () => obj.setAutostart(enable));
        const action = enable ? 'autostart-enabled' : 'autostart-disabled';
        return report(ctx, obj, action, `${kind.title} ${obj.name} ${mark}ed as autostarted`);
      },
    }),
  };
}

/**
 * The list filter bits networks and pools share (their libvirt enums agree on
 * INACTIVE 1, ACTIVE 2, PERSISTENT 4, TRANSIENT 8, AUTOSTART 16, NO_AUTOSTART 32)
 * from --all/--inactive (default: active only) and the persistence/autostart options.
 */
export function lifecycleListFlags(ctx: CommandContext): number {
  const o = ctx.options;
  let flags = boolOption(o, 'all') ? F.ACTIVE | F.INACTIVE : boolOption(o, 'inactive') ? F.INACTIVE : F.ACTIVE;
  if (boolOption(o, 'persistent')) flags |= F.PERSISTENT;
  if (boolOption(o, 'transient')) flags |= F.TRANSIENT;
  if (boolOption(o, 'autostart')) flags |= F.AUTOSTART;
  if (boolOption(o, 'no-autostart')) flags |= F.NO_AUTOSTART;
  return flags;
}
