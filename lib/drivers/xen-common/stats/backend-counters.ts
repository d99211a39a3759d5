/**
 * Disk and network counters dom0's kernel keeps for each guest device it
 * serves, read from sysfs (world-readable: the proxy driver reads them
 * directly too). Block: the blkback device's statistics
 * (/sys/bus/xen-backend/devices/vbd-<domid>-<devid>/statistics/*).
 * Network: the netback vif's netdev counters (/sys/class/net/vif<domid>.<n>/statistics/*),
 * which count from dom0's side, so receive and transmit swap for the guest.
 * The sysfs root is injectable so host tests read a fake tree.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { vbdName } from './vbd-names';

/** Sectors in blkback's rd_sect/wr_sect are 512 bytes whatever the disk's own sector size. */
const SECTOR_BYTES = 512n;

export interface VbdDevice {
  devid: number;
  /** The guest's name for it (xvda...), or `vbd-<devid>` for a number outside Xen's schemes. */
  name: string;
}

export interface VbdCounters {
  rdReq: bigint;
  rdBytes: bigint;
  wrReq: bigint;
  wrBytes: bigint;
  flReq: bigint;
  /** Requests blkback had to hold back (oo_req), which libvirt reports as errors. */
  errs: bigint;
}

export interface VifCounters {
  rxBytes: bigint;
  rxPackets: bigint;
  rxErrs: bigint;
  rxDrop: bigint;
  txBytes: bigint;
  txPackets: bigint;
  txErrs: bigint;
  txDrop: bigint;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class BackendCounters {
  readonly #root: string;

  /** `sysfsRoot`: where sysfs is mounted ('/sys'; a fake tree in tests). */
  constructor(sysfsRoot = '/sys') {
    this.#root = sysfsRoot;
  }

  async #entries(dir: string): Promise<string[]> {
    try {
      return await fsp.readdir(path.join(this.#root, dir));
    } catch (err) {
      if (isMissing(err)) return []; // no backend driver loaded: no devices
      throw err;
    }
  }

  /** A counter file's value; null when the file is gone (the device went away). */
  async #counter(file: string): Promise<bigint | null> {
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.#root, file), 'latin1');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const t = text.trim();
    if (!/^[0-9]{1,20}$/.test(t))
      throw new Error(`${path.join(this.#root, file)} holds '${t.slice(0, 40)}', not a counter`);
    return BigInt(t);
  }

  /** The block devices blkback serves to `domid`, by device number. */
  async disks(domid: number): Promise<VbdDevice[]> {
    const prefix = `vbd-${domid}-`;
    const out: VbdDevice[] = [];
    for (const e of await this.#entries('bus/xen-backend/devices')) {
      if (!e.startsWith(prefix) || !/^[0-9]{1,10}$/.test(e.slice(prefix.length))) continue;
      const devid = Number(e.slice(prefix.length));
      out.push({ devid, name: vbdName(devid) ?? `vbd-${devid}` });
    }
    return out.sort((a, b) => a.devid - b.devid);
  }

  /** blkback's counters for one device; null when it is not (or no longer) there. */
  async disk(domid: number, devid: number): Promise<VbdCounters | null> {
    const dir = `bus/xen-backend/devices/vbd-${domid}-${devid}/statistics`;
    const names = ['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'f_req', 'oo_req'];
    const v = await Promise.all(names.map((n) => this.#counter(`${dir}/${n}`)));
    if (v.some((x) => x === null)) return null;
    const [rdReq, rdSect, wrReq, wrSect, flReq, ooReq] = v as bigint[];
    return {
      rdReq: rdReq!,
      rdBytes: rdSect! * SECTOR_BYTES,
      wrReq: wrReq!,
      wrBytes: wrSect! * SECTOR_BYTES,
      flReq: flReq!,
      errs: ooReq!,
    };
  }

  /** netback's vif names for `domid` (vif<domid>.<n>), in device order; the -emu taps of HVM guests are not counted. */
  async interfaces(domid: number): Promise<string[]> {
    const re = new RegExp(`^vif${domid}\\.([0-9]{1,5})$`);
    return (await this.#entries('class/net'))
      .map((e) => re.exec(e))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => m[0]);
  }

  /** A vif's counters as the guest sees them (dom0's transmit is the guest's receive); null when it is gone. */
  async vif(name: string): Promise<VifCounters | null> {
    if (!/^vif[0-9]{1,5}\.[0-9]{1,5}$/.test(name)) return null;
    const dir = `class/net/${name}/statistics`;
    const names = [
      'tx_bytes',
      'tx_packets',
      'tx_errors',
      'tx_dropped',
      'rx_bytes',
      'rx_packets',
      'rx_errors',
      'rx_dropped',
    ];
    const v = await Promise.all(names.map((n) => this.#counter(`${dir}/${n}`)));
    if (v.some((x) => x === null)) return null;
    const [rxBytes, rxPackets, rxErrs, rxDrop, txBytes, txPackets, txErrs, txDrop] = v as bigint[];
    return {
      rxBytes: rxBytes!,
      rxPackets: rxPackets!,
      rxErrs: rxErrs!,
      rxDrop: rxDrop!,
      txBytes: txBytes!,
      txPackets: txPackets!,
      txErrs: txErrs!,
      txDrop: txDrop!,
    };
  }
}
