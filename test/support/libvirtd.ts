/**
 * A private, real libvirtd (Debian's libvirt-daemon) for interop tests:
 * its own config, sockets and pid file in a temp dir, optional TCP on
 * 127.0.0.1 with auth_tcp=none, serving libvirt's test driver
 * (test:///default). No hypervisor driver modules are loaded, so several can
 * run at once next to anything else on the machine. Stopped in t.teardown.
 *
 *   const lvd = await startLibvirtd(t, { tcp: true });
 *   connect(lvd.unixUri())             // test+unix:///default?socket=...
 *   connect(lvd.tcpUri())              // test+tcp://127.0.0.1:PORT/default
 *
 * Missing libvirtd (or not root) fails the test loudly: run scripts/install-test-deps as root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { freePort, waitListening } from './ports';

export const LIBVIRTD = '/usr/sbin/libvirtd';

export interface LibvirtdOptions {
  /** Also listen on TCP 127.0.0.1 (a free port), auth none. */
  tcp?: boolean;
  /** libvirtd keepalive_interval / keepalive_count (defaults 5 / 5). */
  keepaliveInterval?: number;
  keepaliveCount?: number;
  /** More libvirtd.conf lines (TLS, SASL...); a key set here replaces the default line for that key. */
  extraConfig?: string[];
  /** More environment for the daemon (e.g. SASL_CONF_PATH for a private Cyrus SASL config). */
  env?: Record<string, string>;
}

export interface Libvirtd {
  /** Temp dir holding config, sockets, pid file and log. */
  readonly dir: string;
  /** Read-write unix socket. */
  readonly socket: string;
  readonly socketRo: string;
  /** TCP port on 127.0.0.1, or null without `tcp`. */
  readonly tcpPort: number | null;
  readonly pid: number;
  /** `test+unix:///default?socket=<socket>` (or `-ro` socket, or another path). */
  unixUri(options?: { readonly?: boolean; path?: string }): string;
  /** `test+tcp://127.0.0.1:<port>/default` */
  tcpUri(path?: string): string;
  /** The daemon's stderr log so far. */
  log(): string;
  /** SIGTERM (then SIGKILL after 5 s), remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL the daemon without cleanup (to test a daemon that dies). */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startLibvirtd(t: Test, options: LibvirtdOptions = {}): Promise<Libvirtd> {
  if (!existsSync(LIBVIRTD)) {
    throw new Error(`${LIBVIRTD} not found: install the test dependencies first (sudo scripts/install-test-deps)`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the private libvirtd for interop tests runs as root: run the test suite as root');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xvirt-libvirtd-'));
  const drivers = path.join(dir, 'no-drivers');
  mkdirSync(drivers);
  const tcpPort = options.tcp ? await freePort() : null;
  const defaults = [
    `unix_sock_dir = "${dir}"`,
    'auth_unix_rw = "none"',
    'auth_unix_ro = "none"',
    'unix_sock_rw_perms = "0700"',
    'listen_tls = 0',
    `listen_tcp = ${tcpPort === null ? 0 : 1}`,
    ...(tcpPort === null ? [] : [`tcp_port = "${tcpPort}"`, 'listen_addr = "127.0.0.1"', 'auth_tcp = "none"']),
    `keepalive_interval = ${options.keepaliveInterval ?? 5}`,
    `keepalive_count = ${options.keepaliveCount ?? 5}`,
    'log_outputs = "3:stderr"',
  ];
  const extra = options.extraConfig ?? [];
  const extraKeys = new Set(extra.map((line) => line.split('=')[0]!.trim()));
  const conf = [...defaults.filter((line) => !extraKeys.has(line.split('=')[0]!.trim())), ...extra].join('\n');
  writeFileSync(path.join(dir, 'libvirtd.conf'), conf + '\n');
  const listen = tcpPort !== null || extra.some((line) => /^listen_tls\s*=\s*1/.test(line));
  const args = [
    '-f',
    path.join(dir, 'libvirtd.conf'),
    '-p',
    path.join(dir, 'libvirtd.pid'),
    ...(listen ? ['--listen'] : []),
  ];
  // An empty driver dir: only the built-in test driver, no qemu/network state shared with other daemons.
  const child = spawn(LIBVIRTD, args, {
    cwd: dir,
    env: { ...process.env, LIBVIRT_DRIVER_DIR: drivers, LIBVIRT_LOG_OUTPUTS: '3:stderr', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const socket = path.join(dir, 'libvirt-sock');
  let stopped = false;

  const daemon: Libvirtd = {
    dir,
    socket,
    socketRo: path.join(dir, 'libvirt-sock-ro'),
    tcpPort,
    pid: child.pid ?? -1,
    unixUri: ({ readonly = false, path: p = '/default' } = {}) =>
      `test+unix://${p}?socket=${encodeURIComponent(readonly ? path.join(dir, 'libvirt-sock-ro') : socket)}`,
    tcpUri: (p = '/default') => {
      if (tcpPort === null) throw new Error('libvirtd was started without tcp');
      return `test+tcp://127.0.0.1:${tcpPort}${p}`;
    },
    log: () => stderr,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => daemon.stop());

  await waitListening(socket, child, { what: 'libvirtd', timeoutMs: 15000, log: () => stderr });
  return daemon;
}
