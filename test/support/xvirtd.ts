/**
 * A private xvirtd for tests: a real `bin/xvirtd.js` process on sockets in a
 * fresh temp directory (and, on request, an ephemeral loopback TCP port),
 * stopped with SIGTERM and its directory removed at teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as net from 'node:net';
import { encodeCall, FrameDecoder, type Message } from '../../lib/rpc/framing';
import { procedureSpec, RemoteProcedure } from '../../lib/rpc/procedures';
import { MessageStatus, remoteError, type RemoteError } from '../../lib/rpc/protocol';
import { decode } from '../../lib/rpc/xdr';
import { defaultConfig, type DaemonConfig } from '../../lib/daemon/config';
import { Daemon } from '../../lib/daemon/daemon';
import { Logger } from '../../lib/daemon/log';

export const REPO = resolve(__dirname, '..', '..');
export const XVIRTD_BIN = join(REPO, 'bin', 'xvirtd.js');
/** node flags xvirtd runs with when installed: bin/xvirtd.js's #! line (`env -S node FLAGS`), as the unit has them. */
export const XVIRTD_NODE_FLAGS = readFileSync(XVIRTD_BIN, 'utf8')
  .split('\n', 1)[0]!
  .split(' ')
  .filter((word) => word.startsWith('--'));

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
  stderr: () => string;
  /** A virsh URI for `driverUri` (e.g. test:///default) through this daemon. */
  uri(transport: 'unix' | 'unix-ro' | 'tcp', driverUri?: string): string;
  /** SIGTERM and wait; resolves with the exit code (null if killed by a signal). */
  stop(): Promise<number | null>;
  /** Sends `signal` to a daemon the test means to end that way; resolves with the exit code once it has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** The test a daemon belongs to: stopped at its teardown; an unexpected exit fails it. */
interface DaemonTest {
  teardown(fn: () => unknown): void;
  fail(message: string): unknown;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

function waitReady(proc: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`xvirtd did not become ready in 15 s; stderr:\n${stderr()}`)),
      15000,
    );
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

export async function startXvirtd(t: DaemonTest, options: XvirtdOptions = {}): Promise<XvirtdInstance> {
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
  const proc = spawn(process.execPath, [...XVIRTD_NODE_FLAGS, XVIRTD_BIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XVIRT_DEFAULT_URI: '', ...options.env },
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const stderr = (): string => err;
  // A daemon that dies on its own would otherwise show only as its clients' "connection refused" or "end of file".
  // Before 'ready' an exit is waitReady's rejection, which tests of bad configurations expect.
  let isReady = false;
  let expectExit = false;
  // 'close', not 'exit': by then everything the daemon wrote to stderr has been read.
  proc.once('close', (code, signal) => {
    if (expectExit || !isReady) return;
    const tail = err.trimEnd().split('\n').slice(-10).join('\n');
    t.fail(`xvirtd exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}); its stderr ends:\n${tail}`);
  });
  const exited: Promise<number | null> = new Promise((r) => proc.once('exit', (code) => r(code)));
  const kill = async (signal: NodeJS.Signals): Promise<number | null> => {
    expectExit = true;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  const stop = async (): Promise<number | null> => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    const code = await kill('SIGTERM');
    clearTimeout(killer);
    return code;
  };
  t.teardown(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ready = await waitReady(proc, stderr);
  isReady = true;
  const tcp = /tcp 127\.0\.0\.1:(\d+)/.exec(ready);
  const tcpPort = tcp ? Number(tcp[1]) : null;
  return {
    dir,
    configFile,
    rwSocket,
    roSocket,
    tcpPort,
    proc,
    stderr,
    stop,
    kill,
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

/**
 * An xvirtd inside the test process, for tests that inspect its state
 * (daemon.stats()) rather than only its answers. Logs go to `log` lines.
 */
export async function startDaemonInProcess(
  t: Teardown,
  overrides: Partial<DaemonConfig> = {},
): Promise<{ daemon: Daemon; dir: string; rwSocket: string; roSocket: string; tcpPort: number | null; log: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'xvirtd-inproc-'));
  const config: DaemonConfig = {
    ...defaultConfig(),
    unixSockRwPath: join(dir, 'sock'),
    unixSockRoPath: join(dir, 'sock-ro'),
    tcpPort: 0,
    ...overrides,
  };
  const log: string[] = [];
  const daemon = new Daemon(
    config,
    new Logger(config.logLevel, (line) => {
      log.push(line);
    }),
  );
  await daemon.start();
  t.teardown(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const tcp = daemon.addresses.find((a) => a.kind === 'tcp');
  return {
    daemon,
    dir,
    rwSocket: config.unixSockRwPath,
    roSocket: config.unixSockRoPath,
    tcpPort: tcp ? Number(tcp.address.split(':').pop()) : null,
    log,
  };
}

// ---- a raw protocol client, for tests that need to misbehave on purpose ----------

/** Speaks frames over a socket with no client-side checks: tests send whatever they like. */
export class RawClient {
  readonly socket: net.Socket;
  readonly messages: Message[] = [];
  closed = false;
  #serial = 0;
  readonly #decoder = new FrameDecoder();
  #waiters: Array<() => void> = [];
  readonly #closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      for (const m of this.#decoder.push(c)) this.messages.push(m);
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.#closedPromise = new Promise((r) =>
      socket.once('close', () => {
        this.closed = true;
        this.#wake();
        r();
      }),
    );
  }

  /** Connects, then AUTH_LIST and CONNECT_OPEN `name` (the handshake every test needs). */
  static async opened(
    this: void,
    target: string | number,
    name: string | null = 'test:///default',
    flags = 0,
  ): Promise<RawClient> {
    const c = await RawClient.connect(target);
    await c.call(RemoteProcedure.AUTH_LIST);
    await c.call(RemoteProcedure.CONNECT_OPEN, { name, flags });
    return c;
  }

  static connect(target: string | number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /**
   * Waits until `pred` holds (re-checked on every input and every 50 ms), or fails after `timeoutMs`.
   * The default only bounds a failure: on a loaded 2-core machine the first
   * CONNECT_OPEN of an in-process daemon (loading its drivers) held the event
   * loop for over 5 s, and the replies queued behind it.
   */
  async until<T>(pred: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`raw client: timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        // Also re-checked every 50 ms: `pred` may watch the daemon's state, which changes without input here.
        const timer = setTimeout(r, Math.min(50, Math.max(1, deadline - Date.now())));
        this.#waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a CALL with `args` encoded by the procedure's codec; returns its serial. */
  sendCall(proc: number, args: unknown = undefined): number {
    const serial = this.#serial++;
    const spec = procedureSpec(proc);
    if (!spec) throw new Error(`raw client: no codec for procedure ${proc}`);
    this.send(encodeCall(proc, serial, spec.args, args));
    return serial;
  }

  /** The reply to `serial` (any procedure). */
  reply(serial: number, timeoutMs?: number): Promise<Message> {
    return this.until(
      () => this.messages.find((m) => m.header.type === 1 && m.header.serial === serial),
      `reply ${serial}`,
      timeoutMs,
    );
  }

  /** Calls and decodes: resolves with the result, or rejects with the remote error body. */
  async call<T = any>(proc: number, args: unknown = undefined): Promise<T> {
    const m = await this.reply(this.sendCall(proc, args));
    if (m.header.status === MessageStatus.ERROR)
      throw Object.assign(new Error('remote error'), { remote: decode(remoteError, m.payload) });
    return decode(procedureSpec(proc)!.ret, m.payload) as T;
  }

  /** Calls expecting an error; resolves with its body. */
  async callError(proc: number, args: unknown = undefined): Promise<RemoteError> {
    const m = await this.reply(this.sendCall(proc, args));
    if (m.header.status !== MessageStatus.ERROR) throw new Error(`expected an error reply to procedure ${proc}`);
    return decode(remoteError, m.payload);
  }

  waitClosed(timeoutMs = 60_000): Promise<void> {
    return this.until(() => (this.closed ? true : undefined), 'the daemon to close the connection', timeoutMs).then(
      () => this.#closedPromise,
    );
  }

  close(): void {
    this.socket.destroy();
  }
}
