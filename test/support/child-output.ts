/** Collecting a child process's output and exit, for tests that run real programs (xvirt, virsh). */
import type { ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Everything `child` writes until it closes, and how it ended. A child still
 * running after `timeoutMs` (null: no limit) is killed with SIGKILL, so a
 * hung program fails its test instead of hanging it.
 */
export function collectOutput(child: ChildProcess, timeoutMs: number | null): Promise<RunResult> {
  let stdout = '',
    stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = timeoutMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
