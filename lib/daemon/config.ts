/**
 * xvirtd's configuration: a libvirtd.conf-like file of `key = value` lines
 * (values: integers, "double-quoted strings", or [ "lists", "of strings" ]),
 * `#` comments. Every key is checked; a bad line is reported with its file,
 * line number and key, and the daemon refuses to start rather than guess.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_URI } from '../uri';
import { defaultSecurityConfig, type AuthScheme, type SecurityConfig } from '../auth/daemon-config';
import { checkSecurityConfig, SECURITY_KEYS } from './security-keys';
import { LogLevel, parseLogOutputs, type LogOutputSpec } from './log';
import { auth, int, str, type Setter as GenericSetter, type Value } from './config-setters';

export { AUTH_SCHEMES, type AuthScheme } from '../auth/daemon-config';

export interface DaemonConfig {
  /** Read-write unix socket; '' disables it. */
  unixSockRwPath: string;
  /** Read-only unix socket; '' disables it. */
  unixSockRoPath: string;
  unixSockRwPerms: number;
  unixSockRoPerms: number;
  listenTcp: boolean;
  tcpListenAddr: string;
  tcpPort: number;
  authUnixRw: AuthScheme;
  authUnixRo: AuthScheme;
  authTcp: AuthScheme;
  maxClients: number;
  /** Slots of max_clients only the unix sockets may use: a TCP/TLS flood never takes them. */
  unixClientsReserve: number;
  /** Calls in flight across all clients (libvirtd's max_workers); past it, calls wait their turn. */
  maxWorkers: number;
  /** Calls one client may have in flight; past it, its socket is not read until one finishes. */
  maxClientRequests: number;
  /** Bytes queued towards one client before it counts as a dead reader and is dropped. */
  maxClientOutput: number;
  /** Messages (replies and events) queued towards one client before it is dropped the same way. */
  maxClientOutputMessages: number;
  /** Seconds of silence before a PING; <= 0 disables keepalive. */
  keepaliveInterval: number;
  /** Unanswered PINGs before the peer is dropped. */
  keepaliveCount: number;
  /** libvirt's levels: 1 debug, 2 info, 3 warning, 4 error. */
  logLevel: number;
  /** Where log lines go (log_outputs, lib/daemon/log.ts); default: stderr. */
  logOutputs: LogOutputSpec[];
  /** URI opened when a client's CONNECT_OPEN names none (empty or absent). */
  defaultUri: string;
  /** TLS listener, auth_tls, SASL settings (lib/auth/daemon-config.ts; keys: security-keys.ts). */
  security: SecurityConfig;
}

/** Where root's (the system) xvirtd puts its sockets. */
export const SYSTEM_SOCKET_DIR = '/run/xvirt';

/** Where sockets live by default: SYSTEM_SOCKET_DIR for root, the user's runtime dir otherwise. */
export function defaultSocketDir(): string {
  if (process.getuid?.() === 0) return SYSTEM_SOCKET_DIR;
  return path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), 'xvirt');
}

export function defaultConfig(): DaemonConfig {
  const dir = defaultSocketDir();
  return {
    unixSockRwPath: path.join(dir, 'xvirtd-sock'),
    unixSockRoPath: path.join(dir, 'xvirtd-sock-ro'),
    unixSockRwPerms: 0o700,
    unixSockRoPerms: 0o777,
    listenTcp: false,
    tcpListenAddr: '127.0.0.1',
    tcpPort: 16509,
    authUnixRw: 'none',
    authUnixRo: 'none',
    authTcp: 'none',
    maxClients: 5000,
    unixClientsReserve: 100,
    maxWorkers: 500,
    maxClientRequests: 64,
    // A client that does not read is owed little: 4 MiB or 4096 messages (a lone larger reply still goes out).
    maxClientOutput: 4 * 1024 * 1024,
    maxClientOutputMessages: 4096,
    keepaliveInterval: 5,
    keepaliveCount: 5,
    logLevel: 3,
    logOutputs: [{ level: LogLevel.DEBUG, target: 'stderr' }],
    defaultUri: DEFAULT_URI,
    security: defaultSecurityConfig(),
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Setter = GenericSetter<DaemonConfig>;

function perms(set: (cfg: DaemonConfig, mode: number) => void): Setter {
  return str<DaemonConfig>(
    (s) => (/^0?[0-7]{3}$/.test(s) ? null : `expected an octal mode like "0700", got "${s}"`),
    (cfg, s) => set(cfg, parseInt(s, 8)),
  );
}

function socketPath(set: (cfg: DaemonConfig, p: string) => void): Setter {
  return str<DaemonConfig>(
    (s) =>
      s === '' || path.isAbsolute(s)
        ? s.length > 107
          ? 'socket path longer than 107 bytes'
          : null
        : `expected an absolute path (or "" to disable), got "${s}"`,
    set,
  );
}

const KEYS: Record<string, Setter> = {
  unix_sock_rw_path: socketPath((c, v) => {
    c.unixSockRwPath = v;
  }),
  unix_sock_ro_path: socketPath((c, v) => {
    c.unixSockRoPath = v;
  }),
  unix_sock_rw_perms: perms((c, v) => {
    c.unixSockRwPerms = v;
  }),
  unix_sock_ro_perms: perms((c, v) => {
    c.unixSockRoPerms = v;
  }),
  listen_tcp: int(0, 1, (c, v) => {
    c.listenTcp = v === 1;
  }),
  tcp_listen_addr: str(
    (s) => (s.length > 0 ? null : 'expected an address'),
    (c, v) => {
      c.tcpListenAddr = v;
    },
  ),
  tcp_port: int(0, 65535, (c, v) => {
    c.tcpPort = v;
  }),
  auth_unix_rw: auth((c, v) => {
    c.authUnixRw = v;
  }),
  auth_unix_ro: auth((c, v) => {
    c.authUnixRo = v;
  }),
  auth_tcp: auth((c, v) => {
    c.authTcp = v;
  }),
  max_clients: int(1, 1_000_000, (c, v) => {
    c.maxClients = v;
  }),
  unix_clients_reserve: int(0, 1_000_000, (c, v) => {
    c.unixClientsReserve = v;
  }),
  max_workers: int(1, 1_000_000, (c, v) => {
    c.maxWorkers = v;
  }),
  max_client_requests: int(1, 65536, (c, v) => {
    c.maxClientRequests = v;
  }),
  max_client_output: int(65536, 2 ** 31, (c, v) => {
    c.maxClientOutput = v;
  }),
  max_client_output_messages: int(16, 1_000_000, (c, v) => {
    c.maxClientOutputMessages = v;
  }),
  keepalive_interval: int(-1, 86400, (c, v) => {
    c.keepaliveInterval = v;
  }),
  keepalive_count: int(0, 1000, (c, v) => {
    c.keepaliveCount = v;
  }),
  log_level: int(1, 4, (c, v) => {
    c.logLevel = v;
  }),
  log_outputs: (cfg, value, fail) => {
    if (typeof value !== 'string')
      return fail('expected a "quoted string" like "1:file:/var/log/xvirt/xvirtd.log 3:stderr"');
    try {
      cfg.logOutputs = parseLogOutputs(value);
    } catch (err) {
      fail((err as Error).message);
    }
  },
  default_uri: str(
    (s) => (s.includes('://') ? null : `expected a URI like "test:///default", got "${s}"`),
    (c, v) => {
      c.defaultUri = v;
    },
  ),
  ...SECURITY_KEYS,
};

export const CONFIG_KEYS = Object.keys(KEYS);

const STRING_RE = /^"((?:[^"\\]|\\.)*)"/;

/** Parses one value at the start of `text`; returns it and the rest. */
function parseValue(text: string, fail: (why: string) => never): [Value, string] {
  const s = STRING_RE.exec(text);
  if (s) return [s[1]!.replace(/\\(.)/g, '$1'), text.slice(s[0].length)];
  const n = /^-?\d+/.exec(text);
  if (n) {
    const value = Number(n[0]);
    if (!Number.isSafeInteger(value)) fail(`integer ${n[0]} is too large`);
    return [value, text.slice(n[0].length)];
  }
  if (text.startsWith('[')) {
    const items: string[] = [];
    let rest = text.slice(1).trimStart();
    while (!rest.startsWith(']')) {
      const item = STRING_RE.exec(rest);
      if (!item) fail('expected a list of "quoted strings" closed by ] on the same line');
      items.push(item[1]!.replace(/\\(.)/g, '$1'));
      rest = rest.slice(item[0].length).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    }
    return [items, rest.slice(1)];
  }
  fail('expected an integer, a "quoted string" or a [ list ]');
}

/** Parses config text; `source` names it in errors. Later keys override earlier ones. */
export function parseConfig(text: string, source: string, base: DaemonConfig = defaultConfig()): DaemonConfig {
  const cfg = { ...base, security: { ...base.security } };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const where = `${source}:${i + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${where}: expected 'key = value', got '${line.slice(0, 80)}'`);
    const key = m[1]!;
    const fail = (why: string): never => {
      throw new ConfigError(`${where}: ${key}: ${why}`);
    };
    const setter = KEYS[key];
    if (!setter) throw new ConfigError(`${where}: unknown key '${key}' (known keys: ${CONFIG_KEYS.join(', ')})`);
    const [value, rest] = parseValue(m[2]!, fail);
    const trailing = rest.trim();
    if (trailing !== '' && !trailing.startsWith('#'))
      fail(`unexpected text after the value: '${trailing.slice(0, 40)}'`);
    setter(cfg, value, fail);
  });
  checkSecurityConfig(
    cfg.security,
    {
      auth_unix_rw: cfg.authUnixRw,
      auth_unix_ro: cfg.authUnixRo,
      auth_tcp: cfg.authTcp,
      auth_tls: cfg.security.authTls,
    },
    (why) => {
      throw new ConfigError(`${source}: ${why}`);
    },
  );
  if (cfg.unixSockRwPath === '' && cfg.unixSockRoPath === '' && !cfg.listenTcp && !cfg.security.listenTls) {
    throw new ConfigError(`${source}: no listener left: both unix sockets are disabled and listen_tcp = 0`);
  }
  if (cfg.unixSockRwPath !== '' && cfg.unixSockRwPath === cfg.unixSockRoPath) {
    throw new ConfigError(
      `${source}: unix_sock_rw_path and unix_sock_ro_path are the same file '${cfg.unixSockRwPath}'`,
    );
  }
  return cfg;
}

export function loadConfigFile(file: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file '${file}': ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}
