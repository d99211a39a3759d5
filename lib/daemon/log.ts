/** xvirtd's log: one line per event on stderr, filtered by libvirt's numeric levels. */

export enum LogLevel { DEBUG = 1, INFO = 2, WARNING = 3, ERROR = 4 }

const NAMES = ['', 'debug', 'info', 'warning', 'error'];

export class Logger {
  constructor(public level: number = LogLevel.WARNING, private readonly out: (line: string) => void = (l) => process.stderr.write(l)) {}

  log(level: LogLevel, message: string): void {
    if (level < this.level) return;
    this.out(`${new Date().toISOString()} xvirtd[${process.pid}] ${NAMES[level]}: ${message}\n`);
  }

  debug(message: string): void { this.log(LogLevel.DEBUG, message); }
  info(message: string): void { this.log(LogLevel.INFO, message); }
  warn(message: string): void { this.log(LogLevel.WARNING, message); }
  error(message: string): void { this.log(LogLevel.ERROR, message); }
}
