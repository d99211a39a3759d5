/**
 * Xen's virtual block device numbers and the names guests know them by
 * (xvda, hdb1, sdc, xvdaa...), both ways, following Xen's vbd-interface
 * numbering: xvd disks 0-15 as (202 << 8) | disk << 4 | part, larger xvd
 * disks as (1 << 28) | disk << 8 | part, IDE hd as major 3/22 and SCSI sd as major 8.
 */

/** 'a' -> 0, 'z' -> 25, 'aa' -> 26 (the letters of sd/xvd disk names). */
function diskIndex(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

function diskLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(97 + ((n - 1) % 26)) + s;
  return s;
}

/** The device number of a disk name, or null when the name is not one Xen numbers. */
export function vbdNumber(name: string): number | null {
  const m = /^(xvd|hd|sd)([a-z]{1,4})([1-9][0-9]{0,2})?$/.exec(name);
  if (!m) return null;
  const disk = diskIndex(m[2]!);
  const part = m[3] ? Number(m[3]) : 0;
  switch (m[1]) {
    case 'xvd':
      if (disk <= 15 && part <= 15) return (202 << 8) | (disk << 4) | part;
      return disk < 1 << 20 && part <= 255 ? ((1 << 28) | (disk << 8) | part) >>> 0 : null;
    case 'hd':
      return disk <= 3 && part <= 63 ? ((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | part : null;
    default:
      return disk <= 15 && part <= 15 ? (8 << 8) | (disk << 4) | part : null;
  }
}

/** The disk name of a device number, or null for a number outside Xen's schemes. */
export function vbdName(devid: number): string | null {
  const name = (prefix: string, disk: number, part: number) => `${prefix}${diskLetters(disk)}${part ? part : ''}`;
  if (devid >>> 28 === 1) return name('xvd', (devid >>> 8) & 0xfffff, devid & 0xff);
  if (devid >>> 16 !== 0) return null;
  const major = devid >>> 8;
  if (major === 202) return name('xvd', (devid >>> 4) & 15, devid & 15);
  if (major === 8) return name('sd', (devid >>> 4) & 15, devid & 15);
  if (major === 3 || major === 22) return name('hd', (major === 22 ? 2 : 0) + ((devid >>> 6) & 1), devid & 63);
  return null;
}
