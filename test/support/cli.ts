// Helpers for the CLI tests: run the real `node bin/xvirt.js` (support/virsh.ts
// runs the real virsh), and write libvirt test-driver node files into a temp directory.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Test } from 'tap';
import { collectOutput, type RunResult } from './child-output';

export type { RunResult };

export const REPO = path.resolve(__dirname, '..', '..');
export const BIN = path.join(REPO, 'bin', 'xvirt.js');

/** The compiled CLI must exist: the tests drive what users run, not the sources. */
export function requireBuild(t: Test): void {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js'))) {
    t.bailout('dist/cli/main.js is missing: run `npm run build` before these tests (npm test does)');
  }
}

/** An environment without the caller's XVIRT_DEFAULT_URI, so the default URI really is test:///default. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', ...extra };
  if (!('XVIRT_DEFAULT_URI' in extra)) delete env.XVIRT_DEFAULT_URI;
  return env;
}

/** Starts `node bin/xvirt.js ARGS` (for tests that talk to it while it runs). */
export function startXvirt(
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collectOutput(child, 60_000) };
}

export function xvirt(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return startXvirt(args, env).done;
}

/** Polls `check` every 10 ms for up to `ms` (default 10 s); throws naming `what` if it never holds. */
export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything a running child has written to `stream` so far (read it as `text()`). */
export function tail(child: ChildProcess, stream: 'stdout' | 'stderr'): () => string {
  let text = '';
  child[stream]!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return () => text;
}

/** A temp directory removed when the test ends. */
export function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface GuestSpec {
  name: string;
  uuid: string;
  /** libvirt DomainState number; 1 running, 3 paused, 5 shut off. */
  runstate: number;
  memoryKiB?: number;
  vcpus?: number;
  /** A <devices> element, verbatim. */
  devices?: string;
}

export function domainXml(g: Omit<GuestSpec, 'runstate'>): string {
  const mem = g.memoryKiB ?? 262144;
  return `<domain type='test'>
  <name>${g.name}</name>
  <uuid>${g.uuid}</uuid>
  <memory unit='KiB'>${mem}</memory>
  <currentMemory unit='KiB'>${mem}</currentMemory>
  <vcpu placement='static'>${g.vcpus ?? 1}</vcpu>
  <os>
    <type arch='i686'>hvm</type>
  </os>${g.devices ? `\n  ${g.devices}` : ''}
</domain>
`;
}

/**
 * Writes a libvirt test-driver node file holding `guests` and returns its
 * test:/// URI: both xvirt and virsh open it, each process with its own copy.
 */
export function nodeFileUri(dir: string, guests: readonly GuestSpec[], file = 'node.xml'): string {
  const domains = guests.map((g) =>
    domainXml(g).replace('</domain>', `  <test:runstate>${g.runstate}</test:runstate>\n</domain>`),
  );
  const xml = `<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads><active>8</active></cpu>
  <memory>8388608</memory>
${domains.join('')}</node>
`;
  const file_ = path.join(dir, file);
  fs.writeFileSync(file_, xml);
  return `test://${file_}`;
}

/** Three guests, one per interesting state. */
export const THREE_GUESTS: readonly GuestSpec[] = [
  { name: 'web', uuid: '11111111-2222-3333-4444-555555555555', runstate: 1, memoryKiB: 524288, vcpus: 2 },
  { name: 'Db', uuid: '21111111-2222-3333-4444-555555555555', runstate: 3 },
  { name: 'cold', uuid: '31111111-2222-3333-4444-555555555555', runstate: 5 },
];

/** Asserts the run failed the xvirt way: non-zero status, one `error:` line, no stack trace. */
export function assertOneError(t: Test, r: RunResult, message: string | RegExp): void {
  t.equal(r.signal, null, 'exited, not killed');
  t.not(r.code, 0, 'non-zero exit status');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.equal(lines.length, 1, `exactly one line on stderr: ${JSON.stringify(r.stderr)}`);
  t.match(lines[0] ?? '', /^error: /);
  if (typeof message === 'string') t.equal(lines[0], `error: ${message}`);
  else t.match(lines[0] ?? '', message);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** Runs xvirt, expects exit 0 and nothing on stderr, returns stdout. */
export async function xvirtOk(t: Test, args: string[]): Promise<string> {
  const r = await xvirt(args);
  t.equal(r.code, 0, `xvirt ${args.join(' ')} exits 0 (stderr: ${r.stderr})`);
  t.equal(r.stderr, '', 'nothing on stderr');
  return r.stdout;
}

/** Runs xvirt with --json, expects one JSON document on one line, returns it parsed. */
export async function xvirtJson(t: Test, args: string[]): Promise<unknown> {
  const out = await xvirtOk(t, [...args, '--json']);
  t.match(out, /^[^\n]*\n$/, 'one JSON document on one line');
  return JSON.parse(out);
}
