/**
 * Disks and network interfaces as xl device specs (the strings in an xl
 * config's `disk = [...]` and `vif = [...]` lists; syntax:
 * xl-disk-configuration(5), xl-network-configuration(5)). xl splits a spec at
 * commas and knows no escapes inside it, so every value is checked here
 * against what it may be: nothing from domain XML can add a key to a spec,
 * end it, or end the config string around it.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

export interface XlDisk {
  /** The backing file or block device (absolute path); for a volume disk, set when the domain starts. */
  target: string;
  /**
   * A storage volume (<disk type='volume'>): resolved to its file in the
   * pool's directory at each start, as libvirt does, so the pool may be
   * defined or started after the domain.
   */
  volume?: { pool: string; name: string };
  format: 'raw' | 'qcow2';
  /** The guest's name for it (xvda, xvdb1...). */
  vdev: string;
  readonly: boolean;
  cdrom: boolean;
  /** 'phy' (dom0 kernel's blkback) or 'qdisk' (QEMU); null lets xl choose. */
  backend: 'phy' | 'qdisk' | null;
}

export interface XlVif {
  mac: string | null;
  /** For an <interface type='network'>, set from the network's bridge when the domain starts. */
  bridge: string | null;
  /** The virtual network of an <interface type='network'>, resolved at each start (as libvirt does). */
  network?: string;
  /** Hotplug script: a name under xl's script directory, or an absolute path. */
  script: string | null;
  /** An emulated NIC model (HVM guests only); null for the PV netfront. */
  model: string | null;
  /** The backend interface's name in dom0. */
  vifname: string | null;
}

function configError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XEN, detail);
}

const UNSAFE_NAMES: Record<string, string> = {
  ',': 'a comma',
  '"': 'a double quote',
  "'": 'a single quote',
  '\\': 'a backslash',
};

/** `value` if it matches `pattern`; first names any character an xl device spec cannot carry. */
function checked(value: string, what: string, pattern: RegExp, expected: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x1f\x7f,"'\\]/.exec(value);
  if (bad) {
    const name = UNSAFE_NAMES[bad[0]] ?? (bad[0] === '\n' ? 'a newline' : 'a control character');
    throw configError(`${what} ${JSON.stringify(value)} contains ${name}, which an xl device spec cannot carry`);
  }
  if (!pattern.test(value)) throw configError(`${what} '${value}' is not usable with xl (expected ${expected})`);
  return value;
}

/** Linux interface names: at most 15 characters (IFNAMSIZ), no '/', no whitespace. */
const IFNAME = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,15}$/;

export function diskSpec(d: XlDisk): string {
  const vdev = checked(d.vdev, 'disk <target dev>', /^xvd[a-z]{1,3}[0-9]{0,2}$/, 'xvd followed by letters, e.g. xvda');
  const target = checked(d.target, `disk ${vdev} source`, /^\/\S(.*\S)?$/, 'an absolute path');
  if (d.backend === 'phy' && d.format !== 'raw')
    throw configError(`disk ${vdev}: the phy backend serves raw images only, not ${d.format}`);
  const parts = [`format=${d.format}`, `vdev=${vdev}`, `access=${d.readonly || d.cdrom ? 'ro' : 'rw'}`];
  if (d.cdrom) parts.push('devtype=cdrom');
  if (d.backend) parts.push(`backendtype=${d.backend}`);
  // Last: xl takes everything after "target=" as the path.
  parts.push(`target=${target}`);
  return parts.join(', ');
}

export function vifSpec(v: XlVif, hvm: boolean): string {
  const parts: string[] = [];
  if (v.mac !== null) {
    const mac = checked(
      v.mac,
      'interface <mac address>',
      /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/,
      'six hex pairs separated by colons',
    );
    if (parseInt(mac.slice(0, 2), 16) & 1) throw configError(`interface <mac address> '${mac}' is a multicast address`);
    parts.push(`mac=${mac.toLowerCase()}`);
  }
  if (v.bridge !== null)
    parts.push(`bridge=${checked(v.bridge, 'interface <source bridge>', IFNAME, 'a network interface name')}`);
  if (v.script !== null) {
    parts.push(
      `script=${checked(v.script, 'interface <script path>', /^[A-Za-z0-9_.+/-]{1,255}$/, 'a script name or path')}`,
    );
  }
  if (v.model !== null) {
    if (!hvm)
      throw configError(
        `interface <model type='${v.model}'> is an emulated NIC, which needs an HVM guest (PV guests use netfront)`,
      );
    parts.push(
      `model=${checked(v.model, 'interface <model type>', /^[A-Za-z0-9_-]{1,32}$/, 'a NIC model name such as e1000')}`,
    );
  }
  if (v.vifname !== null)
    parts.push(`vifname=${checked(v.vifname, 'interface <target dev>', IFNAME, 'a network interface name')}`);
  return parts.join(',');
}
