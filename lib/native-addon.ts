/**
 * Finding and loading the compiled addon (node-gyp-build), once per process.
 * Apart from lib/native.ts (the Xen facade and its record checks) so that
 * xvirtd's socket helpers (lib/native-sockets.ts) load the addon without the
 * Xen facade's modules: an idle daemon needs only those helpers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';

/** The directory holding binding.gyp (works from lib/, dist/ and dist-lab/lib/). */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) {
      throw XvirtError.of(
        ErrorNumber.INTERNAL_ERROR,
        ErrorDomain.XEN,
        `cannot find the xvirt package root above ${from}`,
      );
    }
  }
}

let binary: unknown = null;

/** The addon's exports, loaded once; a missing build is a clear NO_SUPPORT error. Callers check what they use. */
export function loadAddonBinary(): unknown {
  if (binary) return binary;
  const root = packageRoot();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    binary = nodeGypBuild(root);
  } catch (err) {
    throw XvirtError.of(
      ErrorNumber.NO_SUPPORT,
      ErrorDomain.XEN,
      `the native Xen addon is missing: no prebuild for ${process.platform}-${process.arch} and no local build in ${root}; ` +
        `build it with python3, make and a C/C++ compiler: cd ${root} && npx node-gyp rebuild ` +
        `(docs/xen-direct.md) [${(err as Error).message}]`,
      { cause: err },
    );
  }
  return binary;
}
