/**
 * Storage pool commands, as virsh 9.0 prints them: pool-list, pool-info,
 * pool-dumpxml, pool-define, pool-create, pool-build, pool-start,
 * pool-destroy, pool-delete, pool-undefine, pool-refresh, pool-autostart.
 */
import { ListStoragePoolsFlags as F, StoragePoolState, storagePoolStateName } from '../netstore-constants';
import type { StoragePoolInfo } from '../netstore-types';
import type { StoragePool } from '../storage';
import { boolOption, exclusive, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { formatTable, labelled } from './format';
import { lifecycleListFlags, objectCommands } from './netstore-commands';
import { poolArgument } from './netstore-lookup';
import { optional, poolInfoJson, prettyCapacity, yesNo } from './netstore-format';
import { printJson } from './print';
import type { CommandContext, CommandSpec, OptionSpec } from './spec';

const POOL_OPTION: OptionSpec = {
  name: 'pool',
  type: 'string',
  positional: true,
  required: true,
  help: 'pool name or uuid',
};
const FILE_OPTION: OptionSpec = {
  name: 'file',
  type: 'string',
  positional: true,
  required: true,
  help: 'file containing an XML pool description',
};
const TYPE_FLAGS: Record<string, number> = {
  dir: F.DIR,
  fs: F.FS,
  netfs: F.NETFS,
  logical: F.LOGICAL,
  disk: F.DISK,
  iscsi: F.ISCSI,
  scsi: F.SCSI,
  mpath: F.MPATH,
  rbd: F.RBD,
  sheepdog: F.SHEEPDOG,
  gluster: F.GLUSTER,
  zfs: F.ZFS,
  vstorage: F.VSTORAGE,
  'iscsi-direct': F.ISCSI_DIRECT,
};

function poolJson(pool: StoragePool): { name: string; uuid: string } {
  return { name: pool.name, uuid: pool.uuid };
}

const POOLS = objectCommands<StoragePool>({
  group: 'pool',
  title: 'Pool',
  argument: POOL_OPTION,
  file: FILE_OPTION,
  lookup: (ctx) => poolArgument(ctx),
});

/** The shared lifecycle filters plus --type's pool-type bits. */
function listFlags(ctx: CommandContext): number {
  let flags = lifecycleListFlags(ctx);
  for (const type of (stringOption(ctx.options, 'type') ?? '').split(',').filter((t) => t !== '')) {
    const bit = TYPE_FLAGS[type];
    if (bit === undefined) throw usageError(`Invalid pool type '${type}'`);
    flags |= bit;
  }
  return flags;
}

interface PoolRow {
  pool: StoragePool;
  info: StoragePoolInfo;
  autostart: boolean | null;
  persistent: boolean | null;
}

function stateWord(info: StoragePoolInfo, details: boolean): string {
  if (details) return storagePoolStateName(info.state);
  return info.state === StoragePoolState.RUNNING ? 'active' : 'inactive';
}

async function poolList(ctx: CommandContext): Promise<number> {
  const shown = ['name', 'uuid', 'details'].filter((f) => boolOption(ctx.options, f));
  if (boolOption(ctx.options, 'name') && boolOption(ctx.options, 'uuid')) {
    throw usageError('Only one argument from --name and --uuid may be specified.');
  }
  exclusive(ctx.options, 'all', 'inactive');
  const flags = listFlags(ctx);
  const pools = (
    await withContext(ctx, 'Failed to list pools', () => ctx.connection().listAllStoragePools(flags))
  ).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows: PoolRow[] = await Promise.all(
    pools.map(async (pool) => ({
      pool,
      info: await pool.getInfo(),
      autostart: await optional(() => pool.getAutostart()),
      persistent: await optional(() => pool.isPersistent()),
    })),
  );
  const details = boolOption(ctx.options, 'details');
  if (ctx.json) {
    printJson(
      ctx,
      rows.map((r) => ({
        ...poolJson(r.pool),
        ...poolInfoJson(r.info),
        autostart: r.autostart,
        persistent: r.persistent,
      })),
    );
  } else if (shown.includes('name') || shown.includes('uuid')) {
    const key = shown.includes('name') ? 'name' : 'uuid';
    ctx.output.out(rows.map((r) => (key === 'name' ? r.pool.name.padEnd(20) : r.pool.uuid.padEnd(36)) + '\n').join(''));
  } else {
    const autostart = (r: PoolRow): string => (r.autostart === null ? 'no autostart' : yesNo(r.autostart));
    const header = [
      'Name',
      'State',
      'Autostart',
      ...(details ? ['Persistent', 'Capacity', 'Allocation', 'Available'] : []),
    ];
    ctx.output.out(
      formatTable(
        header,
        rows.map((r) => {
          const base = [r.pool.name, stateWord(r.info, details), autostart(r)];
          if (!details) return base;
          const running = r.info.state === StoragePoolState.RUNNING;
          const size = (v: bigint): string => (running ? prettyCapacity(v) : '-');
          return [
            ...base,
            r.persistent === null ? 'unknown' : yesNo(r.persistent),
            size(r.info.capacity),
            size(r.info.allocation),
            size(r.info.available),
          ];
        }),
        !ctx.quiet,
      ),
    );
  }
  return 0;
}

async function poolInfo(ctx: CommandContext): Promise<number> {
  const pool = await poolArgument(ctx);
  const info = await withContext(ctx, `Could not retrieve pool information`, () => pool.getInfo());
  const [persistent, autostart] = await Promise.all([
    optional(() => pool.isPersistent()),
    optional(() => pool.getAutostart()),
  ]);
  if (ctx.json) {
    printJson(ctx, { ...poolJson(pool), ...poolInfoJson(info), persistent, autostart });
    return 0;
  }
  let text = labelled('Name:', pool.name, 15) + labelled('UUID:', pool.uuid, 15);
  text += labelled('State:', storagePoolStateName(info.state), 15);
  if (persistent !== null) text += labelled('Persistent:', yesNo(persistent), 15);
  text += labelled('Autostart:', autostart === null ? 'no autostart' : yesNo(autostart), 15);
  if (info.state === StoragePoolState.RUNNING || info.state === StoragePoolState.DEGRADED) {
    const bytes = boolOption(ctx.options, 'bytes');
    const size = (v: bigint): string => (bytes ? String(v) : prettyCapacity(v));
    text += labelled('Capacity:', size(info.capacity), 15) + labelled('Allocation:', size(info.allocation), 15);
    text += labelled('Available:', size(info.available), 15);
  }
  ctx.output.out(text);
  return 0;
}

const BUILD_OPTIONS: OptionSpec[] = [
  { name: 'no-overwrite', type: 'bool', help: 'do not overwrite any existing data' },
  { name: 'overwrite', type: 'bool', help: 'overwrite any existing data' },
];

/** virStoragePoolBuildFlags from --overwrite/--no-overwrite. */
function buildFlags(ctx: CommandContext): number {
  exclusive(ctx.options, 'overwrite', 'no-overwrite');
  return (boolOption(ctx.options, 'no-overwrite') ? 4 : 0) | (boolOption(ctx.options, 'overwrite') ? 8 : 0);
}

/** virStoragePoolCreateFlags: WITH_BUILD (1), WITH_BUILD_OVERWRITE (2), WITH_BUILD_NO_OVERWRITE (4). */
function startFlags(ctx: CommandContext): number {
  const build = buildFlags(ctx);
  return (boolOption(ctx.options, 'build') ? 1 : 0) | (build & 8 ? 2 : 0) | (build & 4 ? 4 : 0);
}

export const POOL_COMMANDS: CommandSpec[] = [
  {
    name: 'pool-list',
    group: 'pool',
    summary: 'list pools',
    description: 'Returns list of pools.',
    options: [
      { name: 'inactive', type: 'bool', help: 'list inactive pools' },
      { name: 'all', type: 'bool', help: 'list inactive & active pools' },
      { name: 'transient', type: 'bool', help: 'list transient pools' },
      { name: 'persistent', type: 'bool', help: 'list persistent pools' },
      { name: 'autostart', type: 'bool', help: 'list pools with autostart enabled' },
      { name: 'no-autostart', type: 'bool', help: 'list pools with autostart disabled' },
      { name: 'type', type: 'string', help: 'only list pool of specified type(s) (if supported)' },
      { name: 'details', type: 'bool', help: 'display extended details for pools' },
      { name: 'uuid', type: 'bool', help: 'list UUID of active pools only' },
      { name: 'name', type: 'bool', help: 'list name of active pools only' },
    ],
    run: poolList,
  },
  {
    name: 'pool-info',
    group: 'pool',
    summary: 'storage pool information',
    description: 'Returns basic information about the storage pool.',
    options: [POOL_OPTION, { name: 'bytes', type: 'bool', help: 'Reture pool info in bytes' }],
    run: poolInfo,
  },
  POOLS.dumpxml('pool-dumpxml', 'pool information in XML', 'Output the pool information as an XML dump to stdout.'),
  POOLS.fromFile(
    'pool-define',
    'define',
    'defined',
    'define an inactive persistent storage pool or modify an existing persistent one from an XML file',
    (ctx, xml) => ctx.connection().defineStoragePoolXML(xml),
  ),
  POOLS.fromFile('pool-create', 'create', 'created', 'create a pool from an XML file', (ctx, xml) =>
    ctx.connection().createStoragePoolXML(xml),
  ),
  POOLS.action('pool-build', 'build', 'built', 'build a pool', (p, ctx) => p.build(buildFlags(ctx)), BUILD_OPTIONS),
  POOLS.action(
    'pool-start',
    'start',
    'started',
    'start a (previously defined) inactive pool',
    (p, ctx) => p.create(startFlags(ctx)),
    [{ name: 'build', type: 'bool', help: 'build the pool as normal' }, ...BUILD_OPTIONS],
  ),
  POOLS.action('pool-destroy', 'destroy', 'destroyed', 'destroy (stop) a pool', (p) => p.destroy()),
  POOLS.action('pool-delete', 'delete', 'deleted', 'delete a pool', (p) => p.delete()),
  POOLS.action('pool-undefine', 'undefine', 'has been undefined', 'undefine an inactive pool', (p) => p.undefine()),
  POOLS.action('pool-refresh', 'refresh', 'refreshed', 'refresh a pool', (p) => p.refresh()),
  POOLS.autostart('pool-autostart', 'autostart a pool', 'Configure a pool to be automatically started at boot.'),
];
