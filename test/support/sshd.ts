/**
 * A private OpenSSH server on 127.0.0.1 for ssh-transport tests: fresh host
 * and user keys, its own sshd_config on a free port (run as root, which the
 * test suite is), and a client side that never touches ~/.ssh: a
 * known_hosts file, the user key, an ssh_config, and a wrapper script to hand
 * to libvirt/xvirt as the `command=` URI parameter. Stopped in t.teardown.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitListening } from './ports';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Environment for every session (sshd's SetEnv), e.g. PATH and XVIRTD_SOCK. */
  sessionEnv?: Record<string, string>;
}

export interface Sshd {
  readonly dir: string;
  readonly port: number;
  /** The user's private key (for keyfile=). */
  readonly userKey: string;
  /** A known_hosts file holding this server's host key. */
  readonly knownHosts: string;
  /** An executable that runs ssh with this harness's ssh_config (for command=). */
  readonly sshWrapper: string;
  log(): string;
  stop(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startSshd(t: Teardown, options: SshdOptions = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: run scripts/install-test-deps as root`);
  if (process.getuid?.() !== 0) throw new Error('the private sshd runs as root: run the test suite as root');
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xvirt-test-host', '-f', hostKey]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xvirt-test-user', '-f', userKey]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`), { mode: 0o600 });
  const port = await freePort();
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub}\n[localhost]:${port} ${hostPub}\n`);
  const env = Object.entries(options.sessionEnv ?? {}).map(([k, v]) => `${k}=${v}`);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp dir sits under world-writable /tmp, which StrictModes would refuse.
      'StrictModes no',
      'LogLevel VERBOSE',
      ...(env.length ? [`SetEnv ${env.join(' ')}`] : []),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host *',
      `  IdentityFile ${userKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const sshWrapper = join(dir, 'ssh');
  writeFileSync(sshWrapper, `#!/bin/sh\nexec ssh -F ${join(dir, 'ssh_config')} "$@"\n`);
  chmodSync(sshWrapper, 0o755);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory

  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let stopped = false;
  const sshd: Sshd = {
    dir,
    port,
    userKey,
    knownHosts,
    sshWrapper,
    log: () => stderr,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => sshd.stop());
  await waitListening(port, child, { what: 'sshd', timeoutMs: 10000, log: () => stderr });
  return sshd;
}
