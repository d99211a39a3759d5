/**
 * Consoles for tests without Xen: a fake xenconsoled (a real pty whose slave
 * path goes into a fake xenstore, test/support/fake-xenconsoled.py), a Xen
 * driver over the fake hypervisor served as xen:///system in this process
 * (so an in-process xvirtd serves it to virsh), and interactive programs
 * (virsh console, xvirt console) run in a pty of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { registerLocalDriver } from '../../lib/drivers/registry';
import { XenDriver } from '../../lib/drivers/xen/driver';
import { DefinitionStore } from '../../lib/drivers/definition-store';
import { ReasonBook } from '../../lib/drivers/xen/reasons';
import { XenHypervisor } from '../../lib/native';
import { collectOutput, type RunResult } from './child-output';
import { virshEnv, virshPath } from './virsh';
import { FakeHypervisor, FakeXenstore, FakeXl, testCodec } from './xen';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A running program whose output a test waits on. */
export interface Interactive {
  child: ChildProcess;
  /** Everything it wrote so far (stdout; for a pty, everything the terminal showed). */
  output(): string;
  /** Waits until output() contains `text` (fails after `timeoutMs` with what was seen). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  write(bytes: string | Buffer): void;
  done: Promise<RunResult>;
}

function interactive(child: ChildProcess, timeoutMs: number | null): Interactive {
  let seen = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => {
    seen += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  const done = collectOutput(child, timeoutMs);
  return {
    child,
    done,
    output: () => seen,
    write: (bytes) => {
      child.stdin!.write(bytes);
    },
    async waitFor(text, waitMs = 60_000) {
      const deadline = Date.now() + waitMs;
      while (!seen.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          const err = (await Promise.race([done, Promise.resolve(null)]))?.stderr ?? '';
          throw new Error(`waiting for ${JSON.stringify(text)}; output so far: ${JSON.stringify(seen)} ${err}`);
        }
        await new Promise<void>((r) => {
          const timer = setTimeout(r, 200);
          waiters.push(() => {
            clearTimeout(timer);
            r();
          });
        });
      }
    },
  };
}

/** A fake xenconsoled: `tty` is the guest's pty; write() is the guest printing; output() what was typed to it. */
export async function fakeXenconsoled(t: Teardown): Promise<Interactive & { tty: string }> {
  const child = spawn('python3', [join(__dirname, 'fake-xenconsoled.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const io = interactive(child, null);
  await io.waitFor('\n', 30_000);
  const tty = io.output().split('\n')[0]!;
  if (!tty.startsWith('/dev/pts/')) throw new Error(`fake xenconsoled printed ${JSON.stringify(tty)}`);
  return { ...io, tty };
}

/**
 * Serves xen:///system in this process from a XenDriver over the fake
 * hypervisor (guests g1..g3, ids 1..3), each open a driver of its own over
 * the same fakes (and the same fake xl); domain 1's console is `tty`.
 * Undone at teardown.
 */
export async function serveFakeXen(
  t: Teardown,
  dir: string,
  tty: string,
): Promise<{ hv: FakeHypervisor; xs: FakeXenstore; xl: FakeXl }> {
  const hv = new FakeHypervisor();
  const xs = new FakeXenstore();
  const xl = new FakeXl();
  xs.values.set('/local/domain/0/name', 'Domain-0');
  for (const i of [1, 2, 3]) xs.values.set(`/local/domain/${i}/name`, `g${i}`);
  xs.values.set('/local/domain/1/console/tty', tty);
  registerLocalDriver(
    'xen',
    async () =>
      new XenDriver({
        hv: await XenHypervisor.over(Promise.resolve(hv)),
        xenstore: xs,
        xl,
        codec: testCodec,
        pollMs: 0,
        store: await DefinitionStore.open(dir, (xml) => testCodec.parse(xml)),
        reasons: new ReasonBook(),
      }),
  );
  t.teardown(() => registerLocalDriver('xen', null));
  return { hv, xs, xl };
}

/** Python's pty.spawn: runs argv on a new pty, relaying our pipes to it; exits with the program's status. */
const PTY_RUN = 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))';

/** `argv` on a terminal of its own (virsh console insists on one), killed after `timeoutMs`. */
export function runInPty(argv: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Interactive {
  const child = spawn('python3', ['-c', PTY_RUN, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  return interactive(child, timeoutMs);
}

/** `virsh -c URI console ARGS...` on a pty. */
export function virshConsole(uri: string, ...args: string[]): Interactive {
  return runInPty([virshPath(), '-c', uri, 'console', ...args], virshEnv());
}

/** Ctrl+], virsh's (and xvirt's) escape. */
export const ESCAPE = '\x1d';
