/**
 * virsh's text layouts, reproduced so that xvirt and virsh print the same
 * lines for the same facts: vshTable's column arithmetic, `%-15s`/`%-20s`
 * labels, unit spellings.
 */
import { domainStateName, formatVersion, type DomainState } from '../constants';
import type { DomainInfo, NodeInfo } from '../types';

/** Code point ranges a terminal draws two columns wide (Unicode's East Asian Wide and Fullwidth blocks). */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];
const ZERO_WIDTH_RE = /[\p{Mn}\p{Me}\p{Cf}]/u;

/** Terminal columns a string takes, as virsh's table measures them (wcswidth). */
export function displayWidth(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ZERO_WIDTH_RE.test(ch)) continue;
    n += WIDE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi) ? 2 : 1;
  }
  return n;
}

/**
 * A table the way virsh's vshTable draws it: every cell is a space and its
 * text; all but the last cell are padded to the column's widest cell plus
 * two; the rule under the header is the column width plus three, per column.
 * Without a header (virsh -q) the widths come from the rows alone.
 */
export function formatTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  withHeader = true,
): string {
  const widths = header.map((h, col) =>
    Math.max(withHeader ? displayWidth(h) : 0, ...rows.map((r) => displayWidth(r[col] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, col) => {
        const text = ' ' + cell;
        return col === cells.length - 1 ? text : text + ' '.repeat(widths[col]! - displayWidth(cell) + 2);
      })
      .join('') + '\n';
  const rule = '-'.repeat(widths.reduce((sum, w) => sum + w + 3, 0)) + '\n';
  return (withHeader ? line(header) + rule : '') + rows.map(line).join('');
}

/** virsh's `"%-Ns %s"` line. */
export function labelled(label: string, value: string | number, labelWidth: number): string {
  return `${label.padEnd(labelWidth)} ${value}\n`;
}

/** One row of `list`: what virsh needs to sort and print a domain. */
export interface ListRow {
  id: number;
  name: string;
  state: DomainState;
}

/** virsh's order: running domains by id, then inactive ones by name (case-insensitive). */
export function compareListRows(a: ListRow, b: ListRow): number {
  // An inactive id (-1) is the largest unsigned value in virsh's comparison.
  const ida = a.id < 0 ? Infinity : a.id;
  const idb = b.id < 0 ? Infinity : b.id;
  if (ida !== idb) return ida < idb ? -1 : 1;
  const na = a.name.toLowerCase(),
    nb = b.name.toLowerCase();
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export function formatDomainTable(rows: readonly ListRow[], withHeader = true): string {
  return formatTable(
    ['Id', 'Name', 'State'],
    rows.map((r) => [r.id < 0 ? '-' : String(r.id), r.name, domainStateName(r.state)]),
    withHeader,
  );
}

/** Everything `dominfo` shows. Fields a driver could not report are null and their lines are left out (or say "unknown"). */
export interface DomainSummary {
  id: number;
  name: string;
  uuid: string;
  osType: string | null;
  info: DomainInfo;
  persistent: boolean | null;
  autostart: boolean | null;
}

/** The largest value of C's unsigned int: virsh's "no limit" marker for max memory. */
const NO_MEMORY_LIMIT = 0xffffffff;

export function formatDomainInfo(d: DomainSummary): string {
  const L = (label: string, value: string | number): string => labelled(label, value, 15);
  let text = L('Id:', d.id < 0 ? '-' : d.id) + L('Name:', d.name) + L('UUID:', d.uuid);
  if (d.osType !== null) text += L('OS Type:', d.osType);
  text += L('State:', domainStateName(d.info.state)) + L('CPU(s):', d.info.nrVirtCpu);
  if (d.info.cpuTimeNs !== 0n) text += L('CPU time:', `${formatSeconds(d.info.cpuTimeNs)}s`);
  text += L('Max memory:', d.info.maxMemKiB === NO_MEMORY_LIMIT ? 'no limit' : `${d.info.maxMemKiB} KiB`);
  text += L('Used memory:', `${d.info.memoryKiB} KiB`);
  text += L('Persistent:', d.persistent === null ? 'unknown' : d.persistent ? 'yes' : 'no');
  if (d.autostart !== null) text += L('Autostart:', d.autostart ? 'enable' : 'disable');
  // xvirt's drivers keep no managed-save images, so the answer is always no.
  text += L('Managed save:', 'no');
  return text;
}

/** Nanoseconds as seconds with one decimal (virsh's `%.1f`), exact for any 64-bit value. */
export function formatSeconds(ns: bigint): string {
  const tenths = (ns + 50_000_000n) / 100_000_000n;
  return `${tenths / 10n}.${tenths % 10n}`;
}

export function formatNodeInfo(n: NodeInfo): string {
  const L = (label: string, value: string | number): string => labelled(label, value, 20);
  let text = L('CPU model:', n.model) + L('CPU(s):', n.cpus);
  if (n.mhz !== 0) text += L('CPU frequency:', `${n.mhz} MHz`);
  return (
    text +
    L('CPU socket(s):', n.sockets) +
    L('Core(s) per socket:', n.cores) +
    L('Thread(s) per core:', n.threads) +
    L('NUMA cell(s):', n.nodes) +
    L('Memory size:', `${n.memoryKiB} KiB`)
  );
}

export interface VersionReport {
  /** This xvirt's version (libvirt-encoded). */
  libraryVersion: number;
  hypervisorType: string;
  /** 0 when the driver cannot tell. */
  hypervisorVersion: number;
  /** The serving library's version (a remote daemon's), when asked for with --daemon. */
  daemonVersion: number | null;
}

export function formatVersionReport(v: VersionReport): string {
  const lib = formatVersion(v.libraryVersion);
  return (
    `Compiled against library: xvirt ${lib}\n` +
    `Using library: xvirt ${lib}\n` +
    `Using API: ${v.hypervisorType} ${lib}\n` +
    (v.hypervisorVersion === 0
      ? `Cannot extract running ${v.hypervisorType} hypervisor version\n`
      : `Running hypervisor: ${v.hypervisorType} ${formatVersion(v.hypervisorVersion)}\n`) +
    (v.daemonVersion === null ? '' : `Running against daemon: ${formatVersion(v.daemonVersion)}\n`)
  );
}
