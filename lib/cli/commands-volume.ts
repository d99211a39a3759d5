/**
 * Storage volume commands, as virsh 9.0 prints them: vol-list, vol-info,
 * vol-dumpxml, vol-create, vol-create-as, vol-clone, vol-delete, vol-path,
 * vol-resize.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { StorageVolResizeFlags as R, storageVolTypeName } from '../netstore-constants';
import type { StorageVolume } from '../storage';
import { escapeAttr, escapeText } from '../xml/dom';
import { boolOption, stringOption, usageError } from './args';
import { withContext } from './commands-stats';
import { readXmlFile } from './commands-lifecycle';
import { formatTable, labelled } from './format';
import { poolArgument, volumeArgument } from './netstore-lookup';
import { optional, prettyCapacity, volInfoJson } from './netstore-format';
import { printJson } from './print';
import type { CommandContext, CommandSpec, OptionSpec } from './spec';

const VOL_OPTION: OptionSpec = {
  name: 'vol',
  type: 'string',
  positional: true,
  required: true,
  help: 'vol name, key or path',
};
const POOL_OPTION: OptionSpec = { name: 'pool', type: 'string', help: 'pool name or uuid' };
const POOL_ARGUMENT: OptionSpec = { name: 'pool', type: 'string', positional: true, required: true, help: 'pool name' };
const POWERS = 'kmgtpe';

/** virsh's vshVolSize: bytes with an optional suffix (k, KiB = 1024; KB = 1000; b, bytes). */
function parseSize(ctx: CommandContext, text: string): bigint {
  const m = /^([0-9]+)(.*)$/.exec(text);
  if (!m) throw usageError(`Malformed size ${text}`);
  const suffix = m[2]!.toLowerCase();
  let scale: bigint | null = null;
  if (suffix === '' || suffix === 'b' || suffix === 'byte' || suffix === 'bytes') scale = 1n;
  else if (POWERS.includes(suffix[0]!) && ['', 'ib', 'b'].includes(suffix.slice(1))) {
    scale = (suffix.slice(1) === 'b' ? 1000n : 1024n) ** BigInt(POWERS.indexOf(suffix[0]!) + 1);
  }
  if (scale === null) {
    ctx.output.err(`error: Malformed size ${text}\n`);
    throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `unknown suffix '${m[2]}'`);
  }
  const bytes = BigInt(m[1]!) * scale;
  if (bytes >= 1n << 64n) throw usageError(`Malformed size ${text}`);
  return bytes;
}

function volJson(vol: StorageVolume): { pool: string; name: string; key: string } {
  return { pool: vol.poolName, name: vol.name, key: vol.key };
}

function report(ctx: CommandContext, vol: StorageVolume, action: string, sentence: string): number {
  if (ctx.json) printJson(ctx, { action, volume: volJson(vol) });
  else if (!ctx.quiet) ctx.output.out(sentence + '\n');
  return 0;
}

async function volList(ctx: CommandContext): Promise<number> {
  const pool = await poolArgument(ctx);
  const vols = (await withContext(ctx, 'Failed to list volumes', () => pool.listAllVolumes())).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const details = boolOption(ctx.options, 'details');
  const rows = await Promise.all(
    vols.map(async (v) => ({
      vol: v,
      path: await optional(() => v.getPath()),
      info: details || ctx.json ? await optional(() => v.getInfo()) : null,
    })),
  );
  if (ctx.json) {
    printJson(
      ctx,
      rows.map((r) => ({ ...volJson(r.vol), path: r.path, ...(r.info ? volInfoJson(r.info) : {}) })),
    );
  } else if (!details) {
    ctx.output.out(
      formatTable(
        ['Name', 'Path'],
        rows.map((r) => [r.vol.name, r.path ?? '-']),
        !ctx.quiet,
      ),
    );
  } else {
    ctx.output.out(
      formatTable(
        ['Name', 'Path', 'Type', 'Capacity', 'Allocation'],
        rows.map((r) => [
          r.vol.name,
          r.path ?? '-',
          r.info ? storageVolTypeName(r.info.type) : 'unknown',
          r.info ? prettyCapacity(r.info.capacity) : 'unknown',
          r.info ? prettyCapacity(r.info.allocation) : 'unknown',
        ]),
        !ctx.quiet,
      ),
    );
  }
  return 0;
}

async function volInfo(ctx: CommandContext): Promise<number> {
  const vol = await volumeArgument(ctx);
  const info = await vol.getInfo();
  if (ctx.json) {
    printJson(ctx, { ...volJson(vol), ...volInfoJson(info) });
    return 0;
  }
  const bytes = boolOption(ctx.options, 'bytes');
  const size = (v: bigint): string => (bytes ? `${v} bytes` : prettyCapacity(v));
  ctx.output.out(
    labelled('Name:', vol.name, 15) +
      labelled('Type:', storageVolTypeName(info.type), 15) +
      labelled('Capacity:', size(info.capacity), 15) +
      labelled('Allocation:', size(info.allocation), 15),
  );
  return 0;
}

/** The XML virsh's vol-create-as writes. */
function volumeXml(
  name: string,
  capacity: bigint,
  allocation: bigint | null,
  format: string | null,
  backing: { path: string; format: string | null } | null,
): string {
  let xml = `<volume>\n  <name>${escapeText(name)}</name>\n  <capacity>${capacity}</capacity>\n`;
  if (allocation !== null) xml += `  <allocation>${allocation}</allocation>\n`;
  if (format !== null) xml += `  <target>\n    <format type='${escapeAttr(format)}'/>\n  </target>\n`;
  if (backing) {
    xml += `  <backingStore>\n    <path>${escapeText(backing.path)}</path>\n`;
    if (backing.format !== null) xml += `    <format type='${escapeAttr(backing.format)}'/>\n`;
    xml += '  </backingStore>\n';
  }
  return xml + '</volume>\n';
}

async function volCreateAs(ctx: CommandContext): Promise<number> {
  const pool = await poolArgument(ctx);
  const name = stringOption(ctx.options, 'name')!;
  const capacity = parseSize(ctx, stringOption(ctx.options, 'capacity')!);
  const allocText = stringOption(ctx.options, 'allocation');
  const allocation = allocText === undefined ? null : parseSize(ctx, allocText);
  let backing: { path: string; format: string | null } | null = null;
  const backingName = stringOption(ctx.options, 'backing-vol');
  if (backingName !== undefined) {
    const lookups = [
      () => pool.lookupVolumeByName(backingName),
      () => ctx.connection().lookupStorageVolumeByKey(backingName),
      () => ctx.connection().lookupStorageVolumeByPath(backingName),
    ];
    let found: StorageVolume | null = null;
    for (const lookup of lookups) found ??= await optional(lookup);
    if (!found) throw usageError(`failed to get vol '${backingName}'`);
    backing = { path: await found.getPath(), format: stringOption(ctx.options, 'backing-vol-format') ?? null };
  }
  const xml = volumeXml(name, capacity, allocation, stringOption(ctx.options, 'format') ?? null, backing);
  const vol = await withContext(ctx, `Failed to create vol ${name}`, () =>
    pool.createVolumeXML(xml, boolOption(ctx.options, 'prealloc-metadata') ? 1 : 0),
  );
  return report(ctx, vol, 'created', `Vol ${name} created`);
}

async function volClone(ctx: CommandContext): Promise<number> {
  const orig = await volumeArgument(ctx);
  const pool = await withContext(ctx, 'failed to get parent pool', () => orig.getPool());
  const newName = stringOption(ctx.options, 'newname')!;
  const xml = (await orig.getXMLDesc()).replace(/<name>[^<]*<\/name>/, `<name>${escapeText(newName)}</name>`);
  const vol = await withContext(ctx, `Failed to clone vol from ${orig.name}`, () =>
    pool.createVolumeXMLFrom(xml, orig),
  );
  return report(ctx, vol, 'cloned', `Vol ${newName} cloned from ${orig.name}`);
}

async function volResize(ctx: CommandContext): Promise<number> {
  const vol = await volumeArgument(ctx);
  let text = stringOption(ctx.options, 'capacity')!;
  let flags = (boolOption(ctx.options, 'allocate') ? R.ALLOCATE : 0) | (boolOption(ctx.options, 'delta') ? R.DELTA : 0);
  if (boolOption(ctx.options, 'shrink')) flags |= R.SHRINK;
  const shown = text;
  if (text.startsWith('-')) {
    if (!(flags & R.SHRINK)) throw usageError('negative size requires --shrink');
    text = text.slice(1);
  }
  const capacity = parseSize(ctx, text);
  await withContext(ctx, `Failed to change size of volume '${vol.name}' to ${shown}`, () =>
    vol.resize(capacity, flags),
  );
  if (ctx.json) printJson(ctx, { action: 'resized', volume: volJson(vol), capacity });
  else if (!ctx.quiet) ctx.output.out(`Size of volume '${vol.name}' successfully changed to ${shown}\n`);
  return 0;
}

export const VOLUME_COMMANDS: CommandSpec[] = [
  {
    name: 'vol-list',
    group: 'volume',
    summary: 'list vols',
    description: 'Returns list of vols by pool.',
    options: [POOL_ARGUMENT, { name: 'details', type: 'bool', help: 'display extended details for volumes' }],
    run: volList,
  },
  {
    name: 'vol-info',
    group: 'volume',
    summary: 'storage vol information',
    description: 'Returns basic information about the storage vol.',
    options: [
      VOL_OPTION,
      POOL_OPTION,
      { name: 'bytes', type: 'bool', help: 'sizes are represented in bytes rather than pretty units' },
      { name: 'physical', type: 'bool', help: 'return the physical size of the volume in allocation field' },
    ],
    run: volInfo,
  },
  {
    name: 'vol-dumpxml',
    group: 'volume',
    summary: 'vol information in XML',
    description: 'Output the vol information as an XML dump to stdout.',
    options: [VOL_OPTION, POOL_OPTION],
    async run(ctx) {
      const vol = await volumeArgument(ctx);
      const xml = await vol.getXMLDesc();
      if (ctx.json) printJson(ctx, { xml });
      else ctx.output.out(xml.endsWith('\n') ? xml : xml + '\n');
      return 0;
    },
  },
  {
    name: 'vol-create',
    group: 'volume',
    summary: 'create a vol from an XML file',
    description: 'Create a vol.',
    options: [
      POOL_ARGUMENT,
      {
        name: 'file',
        type: 'string',
        positional: true,
        required: true,
        help: 'file containing an XML vol description',
      },
      { name: 'prealloc-metadata', type: 'bool', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    ],
    async run(ctx) {
      const pool = await poolArgument(ctx);
      const file = stringOption(ctx.options, 'file')!;
      const xml = await readXmlFile(file);
      const vol = await withContext(ctx, `Failed to create vol from ${file}`, () =>
        pool.createVolumeXML(xml, boolOption(ctx.options, 'prealloc-metadata') ? 1 : 0),
      );
      return report(ctx, vol, 'created', `Vol ${vol.name} created from ${file}`);
    },
  },
  {
    name: 'vol-create-as',
    group: 'volume',
    summary: 'create a volume from a set of args',
    description: 'Create a vol.',
    options: [
      POOL_ARGUMENT,
      { name: 'name', type: 'string', positional: true, required: true, help: 'name of the volume' },
      {
        name: 'capacity',
        type: 'string',
        positional: true,
        required: true,
        help: 'size of the vol, as scaled integer (default bytes)',
      },
      { name: 'allocation', type: 'string', help: 'initial allocation size, as scaled integer (default bytes)' },
      { name: 'format', type: 'string', help: 'file format type raw,bochs,qcow,qcow2,qed,vmdk' },
      { name: 'backing-vol', type: 'string', help: 'the backing volume if taking a snapshot' },
      { name: 'backing-vol-format', type: 'string', help: 'format of backing volume if taking a snapshot' },
      { name: 'prealloc-metadata', type: 'bool', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    ],
    run: volCreateAs,
  },
  {
    name: 'vol-clone',
    group: 'volume',
    summary: 'clone a volume.',
    description: 'Clone an existing volume within the parent pool.',
    options: [
      VOL_OPTION,
      { name: 'newname', type: 'string', positional: true, required: true, help: 'clone name' },
      POOL_OPTION,
    ],
    run: volClone,
  },
  {
    name: 'vol-delete',
    group: 'volume',
    summary: 'delete a vol',
    description: 'Delete a given vol.',
    options: [VOL_OPTION, POOL_OPTION],
    async run(ctx) {
      const vol = await volumeArgument(ctx);
      const text = stringOption(ctx.options, 'vol')!;
      await withContext(ctx, `Failed to delete vol ${text}`, () => vol.delete());
      return report(ctx, vol, 'deleted', `Vol ${text} deleted`);
    },
  },
  {
    name: 'vol-path',
    group: 'volume',
    summary: 'returns the volume path for a given volume name or key',
    description: 'Returns the volume path for a given volume name or key.',
    options: [VOL_OPTION, POOL_OPTION],
    async run(ctx) {
      const vol = await volumeArgument(ctx);
      const path = await vol.getPath();
      if (ctx.json) printJson(ctx, { path });
      else ctx.output.out(path + '\n');
      return 0;
    },
  },
  {
    name: 'vol-resize',
    group: 'volume',
    summary: 'resize a vol',
    description: 'Resizes a storage volume.',
    options: [
      VOL_OPTION,
      {
        name: 'capacity',
        type: 'string',
        positional: true,
        required: true,
        help: 'new capacity for the vol, as scaled integer (default bytes)',
      },
      POOL_OPTION,
      { name: 'allocate', type: 'bool', help: 'allocate the new capacity, rather than leaving it sparse' },
      { name: 'delta', type: 'bool', help: 'use capacity as a delta to current size, rather than the new size' },
      { name: 'shrink', type: 'bool', help: 'allow the resize to shrink the volume' },
    ],
    run: volResize,
  },
];
