/**
 * Finding, checking and starting the setuid helper. npm cannot install a
 * setuid-root file, so the helper lives at a fixed path a root step fills
 * (scripts/install-proxy); before running it we check that nobody but root
 * could have written it, and that it is really setuid root.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

export const DEFAULT_HELPER_PATH = '/usr/local/libexec/xvirt/xvirt-proxy';
export const DEFAULT_SOCKET_PATH = '/run/xvirt/proxy.sock';
/** How long a starting helper may take to report "ready" (the Xen lab runs under emulation). */
const START_TIMEOUT_MS = 20_000;

export interface ProxyPaths {
  helper: string;
  socket: string;
}

/** $XVIRT_PROXY_HELPER / $XVIRT_PROXY_SOCKET (tests, custom installs), else the fixed paths. */
export function proxyPaths(env: NodeJS.ProcessEnv = process.env): ProxyPaths {
  return {
    helper: env.XVIRT_PROXY_HELPER || DEFAULT_HELPER_PATH,
    socket: env.XVIRT_PROXY_SOCKET || DEFAULT_SOCKET_PATH,
  };
}

const HOW_TO_INSTALL =
  'install it as root with scripts/install-proxy (see docs/proxy.md), ' +
  'or run as root, or connect through xvirtd (xen+unix:///system)';

function refuse(file: string, why: string): XvirtError {
  return XvirtError.of(
    ErrorNumber.ACCESS_DENIED,
    ErrorDomain.PROXY,
    `refusing to run the proxy helper ${file}: ${why}; ${HOW_TO_INSTALL}`,
  );
}

/** Throws unless `file` is a root-owned setuid regular file in a root-owned directory, neither writable by others. */
export function checkHelper(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw XvirtError.of(
        ErrorNumber.NO_SUPPORT,
        ErrorDomain.PROXY,
        `the proxy helper ${file} is not installed: ${HOW_TO_INSTALL}`,
      );
    }
    throw refuse(file, `cannot stat it (${code ?? (err as Error).message})`);
  }
  if (!st.isFile()) throw refuse(file, 'it is not a regular file');
  if (st.uid !== 0) throw refuse(file, `it is owned by uid ${st.uid}, not root`);
  if (st.mode & 0o022) throw refuse(file, `it is writable by group or others (mode ${(st.mode & 0o7777).toString(8)})`);
  if (!(st.mode & 0o4000)) throw refuse(file, `it is not setuid (mode ${(st.mode & 0o7777).toString(8)})`);
  const dir = fs.statSync(path.dirname(file));
  if (dir.uid !== 0 || dir.mode & 0o022)
    throw refuse(file, `its directory ${path.dirname(file)} is not owned and writable only by root`);
}

/**
 * Runs the helper and waits for its "ready" line (it then serves on its own,
 * detached). A second helper finding one already serving also says ready.
 */
export function startHelper(file: string): Promise<void> {
  checkHelper(file);
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let out = '';
    let err = '';
    let settled = false;
    const settle = (error: XvirtError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      if (error) reject(error);
      else resolve();
    };
    const failed = (detail: string) =>
      XvirtError.of(ErrorNumber.NO_CONNECT, ErrorDomain.PROXY, `the proxy helper ${file} ${detail}`);
    const timer = setTimeout(
      () => settle(failed(`did not report ready within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (/^ready/m.test(out)) settle(null);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', (e) => settle(failed(`cannot be started: ${e.message}`)));
    // 'close' comes after the output is read: a helper that found another one serving said ready and exited 0.
    child.on('close', (code, signal) => {
      settle(
        /^ready/m.test(out) ? null : failed(`exited (${signal ?? `status ${code}`}): ${err.trim() || 'no message'}`),
      );
    });
  });
}
