/**
 * Runs the real `virsh` (Debian's libvirt-clients) for interop tests and the
 * CLI's line-for-line comparisons. A missing virsh is a loud failure, never
 * a skip: scripts/install-test-deps installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, type RunResult } from './child-output';

export type { RunResult };

let found: string | null = null;

/** Path of the real virsh; throws with instructions when it is not installed. */
export function virshPath(): string {
  if (found !== null) return found;
  const lookup = spawnSync('sh', ['-c', 'command -v virsh'], { encoding: 'utf8' });
  const where = lookup.stdout.trim();
  if (lookup.status !== 0 || where === '') {
    throw new Error('virsh is not installed: run scripts/install-test-deps as root (Debian package libvirt-clients)');
  }
  found = where;
  return where;
}

/** A private HOME for virsh's history/cache, removed when the test process exits. */
const HOME = mkdtempSync(join(tmpdir(), 'virsh-home-'));
process.on('exit', () => rmSync(HOME, { recursive: true, force: true }));

/** The C locale, the private HOME and no default URI from the host; then `extra`. */
export function virshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LC_ALL: 'C',
    HOME,
    XDG_CONFIG_HOME: join(HOME, '.config'),
    XDG_CACHE_HOME: join(HOME, '.cache'),
    ...extra,
  };
  delete env.LIBVIRT_DEFAULT_URI;
  delete env.VIRSH_DEFAULT_CONNECT_URI;
  return env;
}

/**
 * Starts `virsh ARGS` exactly as given (for tests that talk to it while it
 * runs); killed after `timeoutMs` (null: runs until stopped).
 */
export function startVirsh(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
  timeoutMs: number | null = 60_000,
): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(virshPath(), args, { env: virshEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collectOutput(child, timeoutMs) };
}

/** `virsh ARGS` exactly as given, to completion. */
export function runVirsh(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return startVirsh(args, env).done;
}

export interface VirshOptions {
  readonly?: boolean;
  timeoutMs?: number;
}

/**
 * `virsh [-r] -q -c URI COMMANDS`; `commands` may chain several with ';'
 * (one virsh process, one connection). Rejects if virsh outlives the timeout.
 */
export async function virsh(uri: string, commands: string, options: VirshOptions = {}): Promise<RunResult> {
  const args = [...(options.readonly ? ['-r'] : []), '-q', '-c', uri, commands];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const r = await startVirsh(args, undefined, timeoutMs).done;
  if (r.signal === 'SIGKILL') {
    throw new Error(
      `virsh ${args.join(' ')} timed out after ${timeoutMs} ms; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
  return r;
}

export interface VirshEventLoop {
  child: ChildProcess;
  /** Lines printed so far. */
  lines(): string[];
  /** Resolves once `count` lines matching `pattern` were printed. */
  waitFor(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<RunResult>;
}

/** Starts `virsh event --all --loop` (optionally with extra args) and collects its output. */
export function virshEvents(uri: string, extra: string[] = []): VirshEventLoop {
  const { child, done } = startVirsh(['-c', uri, 'event', '--all', '--loop', ...extra], undefined, null);
  let stdout = '';
  let stderr = '';
  let waiters: Array<() => void> = [];
  child.stdout!.on('data', (c: string) => {
    stdout += c;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (c: string) => {
    stderr += c;
  });
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
          reject(
            new Error(
              `virsh event: no ${count}× ${pattern} in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        if (!check()) waiters.push(tick);
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return done;
    },
  };
}
