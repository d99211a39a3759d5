/**
 * xvirtd's log: one line per event, filtered by libvirt's numeric levels
 * (log_level), written to each of its outputs (log_outputs).
 *
 * log_outputs takes a subset of libvirt's syntax: space-separated
 * `LEVEL:stderr` and `LEVEL:file:/absolute/path` entries, e.g.
 * "1:file:/var/log/xvirt/xvirtd.log 3:stderr". An output writes the lines at
 * or above both its own LEVEL and log_level. Files are opened for appending at
 * start-up (a failure stops the daemon) and written synchronously, so lines
 * keep their order and the last ones before a crash are on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export enum LogLevel {
  DEBUG = 1,
  INFO = 2,
  WARNING = 3,
  ERROR = 4,
}

const NAMES = ['', 'debug', 'info', 'warning', 'error'];

/** One parsed log_outputs entry. */
export interface LogOutputSpec {
  level: LogLevel;
  /** 'stderr', or the absolute path of a file. */
  target: 'stderr' | { file: string };
}

/** Parses a log_outputs value; throws an Error saying which entry is wrong and why. */
export function parseLogOutputs(text: string): LogOutputSpec[] {
  const entries = text
    .trim()
    .split(/\s+/)
    .filter((e) => e !== '');
  if (entries.length === 0) throw new Error('expected at least one output, e.g. "3:stderr"');
  return entries.map((entry) => {
    const m = /^([1-4]):(stderr|file:(.*))$/.exec(entry);
    if (!m) {
      throw new Error(
        `'${entry}': expected LEVEL:stderr or LEVEL:file:/absolute/path with LEVEL 1-4 ` +
          '(syslog and journald outputs are not supported)',
      );
    }
    const level = Number(m[1]) as LogLevel;
    if (m[2] === 'stderr') return { level, target: 'stderr' as const };
    const file = m[3]!;
    if (!path.isAbsolute(file)) throw new Error(`'${entry}': the log file must be an absolute path`);
    return { level, target: { file } };
  });
}

interface Output {
  level: LogLevel;
  write(line: string): void;
  close(): void;
}

/** Opens the outputs `specs` name (files created with mode 0600, parent directories 0700 if missing). */
export function openLogOutputs(specs: readonly LogOutputSpec[]): Output[] {
  const opened: Output[] = [];
  try {
    for (const spec of specs) {
      if (spec.target === 'stderr') {
        opened.push({
          level: spec.level,
          write: (l) => {
            process.stderr.write(l);
          },
          close: () => undefined,
        });
        continue;
      }
      const file = spec.target.file;
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
      opened.push({
        level: spec.level,
        write: (l) => {
          fs.writeSync(fd, l);
        },
        close: () => fs.closeSync(fd),
      });
    }
  } catch (err) {
    for (const o of opened) o.close();
    throw err;
  }
  return opened;
}

export class Logger {
  readonly #outputs: Output[];

  /**
   * `level` is log_level; `out` receives each line (stderr by default), or
   * pass opened outputs (openLogOutputs) to write to several places.
   */
  constructor(
    public level: number = LogLevel.WARNING,
    out: ((line: string) => void) | Output[] = (l) => process.stderr.write(l),
  ) {
    this.#outputs = Array.isArray(out) ? out : [{ level: LogLevel.DEBUG, write: out, close: () => undefined }];
  }

  log(level: LogLevel, message: string): void {
    if (level < this.level) return;
    const line = `${new Date().toISOString()} xvirtd[${process.pid}] ${NAMES[level]}: ${message}\n`;
    for (const o of this.#outputs) {
      if (level < o.level) continue;
      try {
        o.write(line);
      } catch {
        // A full disk must not stop the daemon serving; the other outputs still get the line.
      }
    }
  }

  debug(message: string): void {
    this.log(LogLevel.DEBUG, message);
  }
  info(message: string): void {
    this.log(LogLevel.INFO, message);
  }
  warn(message: string): void {
    this.log(LogLevel.WARNING, message);
  }
  error(message: string): void {
    this.log(LogLevel.ERROR, message);
  }

  /** Closes the log files (at shutdown). */
  close(): void {
    for (const o of this.#outputs.splice(0)) o.close();
  }
}
