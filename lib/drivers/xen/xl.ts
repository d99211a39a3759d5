/**
 * Xen's own toolstack for what the core does not do itself: building a
 * domain from a definition (`xl create`) and balloon/vCPU changes. Domain
 * XML becomes an xl config file; values are validated and quoted here
 * (device specs in xl-devices.ts).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { diskSpec, vifSpec, type XlDisk, type XlVif } from './xl-devices';

/** What an xl config needs from a domain definition. */
export interface XlDomainConfig {
  name: string;
  /** Canonical lower-case form. */
  uuid: string;
  type: 'pv' | 'pvh' | 'hvm';
  /** Current memory (balloon target) and maximum, in KiB. */
  memoryKiB: number;
  maxMemoryKiB: number;
  vcpus: number;
  /** vCPUs the guest may bring online later (xl's maxvcpus); default: `vcpus`. */
  maxVcpus?: number;
  kernel?: string | null;
  ramdisk?: string | null;
  cmdline?: string | null;
  onPoweroff?: string | null;
  onReboot?: string | null;
  onCrash?: string | null;
  disks?: XlDisk[];
  vifs?: XlVif[];
  /**
   * Each vCPU's pin (its <cputune><vcpupin>) by vCPU id: a CPU list such as
   * "0-1,3", null for an unpinned one; xl's per-vCPU `cpus = [...]`.
   */
  cpus?: (string | null)[];
}

const LIFECYCLE_ACTIONS = new Set([
  'destroy',
  'restart',
  'preserve',
  'rename-restart',
  'coredump-destroy',
  'coredump-restart',
  'soft-reset',
]);

function configError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XEN, detail);
}

/** A double-quoted xl config string; control characters are refused, quotes and backslashes escaped. */
export function xlString(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) throw configError(`${what} contains control characters`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** One vCPU's entry of xl's `cpus` list: its CPU list, or "all" (xl's word for no pinning). */
function cpusItem(pin: string | null): string {
  if (pin === null) return 'all';
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(pin)) throw configError(`vCPU pin '${pin}' is not a CPU list`);
  return pin;
}

export function toXlConfig(c: XlDomainConfig): string {
  if (!/^[A-Za-z0-9_.:+-]{1,64}$/.test(c.name)) {
    throw configError(`domain name '${c.name}' is not usable with xl (letters, digits and _.:+- only, at most 64)`);
  }
  const maxVcpus = c.maxVcpus ?? c.vcpus;
  for (const [v, what] of [
    [c.memoryKiB, 'memory'],
    [c.maxMemoryKiB, 'maximum memory'],
    [c.vcpus, 'vCPU count'],
    [maxVcpus, 'maximum vCPU count'],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw configError(`${what} must be a positive integer, got ${v}`);
  }
  if (c.vcpus > maxVcpus) throw configError(`${c.vcpus} vCPUs exceed the maximum of ${maxVcpus}`);
  if (c.type !== 'hvm' && !c.kernel) throw configError(`a ${c.type} guest needs an <os><kernel> path`);
  const lines = [
    `name = ${xlString(c.name, 'name')}`,
    `uuid = ${xlString(c.uuid, 'uuid')}`,
    `type = ${xlString(c.type, 'type')}`,
    `memory = ${Math.ceil(c.memoryKiB / 1024)}`,
    `maxmem = ${Math.ceil(Math.max(c.maxMemoryKiB, c.memoryKiB) / 1024)}`,
    `vcpus = ${c.vcpus}`,
  ];
  if (maxVcpus > c.vcpus) lines.push(`maxvcpus = ${maxVcpus}`);
  if (c.kernel) lines.push(`kernel = ${xlString(c.kernel, 'kernel')}`);
  if (c.ramdisk) lines.push(`ramdisk = ${xlString(c.ramdisk, 'ramdisk')}`);
  if (c.cmdline) lines.push(`extra = ${xlString(c.cmdline, 'kernel command line')}`);
  for (const [key, v] of [
    ['on_poweroff', c.onPoweroff],
    ['on_reboot', c.onReboot],
    ['on_crash', c.onCrash],
  ] as const) {
    if (!v) continue;
    if (!LIFECYCLE_ACTIONS.has(v)) throw configError(`${key} action '${v}' is not one xl knows`);
    lines.push(`${key} = ${xlString(v, key)}`);
  }
  const list = (specs: string[]) => `[ ${specs.map((spec) => xlString(spec, 'device spec')).join(', ')} ]`;
  if (c.disks?.length) lines.push(`disk = ${list(c.disks.map(diskSpec))}`);
  if (c.vifs?.length) lines.push(`vif = ${list(c.vifs.map((v) => vifSpec(v, c.type === 'hvm')))}`);
  if (c.cpus?.some((pin) => pin !== null)) lines.push(`cpus = ${list(c.cpus.slice(0, maxVcpus).map(cpusItem))}`);
  return lines.join('\n') + '\n';
}

/** The xl binary: $XVIRT_XL, then the one built for the running Xen release, then the usual places; null if none. */
export function findXl(major: number, minor: number): string | null {
  const candidates = [
    process.env.XVIRT_XL,
    `/usr/lib/xen-${major}.${minor}/bin/xl`,
    '/usr/sbin/xl',
    '/usr/local/sbin/xl',
  ];
  return candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? null;
}

/**
 * How long one xl command may run: $XVIRT_XL_TIMEOUT seconds, else 120. A
 * create waits for the device backends' hotplug scripts, which an emulated
 * or overloaded host can take minutes over.
 */
export function xlTimeoutMs(): number {
  const seconds = Number(process.env.XVIRT_XL_TIMEOUT);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 120) * 1000;
}

export class XlRunner {
  readonly path: string;
  readonly available: boolean;

  constructor(xlPath: string | null) {
    this.path = xlPath ?? 'xl';
    this.available = xlPath !== null;
  }

  /** Runs xl; a failure is OPERATION_FAILED carrying xl's own message. */
  run(args: string[]): Promise<string> {
    const timeout = xlTimeoutMs();
    return new Promise((resolve, reject) => {
      execFile(this.path, args, { timeout, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const killed = (err as { killed?: boolean }).killed
          ? `xl was stopped after ${timeout / 1000} s (XVIRT_XL_TIMEOUT)`
          : '';
        const detail = (stderr || killed || err.message).trim().split('\n').slice(-3).join('; ');
        reject(
          XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.XEN, `xl ${args[0]} failed: ${detail}`, {
            cause: err,
          }),
        );
      });
    });
  }

  /** `xl create` from a config text (written to a private temp file, removed afterwards). */
  async create(config: string, paused: boolean): Promise<void> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'xvirt-xl-'));
    const file = path.join(dir, 'domain.cfg');
    try {
      await fs.promises.writeFile(file, config, { mode: 0o600 });
      await this.run(['create', '-q', ...(paused ? ['-p'] : []), file]);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
}
