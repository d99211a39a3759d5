/**
 * The host tools real-host networks and pools are built with: ip(8) from
 * iproute2, nft(8) from nftables and dnsmasq for managed networks; mount,
 * umount, mkfs and blkid for fs pools. Each is found
 * in the system directories first (xvirtd may run with a narrow PATH) and
 * run without a shell, arguments as an array, so no network field is ever
 * interpreted by one. A missing tool is NO_SUPPORT naming it and its Debian
 * package; a failing one is OPERATION_FAILED with its own message, in the
 * caller's error domain.
 */
import { execFile } from 'node:child_process';
import { constants as fsc, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';

export type HostTool = 'ip' | 'nft' | 'dnsmasq' | 'mount' | 'umount' | 'mkfs' | 'blkid';

const PACKAGES: Record<HostTool, string> = {
  ip: 'iproute2',
  nft: 'nftables',
  dnsmasq: 'dnsmasq-base',
  mount: 'mount',
  umount: 'mount',
  mkfs: 'util-linux',
  blkid: 'util-linux',
};
const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Runs one host tool; resolves with its standard output. */
export type RunHostTool = (tool: HostTool, args: string[], input?: string) => Promise<string>;

async function findTool(tool: HostTool, domain: ErrorDomain): Promise<string> {
  const dirs = [...SYSTEM_DIRS, ...(process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/'))];
  for (const dir of dirs) {
    const file = path.join(dir, tool);
    try {
      await fs.access(file, fsc.X_OK);
      return file;
    } catch {
      // next directory
    }
  }
  throw XvirtError.of(ErrorNumber.NO_SUPPORT, domain, `'${tool}' is not installed (Debian package ${PACKAGES[tool]})`);
}

/** The real runner for `domain`: finds the tool, runs it with a time limit, OPERATION_FAILED with its stderr when it fails. */
export const hostToolRunner =
  (domain: ErrorDomain): RunHostTool =>
  async (tool, args, input) => {
    const file = await findTool(tool, domain);
    return new Promise<string>((resolve, reject) => {
      const child = execFile(
        file,
        args,
        { timeout: 30_000, maxBuffer: 4 << 20, env: { PATH: SYSTEM_DIRS.join(':'), LC_ALL: 'C' } },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const said = (stderr || err.message).trim().split('\n').slice(0, 4).join('; ');
          reject(
            XvirtError.of(
              ErrorNumber.OPERATION_FAILED,
              domain,
              `${tool} ${args.slice(0, 4).join(' ')} failed: ${said}`,
            ),
          );
        },
      );
      // A tool that exits without reading its input fails by its exit status, not by EPIPE here.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });
  };
