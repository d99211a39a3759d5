/**
 * A private xvirtd for tests: a real `bin/xvirtd.js` process on sockets in a
 * fresh temp directory (and, on request, an ephemeral loopback TCP port),
 * stopped with SIGTERM and its directory removed at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const XVIRTD_BIN = join(REPO, 'bin', 'xvirtd.js');

export interface XvirtdOptions {
  tcp?: boolean;
  /** Extra config lines (key = value), appended after the harness's own. */
  extraConfig?: string[];
  /** Environment additions for the daemon process. */
  env?: Record<string, string>;
}

export interface XvirtdInstance {
  dir: string;
  configFile: string;
  rwSocket: string;
  roSocket: string;
  /** The TCP port, or null without TCP. */
  tcpPort: number | null;
  proc: ChildProcess;
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string;
  /** A virsh URI for `driverUri` (e.g. test:///default) through this daemon. */
  uri(transport: 'unix' | 'unix-ro' | 'tcp', driverUri?: string): string;
  /** SIGTERM and wait; resolves with the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
}

interface Teardown { teardown(fn: () => unknown): void }

function waitReady(proc: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`xvirtd did not become ready in 15 s; stderr:\n${stderr()}`)), 15000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /xvirtd ready: (.*)\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolveReady(line[1]!);
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`xvirtd exited (${code ?? signal}) before becoming ready; stderr:\n${stderr()}`));
    });
  });
}

export async function startXvirtd(t: Teardown, options: XvirtdOptions = {}): Promise<XvirtdInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'xvirtd-test-'));
  const rwSocket = join(dir, 'sock');
  const roSocket = join(dir, 'sock-ro');
  const configFile = join(dir, 'xvirtd.conf');
  const lines = [
    `unix_sock_rw_path = "${rwSocket}"`,
    `unix_sock_ro_path = "${roSocket}"`,
    `listen_tcp = ${options.tcp ? 1 : 0}`,
    'tcp_listen_addr = "127.0.0.1"',
    'tcp_port = 0',
    'log_level = 2',
    ...(options.extraConfig ?? []),
  ];
  writeFileSync(configFile, lines.join('\n') + '\n');
  const proc = spawn(process.execPath, [XVIRTD_BIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XVIRT_DEFAULT_URI: '', ...options.env },
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const stderr = (): string => err;
  let exited: Promise<number | null> = new Promise((r) => proc.once('exit', (code) => r(code)));
  const stop = async (): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    const code = await exited;
    clearTimeout(killer);
    exited = Promise.resolve(code);
    return code;
  };
  t.teardown(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ready = await waitReady(proc, stderr);
  const tcp = /tcp 127\.0\.0\.1:(\d+)/.exec(ready);
  const tcpPort = tcp ? Number(tcp[1]) : null;
  return {
    dir, configFile, rwSocket, roSocket, tcpPort, proc, stderr, stop,
    uri(transport, driverUri = 'test:///default') {
      const m = /^(\w+):\/\/(\/[^?]*)?(\?.*)?$/.exec(driverUri);
      if (!m) throw new Error(`harness: cannot route ${driverUri}`);
      const [, driver, path = '/', query] = m;
      const extra = query ? query.slice(1) + '&' : '';
      if (transport === 'tcp') {
        if (tcpPort === null) throw new Error('harness: this xvirtd has no TCP listener');
        return `${driver}+tcp://127.0.0.1:${tcpPort}${path}${query ?? ''}`;
      }
      const socket = transport === 'unix' ? rwSocket : roSocket;
      return `${driver}+unix://${path}?${extra}socket=${socket}`;
    },
  };
}
