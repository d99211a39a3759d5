/**
 * Runs the real `virsh` (Debian's libvirt-clients) for interop tests. A
 * missing virsh is a loud failure, never a skip: scripts/install-test-deps
 * installs it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface VirshResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let checked = false;

/** Throws with instructions when virsh is not installed. */
export function requireVirsh(): void {
  if (checked) return;
  try {
    execFileSync('virsh', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error('virsh is not installed: run scripts/install-test-deps as root (Debian package libvirt-clients)');
  }
  checked = true;
}

/** A clean environment: no default URI from the host, a private HOME for virsh's history/cache. */
const HOME = mkdtempSync(join(tmpdir(), 'virsh-home-'));
process.on('exit', () => rmSync(HOME, { recursive: true, force: true }));

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME, XDG_CONFIG_HOME: join(HOME, '.config'), XDG_CACHE_HOME: join(HOME, '.cache') };
  delete e.LIBVIRT_DEFAULT_URI;
  delete e.VIRSH_DEFAULT_CONNECT_URI;
  return e;
}

export interface VirshOptions {
  readonly?: boolean;
  timeoutMs?: number;
}

/** `virsh -c URI COMMANDS`; `commands` may chain several with ';' (one virsh process, one connection). */
export function virsh(uri: string, commands: string, options: VirshOptions = {}): Promise<VirshResult> {
  requireVirsh();
  const args = [...(options.readonly ? ['-r'] : []), '-q', '-c', uri, commands];
  return new Promise((resolve, reject) => {
    const child = spawn('virsh', args, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`virsh ${args.join(' ')} timed out; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 30000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface VirshEventLoop {
  child: ChildProcess;
  /** Lines printed so far. */
  lines(): string[];
  /** Resolves once `count` lines matching `pattern` were printed. */
  waitFor(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<VirshResult>;
}

/** Starts `virsh event --all --loop` (optionally with extra args) and collects its output. */
export function virshEvents(uri: string, extra: string[] = []): VirshEventLoop {
  requireVirsh();
  const child = spawn('virsh', ['-c', uri, 'event', '--all', '--loop', ...extra], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let waiters: Array<() => void> = [];
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  const lines = (): string[] => stdout.split('\n').filter((l) => l.trim() !== '');
  return {
    child,
    lines,
    waitFor(pattern, count = 1, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hits = lines().filter((l) => pattern.test(l));
          if (hits.length < count) return false;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== tick);
          resolve(hits);
          return true;
        };
        const tick = (): void => void check();
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== tick);
          reject(new Error(`virsh event: no ${count}× ${pattern} in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        if (!check()) waiters.push(tick);
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await closed;
      return { code, stdout, stderr };
    },
  };
}
