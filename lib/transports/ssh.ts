/**
 * The ssh transport (`driver+ssh://[user@]host[:port]/path`), as libvirt does
 * it: run the system `ssh` (so the user's ~/.ssh/config, agent, known_hosts,
 * ProxyJump and certificates all apply) with a remote command that bridges to
 * the daemon's unix socket, and speak RPC over its stdin/stdout.
 *
 * argv: ssh [-p PORT] [-l USER] [-i KEYFILE] -T -e none -x -a [-o BatchMode=yes]
 *           [-o StrictHostKeyChecking=no] [-o UserKnownHostsFile=F] -- HOST CMD
 * URI parameters: command (the ssh binary), keyfile, known_hosts, no_tty,
 * no_verify, netcat, socket, proxy (auto | netcat | native | xvirt).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { uriFlag } from './params';
import { serverSideName, uriParam, type ConnectionUri } from '../uri';
import { DEFAULT_SOCKET, DEFAULT_SOCKET_RO } from './registry';

const PROXY_MODES = ['auto', 'netcat', 'native', 'xvirt'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

function uriError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.URI, detail);
}

/** POSIX shell single-quoting. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The URI the far-side helper receives: the server-side name plus `socket`/`mode`, which it needs. */
export function helperUri(uri: ConnectionUri): string {
  const name = serverSideName(uri);
  const keep = uri.params.filter(([k]) => k === 'socket' || k === 'mode');
  if (keep.length === 0 || name === '') return name;
  return `${name}${name.includes('?') ? '&' : '?'}${keep.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

/**
 * The command ssh runs on the far side. auto (the default) prefers
 * xvirt-ssh-helper, then libvirt's virt-ssh-helper, then `nc -U`, so one
 * client reaches xvirtd and libvirtd hosts alike. An explicit netcat= or
 * socket= means netcat mode, as in libvirt.
 */
export function remoteCommand(uri: ConnectionUri, readonly: boolean): string {
  const mode = (uriParam(uri, 'proxy') ?? 'auto') as ProxyMode;
  if (!PROXY_MODES.includes(mode)) throw uriError(`proxy must be one of ${PROXY_MODES.join(', ')}, got '${mode}'`);
  const netcat = uriParam(uri, 'netcat');
  const socket = uriParam(uri, 'socket') ?? (readonly ? DEFAULT_SOCKET_RO : DEFAULT_SOCKET);
  if (netcat !== undefined && (mode === 'native' || mode === 'xvirt'))
    throw uriError(`netcat is not valid with proxy=${mode}`);
  const nc = shellQuote(netcat ?? 'nc');
  // Old netcats need -q0 to exit at EOF; newer ones reject -q without an argument (libvirt's probe).
  const ncCommand = `if ${nc} -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0; else ARG=; fi; ${nc} $ARG -U ${shellQuote(socket)}`;
  const target = shellQuote(helperUri(uri));
  const ro = readonly ? ' -r' : '';
  const xvirt = `xvirt-ssh-helper${ro} ${target}`;
  const native = `virt-ssh-helper${ro} ${target}`;
  let inner: string;
  if (mode === 'netcat' || (mode === 'auto' && (netcat !== undefined || uriParam(uri, 'socket') !== undefined)))
    inner = ncCommand;
  else if (mode === 'native') inner = native;
  else if (mode === 'xvirt') inner = xvirt;
  else {
    inner =
      `if which xvirt-ssh-helper >/dev/null 2>&1; then ${xvirt}; ` +
      `elif which virt-ssh-helper >/dev/null 2>&1; then ${native}; else ${ncCommand}; fi`;
  }
  return `sh -c ${shellQuote(inner)}`;
}

/** ssh's argv (without the binary) for this URI. */
export function sshArgs(uri: ConnectionUri, readonly: boolean): string[] {
  if (!uri.host) throw uriError(`the ssh transport needs a host in URI '${uri.text}'`);
  const args: string[] = [];
  if (uri.port !== null) args.push('-p', String(uri.port));
  if (uri.user !== null) args.push('-l', uri.user);
  const keyfile = uriParam(uri, 'keyfile');
  if (keyfile) args.push('-i', keyfile);
  // -x -a: the tunnel carries RPC only; a user's ForwardX11/ForwardAgent would hand the far host an X display or the agent for nothing.
  args.push('-T', '-e', 'none', '-x', '-a');
  if (uriFlag(uri, 'no_tty')) args.push('-o', 'BatchMode=yes');
  if (uriFlag(uri, 'no_verify')) args.push('-o', 'StrictHostKeyChecking=no');
  const knownHosts = uriParam(uri, 'known_hosts');
  if (knownHosts) args.push('-o', `UserKnownHostsFile=${knownHosts}`);
  args.push('--', uri.host, remoteCommand(uri, readonly));
  return args;
}

export interface SshChannel {
  stream: Duplex;
  endpoint: string;
}

/**
 * A child process's stdin/stdout as one duplex stream. Its end of file is
 * held back until the process has exited, so an unsuccessful exit (ssh's 255:
 * unknown host key, refused key...) surfaces as an error carrying the
 * process's own stderr rather than as a bare end of file.
 */
class ChildProcessStream extends Duplex {
  readonly #child: ChildProcess;
  #stderr = '';

  constructor(child: ChildProcess, describe: (detail: string) => string) {
    super({ allowHalfOpen: false });
    this.#child = child;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (this.#stderr.length < 4096) this.#stderr += d;
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stdin!.on('error', () => undefined); // EPIPE once the process died: reported at its exit instead.
    const fail = (detail: string, cause?: unknown): void => {
      this.destroy(
        XvirtError.of(
          ErrorNumber.SYSTEM_ERROR,
          ErrorDomain.RPC,
          describe(detail),
          cause === undefined ? {} : { cause },
        ),
      );
    };
    child.on('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? `'${child.spawnfile}' not found` : err.message, err),
    );
    child.on('close', (code, signal) => {
      if (code === 0 || (signal === 'SIGTERM' && this.destroyed)) this.push(null);
      else fail(this.#stderr.trim() || `${child.spawnfile} exited with ${code ?? signal}`);
    });
  }

  override _read(): void {
    this.#child.stdout!.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.#child.stdin!.write(chunk)) done();
    else this.#child.stdin!.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.#child.stdin!.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    // The RPC layer closes the stream when it is done; take the process down with it.
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    done(err);
  }
}

/** Spawns ssh (or `command=`) and returns its stdio as the RPC stream. */
export function connectSsh(uri: ConnectionUri, readonly: boolean): SshChannel {
  const binary = uriParam(uri, 'command') || 'ssh';
  const child = spawn(binary, sshArgs(uri, readonly), { stdio: ['pipe', 'pipe', 'pipe'] });
  const endpoint = `${uri.user ? `${uri.user}@` : ''}${uri.host}${uri.port ? `:${uri.port}` : ''} (ssh)`;
  const stream = new ChildProcessStream(child, (detail) => `Cannot talk to ${endpoint}: ${detail}`);
  return { stream, endpoint };
}
