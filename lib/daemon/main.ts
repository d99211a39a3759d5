/**
 * `xvirtd`: command line, config loading, signals (bin/xvirtd.js runs main()).
 * Everything else is in daemon.ts so tests can run a daemon in-process too.
 */
import { ConfigError, defaultConfig, loadConfigFile } from './config';
import { Daemon } from './daemon';
import { ListenError } from './listeners';
import { Logger, openLogOutputs } from './log';
import { autostartOnStartup } from './autostart';
import { XVIRT_VERSION } from '../version';

const USAGE = `Usage: xvirtd [--config FILE]

xvirt's daemon: serves the libvirt remote protocol (program 0x20008086) on
unix sockets and, optionally, TCP, so virsh and other libvirt clients can
manage domains through xvirt's drivers.

Options:
  -f, --config FILE   read settings from FILE (key = value lines; see docs/xvirtd.md)
  -h, --help          print this help and exit
  -V, --version       print the version and exit

Without --config the defaults apply: read-write socket ${defaultConfig().unixSockRwPath} (0700),
read-only socket ${defaultConfig().unixSockRoPath} (0777), no TCP, default URI test:///default.
SIGTERM or SIGINT stops the daemon cleanly (clients are disconnected, socket files removed);
SIGHUP is ignored.
`;

interface Args {
  config: string | null;
  help: boolean;
  version: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { config: null, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') args.help = true;
    else if (a === '-V' || a === '--version') args.version = true;
    else if (a === '-f' || a === '--config') {
      const file = argv[++i];
      if (file === undefined || file === '') throw new ConfigError(`${a} needs a file name`);
      args.config = file;
    } else if (a.startsWith('--config=')) {
      args.config = a.slice('--config='.length);
      if (args.config === '') throw new ConfigError('--config= needs a file name');
    } else {
      throw new ConfigError(`unknown argument '${a}' (try --help)`);
    }
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`xvirtd: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`xvirtd (xvirt) ${XVIRT_VERSION}\n`);
    return 0;
  }
  let daemon: Daemon;
  try {
    const config = args.config ? loadConfigFile(args.config) : defaultConfig();
    let outputs;
    try {
      outputs = openLogOutputs(config.logOutputs);
    } catch (err) {
      throw new ConfigError(`log_outputs: cannot open the log file: ${(err as Error).message}`);
    }
    daemon = new Daemon(config, new Logger(config.logLevel, outputs));
    await daemon.start();
    // One line on stdout when every listener is up: supervisors and tests wait for it (it names TCP port 0's pick).
    process.stdout.write(`xvirtd ready: ${daemon.addresses.map((a) => `${a.kind} ${a.address}`).join(', ')}\n`);
    void autostartOnStartup(daemon.config.defaultUri, daemon.log); // logs each start and failure, never rejects
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ListenError) {
      process.stderr.write(`xvirtd: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      daemon.log.info(`${signal} received, shutting down`);
      daemon
        .stop()
        .finally(() => daemon.log.close())
        .then(
          () => resolve(0),
          (err) => {
            process.stderr.write(`xvirtd: shutdown failed: ${(err as Error).stack ?? err}\n`);
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Node's default for SIGHUP is to exit on the spot, leaving socket files behind. There is nothing to reload.
    process.on('SIGHUP', () => daemon.log.info('SIGHUP received: ignored (xvirtd has no reloadable state)'));
  });
}
