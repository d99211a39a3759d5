// Per-test time budgets for the Xen lab (test/lab/*, run in dom0 by scripts/xen-lab).
//
// The lab runs under QEMU TCG on a shared machine: the same test takes 3x
// longer when other jobs run. dom0's /init measures how slow the emulation is
// at boot (XVIRT_LAB_SLOWDOWN: the cost of starting node against its cost on
// a quiet machine) and every budget here is multiplied by it. A test's budget
// is written as the time it needs on a quiet machine with a wide margin.
// A test over budget fails by name, with the guests' console tails and `xl
// list` in the message, so a failure shows what the guests were doing.
import { after, test, type TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CONSOLE_DIR = '/var/log/xen';
const TAIL_LINES = 12;

/** The slowdown dom0 measured at boot; 1 outside the lab or when unset. */
export function labSlowdown(): number {
  const v = Number(process.env.XVIRT_LAB_SLOWDOWN);
  return Number.isFinite(v) && v >= 1 ? v : 1;
}

/** `seconds` on a quiet machine, in milliseconds on this one. */
export function labBudget(seconds: number): number {
  return Math.ceil(seconds * 1000 * labSlowdown());
}

// xl's own commands are bounded by the driver (120 s on a real host); in the lab they scale with the emulation.
process.env.XVIRT_XL_TIMEOUT ??= String(Math.ceil(labBudget(120) / 1000));

function tail(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'latin1').split('\n');
    return lines
      .slice(-TAIL_LINES - 1)
      .join('\n')
      .trimEnd();
  } catch (err) {
    return `(unreadable: ${(err as Error).message})`;
  }
}

/** What the lab's guests were doing: `xl list` and the last lines of every guest console. */
export function labDiagnostics(): string {
  const parts: string[] = [];
  const xl = spawnSync('xl', ['list'], { encoding: 'utf8', timeout: 30_000 });
  parts.push(
    `xl list (status ${xl.status}):\n${(xl.stdout ?? '').trimEnd()}${xl.stderr ? `\n${xl.stderr.trimEnd()}` : ''}`,
  );
  let logs: string[] = [];
  try {
    logs = fs
      .readdirSync(CONSOLE_DIR)
      .filter((f) => f.startsWith('guest-') && f.endsWith('.log'))
      .sort();
  } catch {
    /* no xenconsoled logs: said below */
  }
  if (logs.length === 0) parts.push(`no guest console logs in ${CONSOLE_DIR}`);
  for (const f of logs) parts.push(`console ${f} (last ${TAIL_LINES} lines):\n${tail(path.join(CONSOLE_DIR, f))}`);
  return parts.join('\n');
}

type Body = (t: TestContext) => void | Promise<void>;

/**
 * A body that went over budget may still hold the event loop (a pending
 * wait, a child process), which would keep this file's process alive until
 * the job's bound. Once the file's tests are done, such a process exits.
 */
let overBudget = 0;
after(() => {
  if (overBudget > 0) setTimeout(() => process.exit(1), 2000).unref();
});

function withDiagnostics(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  e.message += `\n--- lab state at the failure ---\n${labDiagnostics()}`;
  return e;
}

/**
 * node:test's `test` with a time budget (seconds on a quiet machine, scaled
 * by the measured slowdown). Over budget, the test fails by name even when
 * its body is still waiting; a synchronous body (spawnSync) cannot be cut
 * short, so it fails once it returns. Any failure carries labDiagnostics().
 */
export function labTest(name: string, budgetSeconds: number, fn: Body): void {
  const ms = labBudget(budgetSeconds);
  const over = () =>
    new Error(
      `over its time budget: ${budgetSeconds} s x slowdown ${labSlowdown()} = ` + `${(ms / 1000).toFixed(0)} s`,
    );
  // node's own timeout is only a backstop (it neither names the budget nor shows the guests).
  // node:test runs the test and reports its failure itself; the promise only says when it is over.
  void test(name, { timeout: ms + 60_000 }, async (t) => {
    const start = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        overBudget++;
        reject(over());
      }, ms);
    });
    try {
      await Promise.race([Promise.resolve().then(() => fn(t)), expired]);
      if (Date.now() - start > ms) throw over();
    } catch (err) {
      throw withDiagnostics(err);
    } finally {
      clearTimeout(timer);
    }
  });
}
