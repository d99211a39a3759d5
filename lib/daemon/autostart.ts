/**
 * Autostart, as libvirtd does it: when xvirtd starts, every persistent,
 * inactive domain marked autostart on the connection it serves by default
 * (`default_uri`) is started. Works for any driver through the connection
 * interface. Each start and each failure is logged; nothing here can stop
 * the daemon, and one domain that fails to start does not keep the others
 * from starting. Inactive autostart networks and storage pools are started
 * first, as libvirtd's network and storage drivers do before any guest
 * (a guest's NIC and disk may need them).
 */
import type { Connection } from '../connection';
import { ErrorNumber, isXvirtError } from '../errors';
import type { Logger } from './log';

export interface AutostartResult {
  started: string[];
  failed: Array<{ name: string; error: string }>;
}

type Log = Pick<Logger, 'info' | 'error'>;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Startable {
  name: string;
  create(): Promise<unknown>;
}

/** Starts `objects` one after another into `result`: one that fails is logged and recorded, the rest still start. */
async function startEach<T extends Startable>(
  objects: T[],
  noun: string,
  result: AutostartResult,
  log: Log,
  entry: (obj: T) => string,
  startedNote: (obj: T) => string = () => '',
): Promise<void> {
  for (const obj of objects) {
    try {
      await obj.create();
      result.started.push(entry(obj));
      log.info(`autostart: started ${noun} '${obj.name}'${startedNote(obj)}`);
    } catch (err) {
      result.failed.push({ name: entry(obj), error: messageOf(err) });
      log.error(`autostart: cannot start ${noun} '${obj.name}': ${messageOf(err)}`);
    }
  }
}

/** Starts the connection's inactive autostart domains one after another. */
export async function autostartDomains(conn: Connection, log: Log): Promise<AutostartResult> {
  const result: AutostartResult = { started: [], failed: [] };
  // The flag tables load only when there is something to start: a daemon serving test:///default never needs them.
  const { ListDomainsFlags } = await import('../constants');
  const domains = await conn.listAllDomains(
    ListDomainsFlags.INACTIVE | ListDomainsFlags.PERSISTENT | ListDomainsFlags.AUTOSTART,
  );
  await startEach(
    domains,
    'domain',
    result,
    log,
    (dom) => dom.name,
    (dom) => ` (id ${dom.id})`,
  );
  return result;
}

/** Starts the connection's inactive autostart networks, then pools; a driver without them is skipped. */
export async function autostartNetworksAndPools(conn: Connection, log: Log): Promise<AutostartResult> {
  const result: AutostartResult = { started: [], failed: [] };
  const { ListNetworksFlags, ListStoragePoolsFlags } = await import('../netstore-constants');
  const kinds: Array<[string, () => Promise<Startable[]>]> = [
    ['network', () => conn.listAllNetworks(ListNetworksFlags.INACTIVE | ListNetworksFlags.AUTOSTART)],
    ['storage pool', () => conn.listAllStoragePools(ListStoragePoolsFlags.INACTIVE | ListStoragePoolsFlags.AUTOSTART)],
  ];
  for (const [noun, list] of kinds) {
    let objects: Startable[];
    try {
      objects = await list();
    } catch (err) {
      if (!(isXvirtError(err) && err.number === ErrorNumber.NO_SUPPORT)) {
        log.error(`autostart: cannot list the ${noun}s: ${messageOf(err)}`);
      }
      continue;
    }
    await startEach(objects, noun, result, log, (obj) => `${noun} ${obj.name}`);
  }
  return result;
}

/**
 * test:///default is made at its first open with libvirt's fixed defaults, where no domain is marked
 * autostart: opening it at start would only load the test driver (~1.5 MiB of RSS) into an idle daemon.
 */
const NOTHING_TO_AUTOSTART = 'test:///default';

/**
 * Opens `uri`, starts its autostart domains and closes it again (what was
 * started keeps running). Never rejects: a connection that cannot be
 * opened is logged like a domain that cannot be started.
 */
export async function autostartOnStartup(uri: string, log: Log): Promise<AutostartResult | null> {
  if (uri === NOTHING_TO_AUTOSTART) {
    log.info(`autostart on ${uri}: nothing is marked autostart in its default state`);
    return { started: [], failed: [] };
  }
  let conn: Connection;
  try {
    const { connect } = await import('../connection');
    conn = await connect(uri);
  } catch (err) {
    log.error(`autostart: cannot open ${uri}: ${messageOf(err)}`);
    return null;
  }
  try {
    await autostartNetworksAndPools(conn, log);
    const result = await autostartDomains(conn, log);
    log.info(`autostart on ${uri}: ${result.started.length} started, ${result.failed.length} failed`);
    return result;
  } catch (err) {
    log.error(`autostart: cannot list the domains of ${uri}: ${messageOf(err)}`);
    return null;
  } finally {
    await conn.close().catch((err: unknown) => log.error(`autostart: closing ${uri} failed: ${messageOf(err)}`));
  }
}
