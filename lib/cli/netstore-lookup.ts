/**
 * Resolving <network>, <pool> and <vol> arguments as virsh does: a UUID if
 * the text reads as one, then a name; a volume by name in --pool, then by
 * key, then by path. A miss is virsh's "failed to get ..." line, then the
 * last lookup's own error.
 */
import { ErrorNumber, isXvirtError } from '../errors';
import type { Network } from '../network';
import type { StoragePool, StorageVolume } from '../storage';
import { isUuid } from '../uuid';
import type { CommandContext } from './spec';

/** Errors meaning "not found this way": the next way is tried. */
const MISSES = new Set([
  ErrorNumber.NO_NETWORK,
  ErrorNumber.NO_STORAGE_POOL,
  ErrorNumber.NO_STORAGE_VOL,
  ErrorNumber.INVALID_ARG,
  ErrorNumber.OPERATION_INVALID,
]);

/** Tries each lookup in turn; when all miss, prints `error: <failure>` and rethrows the last miss. */
async function firstFound<T>(ctx: CommandContext, failure: string, lookups: Array<() => Promise<T>>): Promise<T> {
  let last: unknown = null;
  for (const lookup of lookups) {
    try {
      return await lookup();
    } catch (err) {
      if (!isXvirtError(err) || !MISSES.has(err.number)) throw err;
      last = err;
    }
  }
  ctx.output.err(`error: ${failure}\n`);
  throw last;
}

function option(ctx: CommandContext, name: string): string {
  const v = ctx.options.get(name);
  return typeof v === 'string' ? v : '';
}

export function networkArgument(ctx: CommandContext): Promise<Network> {
  const text = option(ctx, 'network');
  const conn = ctx.connection();
  const lookups: Array<() => Promise<Network>> = [];
  if (isUuid(text)) lookups.push(() => conn.lookupNetworkByUUID(text));
  lookups.push(() => conn.lookupNetworkByName(text));
  return firstFound(ctx, `failed to get network '${text}'`, lookups);
}

export function lookupPool(ctx: CommandContext, text: string): Promise<StoragePool> {
  const conn = ctx.connection();
  const lookups: Array<() => Promise<StoragePool>> = [];
  if (isUuid(text)) lookups.push(() => conn.lookupStoragePoolByUUID(text));
  lookups.push(() => conn.lookupStoragePoolByName(text));
  return firstFound(ctx, `failed to get pool '${text}'`, lookups);
}

export function poolArgument(ctx: CommandContext, name = 'pool'): Promise<StoragePool> {
  return lookupPool(ctx, option(ctx, name));
}

/** The <vol> argument (or `name`): by name in --pool if given, then by key, then by path. */
export async function volumeArgument(ctx: CommandContext, name = 'vol'): Promise<StorageVolume> {
  const text = option(ctx, name);
  const poolText = ctx.options.get('pool');
  const conn = ctx.connection();
  const lookups: Array<() => Promise<StorageVolume>> = [];
  if (typeof poolText === 'string') {
    const pool = await lookupPool(ctx, poolText);
    lookups.push(() => pool.lookupVolumeByName(text));
  }
  lookups.push(
    () => conn.lookupStorageVolumeByKey(text),
    () => conn.lookupStorageVolumeByPath(text),
  );
  const hint = typeof poolText === 'string' ? '' : ', specifying --pool might help';
  return firstFound(ctx, `failed to get vol '${text}'${hint}`, lookups);
}
