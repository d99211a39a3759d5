/**
 * The connection interface: one Connection per opened URI, whatever driver
 * serves it. This layer owns what every backend shares: argument checks,
 * read-only enforcement, Domain objects, and fanning lifecycle events out to
 * listeners and async iterators.
 */
import type { Duplex } from 'node:stream';
import { DomainEventType, ListDomainsFlags } from './constants';
import { ErrorDomain, ErrorNumber, XvirtError } from './errors';
import { openDriver } from './drivers/registry';
import type {
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  Driver,
  DriverLifecycleEvent,
  NodeInfo,
  OpenOptions,
} from './types';
import { DEFAULT_URI, parseUri, type ConnectionUri } from './uri';
import { parseUuid } from './uuid';
import { LifecycleEventStream } from './event-stream';
import {
  abortedError,
  checkListener,
  checkName,
  checkOptions,
  checkSignal,
  checkUnsigned,
  invalidArg,
  need,
} from './api-checks';
import { DomainMonitoring } from './monitoring';
import { NetworkStorageHost } from './netstore-connection';

export { DEFAULT_URI };

/** A lifecycle event as the public API delivers it. */
export interface LifecycleEvent {
  domain: Domain;
  event: DomainEventType;
  /** Per-event detail number, libvirt's (see DomainEvent*Detail). */
  detail: number;
}

export type LifecycleListener = (event: LifecycleEvent) => void;

function closedError(): XvirtError {
  return XvirtError.of(ErrorNumber.INVALID_CONN, ErrorDomain.NONE, 'connection is closed');
}

/**
 * The URI of the last connection opened, parsed and frozen: each connection keeps its URI for as long as it is
 * open, and a daemon's clients mostly open the same one, so they share one record (~200 bytes per idle client).
 */
let lastUri: ConnectionUri | null = null;

function parseConnectionUri(text: string): ConnectionUri {
  if (lastUri?.text === text) return lastUri;
  const parsed = parseUri(text);
  for (const param of parsed.params) Object.freeze(param);
  Object.freeze(parsed.params);
  return (lastUri = Object.freeze(parsed));
}

/** Opens a connection. `uri` defaults to $XVIRT_DEFAULT_URI, then test:///default. */
export async function connect(uri?: string | null, options: OpenOptions = {}): Promise<Connection> {
  if (uri !== undefined && uri !== null && typeof uri !== 'string')
    throw invalidArg(`uri must be a string, got ${typeof uri}`);
  checkOptions(options, 'options');
  const signal = checkSignal(options.signal, 'options.signal');
  if (options.readonly !== undefined && typeof options.readonly !== 'boolean') {
    throw invalidArg(`options.readonly must be a boolean, got ${typeof options.readonly}`);
  }
  const text = uri ?? (process.env.XVIRT_DEFAULT_URI || DEFAULT_URI);
  const parsed = parseConnectionUri(text);
  if (signal?.aborted) throw abortedError(signal, `connect to ${text}`);
  let driver: Driver;
  try {
    driver = await openDriver(parsed, options);
  } catch (err) {
    // Whatever an abandoned open failed with (a transport's AbortError, a reset socket), the cause is the abort.
    if (signal?.aborted) throw abortedError(signal, `connect to ${text}`);
    throw err;
  }
  if (signal?.aborted) {
    await driver.close().catch(() => undefined);
    throw abortedError(signal, `connect to ${text}`);
  }
  return new Connection(parsed, driver, options.readonly === true);
}

/** Calls one close listener; a throwing one is reported, never passed on to close() or the other listeners. */
function notifyClose(listener: (reason: number) => void, reason: number): void {
  try {
    listener(reason);
  } catch (err) {
    process.emitWarning(`xvirt close listener threw: ${(err as Error)?.stack ?? String(err)}`);
  }
}

export class Connection extends NetworkStorageHost<Domain> {
  /** The parsed URI this connection was opened with. */
  readonly uri: ConnectionUri;
  readonly readonly: boolean;
  readonly #driver: Driver;
  #closed = false;
  // Made with the first listener: most connections (a daemon's idle clients) never have one.
  #listeners: Set<LifecycleListener> | null = null;
  #eventsArmed: Promise<void> | null = null;
  #closeListeners: Set<(reason: number) => void> | null = null;

  /** Use connect(); this is public only for drivers' tests. */
  constructor(uri: ConnectionUri, driver: Driver, readonly: boolean) {
    super();
    this.uri = uri;
    this.#driver = driver;
    this.readonly = readonly;
    driver.onClosed((reason) => {
      this.#closed = true;
      for (const l of this.#closeListeners ?? []) notifyClose(l, reason);
    });
  }

  /** @internal the driver, checked to be open. */
  driver(): Driver {
    if (this.#closed) throw closedError();
    return this.#driver;
  }

  /** @internal a Domain object for a driver's reference. */
  wrapDomain(ref: DomainRef): Domain {
    return new Domain(this, ref);
  }

  /** @internal the driver, or null once closed (for the hot path). */
  driverOrNull(): Driver | null {
    return this.#closed ? null : this.#driver;
  }

  /** @internal throws OPERATION_DENIED on a read-only connection. */
  writable(api: string): Driver {
    const driver = this.driver();
    if (this.readonly) {
      throw XvirtError.of(ErrorNumber.OPERATION_DENIED, ErrorDomain.DOMAIN, `read only access prevents ${api}`);
    }
    return driver;
  }

  get driverName(): string {
    return this.#driver.name;
  }

  /** Hypervisor type, e.g. 'TEST' or 'Xen'. */
  async getType(): Promise<string> {
    return this.driver().getType();
  }
  /** Hypervisor version, libvirt-encoded. */
  async getVersion(): Promise<number> {
    return this.driver().getVersion();
  }
  async getLibVersion(): Promise<number> {
    return this.driver().getLibVersion();
  }
  async getHostname(): Promise<string> {
    return this.driver().getHostname();
  }
  async getUri(): Promise<string> {
    return this.driver().getUri();
  }
  async getCapabilities(): Promise<string> {
    return this.driver().getCapabilities();
  }
  async getNodeInfo(): Promise<NodeInfo> {
    return this.driver().getNodeInfo();
  }
  async isSecure(): Promise<boolean> {
    return this.driver().isSecure();
  }
  async getMaxVcpus(type: string | null = null): Promise<number> {
    return this.driver().getMaxVcpus(type);
  }
  isAlive(): boolean {
    return !this.#closed && this.#driver.isAlive();
  }
  get closed(): boolean {
    return this.#closed;
  }

  /** All domains matching `flags` (ListDomainsFlags; 0 = all). */
  async listAllDomains(flags: number = 0): Promise<Domain[]> {
    checkUnsigned(flags, 'flags');
    const refs = await this.driver().listAllDomains(flags);
    return refs.map((r) => new Domain(this, r));
  }

  /** Running domains. */
  listActiveDomains(): Promise<Domain[]> {
    return this.listAllDomains(ListDomainsFlags.ACTIVE);
  }

  async lookupDomainById(id: number): Promise<Domain> {
    checkUnsigned(id, 'domain id', 0x7fffffff);
    return new Domain(this, await this.driver().lookupById(id));
  }

  async lookupDomainByName(name: string): Promise<Domain> {
    checkName(name, 'domain name');
    return new Domain(this, await this.driver().lookupByName(name));
  }

  async lookupDomainByUUID(uuid: string): Promise<Domain> {
    return new Domain(this, await this.driver().lookupByUuid(parseUuid(uuid)));
  }

  /** Defines (or redefines) a persistent domain from libvirt domain XML. */
  async defineXML(xml: string): Promise<Domain> {
    checkName(xml, 'domain XML');
    return new Domain(this, await this.writable('virDomainDefineXML').defineXML(xml));
  }

  /**
   * virDomainRestoreFlags: starts the domain saved in `file` (absolute path)
   * by Domain.save. Like libvirt's, resolves with nothing whatever the
   * driver (the remote protocol's reply names no domain): look the domain up
   * by the name or UUID it was saved with.
   */
  async restore(file: string, flags: number = 0): Promise<void> {
    checkName(file, 'file');
    checkUnsigned(flags, 'flags');
    await need(this.writable('virDomainRestoreFlags'), 'domainRestore', 'virDomainRestoreFlags')(file, flags);
  }

  /** Creates and starts a transient domain from libvirt domain XML. */
  async createXML(xml: string, flags: number = 0): Promise<Domain> {
    checkName(xml, 'domain XML');
    checkUnsigned(flags, 'flags');
    return new Domain(this, await this.writable('virDomainCreateXML').createXML(xml, flags));
  }

  /**
   * Calls `listener` for every lifecycle event from now on. Resolves, once
   * delivery is armed, with a function that removes the listener.
   */
  async onLifecycle(listener: LifecycleListener): Promise<() => Promise<void>> {
    checkListener(listener, 'listener');
    this.driver();
    const listeners = (this.#listeners ??= new Set());
    listeners.add(listener);
    try {
      await this.#armEvents();
    } catch (err) {
      listeners.delete(listener);
      throw err;
    }
    return async () => {
      if (!listeners.delete(listener) || listeners.size > 0 || this.#closed) return;
      const armed = this.#eventsArmed;
      this.#eventsArmed = null;
      if (armed)
        await armed.then(
          () => this.#driver.stopLifecycleEvents(),
          () => undefined,
        );
    };
  }

  /**
   * Lifecycle events as an async iterable. Resolves once delivery is armed;
   * ends when `signal` aborts, `stream.close()` is called or the connection closes.
   */
  async lifecycleEvents(
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<LifecycleEventStream<LifecycleEvent>> {
    checkOptions(options, 'options');
    const stream = new LifecycleEventStream<LifecycleEvent>(options.signal);
    const off = await this.onLifecycle((ev) => stream.push(ev));
    // Ending the stream deregisters; a failed deregistration (say, the daemon
    // already gone) must not become an unhandled rejection.
    stream.onEnd(() => {
      off().catch((err: unknown) =>
        process.emitWarning(`xvirt: event deregistration failed: ${String((err as Error)?.message ?? err)}`),
      );
    });
    this.onClose(() => stream.end());
    return stream;
  }

  /** Calls `listener` with a CloseReason if the connection dies on its own. */
  onClose(listener: (reason: number) => void): void {
    checkListener(listener, 'listener');
    (this.#closeListeners ??= new Set()).add(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners?.clear();
    this.clearNetStoreListeners();
    try {
      await this.#driver.close();
    } finally {
      for (const l of this.#closeListeners ?? []) notifyClose(l, 3 /* CloseReason.CLIENT */);
      this.#closeListeners?.clear();
    }
  }

  #armEvents(): Promise<void> {
    if (!this.#eventsArmed) {
      const armed = this.#driver.startLifecycleEvents((ev) => this.#dispatch(ev));
      armed.catch(() => {
        if (this.#eventsArmed === armed) this.#eventsArmed = null;
      });
      this.#eventsArmed = armed;
    }
    return this.#eventsArmed;
  }

  #dispatch(ev: DriverLifecycleEvent): void {
    const event: LifecycleEvent = { domain: new Domain(this, ev.domain), event: ev.event, detail: ev.detail };
    for (const listener of this.#listeners ?? []) {
      try {
        listener(event);
      } catch (err) {
        // One faulty listener must not starve the others; surface it without crashing the loop.
        process.emitWarning(`xvirt lifecycle listener threw: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }
}

/** A domain on a connection. Holds its name, UUID and current id. */
export class Domain extends DomainMonitoring {
  readonly connection: Connection;
  #ref: DomainRef;

  constructor(connection: Connection, ref: DomainRef) {
    super();
    this.connection = connection;
    this.#ref = ref;
  }

  get name(): string {
    return this.#ref.name;
  }
  get uuid(): string {
    return this.#ref.uuid;
  }
  /** Hypervisor id, or -1 while the domain is not running (as of the last call that changed it). */
  get id(): number {
    return this.#ref.id;
  }
  /** The plain identity of this domain (name, uuid, id). */
  get ref(): DomainRef {
    return this.#ref;
  }

  /** @internal */ monitorDriver(): Driver {
    return this.connection.driver();
  }
  /** @internal */ monitorWritable(api: string): Driver {
    return this.connection.writable(api);
  }

  // The two polling calls skip the async wrapper (they are the hot path) but,
  // like every other method, report a closed connection as a rejection.
  getInfo(): Promise<DomainInfo> {
    const driver = this.connection.driverOrNull();
    return driver ? driver.domainGetInfo(this.#ref) : Promise.reject(closedError());
  }

  getState(): Promise<DomainStateInfo> {
    const driver = this.connection.driverOrNull();
    return driver ? driver.domainGetState(this.#ref) : Promise.reject(closedError());
  }
  async getOSType(): Promise<string> {
    return this.connection.driver().domainGetOSType(this.#ref);
  }
  /** Maximum memory in KiB. */
  async getMaxMemory(): Promise<number> {
    return this.connection.driver().domainGetMaxMemory(this.#ref);
  }
  async isActive(): Promise<boolean> {
    return this.connection.driver().domainIsActive(this.#ref);
  }
  async isPersistent(): Promise<boolean> {
    return this.connection.driver().domainIsPersistent(this.#ref);
  }
  async getAutostart(): Promise<boolean> {
    return this.connection.driver().domainGetAutostart(this.#ref);
  }

  /** Domain XML. flags: DomainXMLFlags (SECURE and MIGRATABLE need a writable connection). */
  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    const driver = flags & (1 | 8) ? this.connection.writable('virDomainGetXMLDesc') : this.connection.driver();
    return driver.domainGetXMLDesc(this.#ref, flags);
  }

  /** Starts the (defined, inactive) domain. */
  async create(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    this.#ref = await this.connection.writable('virDomainCreate').domainCreate(this.#ref, flags);
  }

  async destroy(): Promise<void> {
    await this.connection.writable('virDomainDestroy').domainDestroy(this.#ref);
    this.#ref = { ...this.#ref, id: -1 };
  }

  async suspend(): Promise<void> {
    return this.connection.writable('virDomainSuspend').domainSuspend(this.#ref);
  }
  async resume(): Promise<void> {
    return this.connection.writable('virDomainResume').domainResume(this.#ref);
  }
  async shutdown(): Promise<void> {
    return this.connection.writable('virDomainShutdown').domainShutdown(this.#ref);
  }

  async reboot(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return this.connection.writable('virDomainReboot').domainReboot(this.#ref, flags);
  }

  async undefine(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    return this.connection.writable('virDomainUndefineFlags').domainUndefine(this.#ref, flags);
  }

  /** virDomainSaveFlags: saves the running domain's state to `file` (absolute path); the domain stops. */
  async save(file: string, flags: number = 0): Promise<void> {
    checkName(file, 'file');
    checkUnsigned(flags, 'flags');
    await need(this.connection.writable('virDomainSaveFlags'), 'domainSave', 'virDomainSaveFlags')(
      this.#ref,
      file,
      flags,
    );
    this.#ref = { ...this.#ref, id: -1 };
  }

  /**
   * virDomainOpenConsole: the guest's console (devName null: the first one)
   * as a byte stream. flags: DomainConsoleFlags (FORCE ends another session).
   */
  async openConsole(devName: string | null = null, flags: number = 0): Promise<Duplex> {
    if (devName !== null) checkName(devName, 'devname');
    checkUnsigned(flags, 'flags');
    return need(this.connection.writable('virDomainOpenConsole'), 'domainOpenConsole', 'virDomainOpenConsole')(
      this.#ref,
      devName,
      flags,
    );
  }

  /** virDomainManagedSave: saves the domain into an image the next create() restores. */
  async managedSave(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    await need(
      this.connection.writable('virDomainManagedSave'),
      'domainManagedSave',
      'virDomainManagedSave',
    )(this.#ref, flags);
    this.#ref = { ...this.#ref, id: -1 };
  }

  async hasManagedSaveImage(flags: number = 0): Promise<boolean> {
    checkUnsigned(flags, 'flags');
    return need(
      this.connection.driver(),
      'domainHasManagedSaveImage',
      'virDomainHasManagedSaveImage',
    )(this.#ref, flags);
  }

  async managedSaveRemove(flags: number = 0): Promise<void> {
    checkUnsigned(flags, 'flags');
    const driver = this.connection.writable('virDomainManagedSaveRemove');
    return need(driver, 'domainManagedSaveRemove', 'virDomainManagedSaveRemove')(this.#ref, flags);
  }

  async setAutostart(autostart: boolean): Promise<void> {
    if (typeof autostart !== 'boolean') throw invalidArg('autostart must be a boolean');
    return this.connection.writable('virDomainSetAutostart').domainSetAutostart(this.#ref, autostart);
  }

  /** Sets the current memory (balloon target) in KiB. */
  async setMemory(memoryKiB: number): Promise<void> {
    checkUnsigned(memoryKiB, 'memory (KiB)', Number.MAX_SAFE_INTEGER);
    return this.connection.writable('virDomainSetMemory').domainSetMemory(this.#ref, memoryKiB);
  }

  async setVcpus(nvcpus: number): Promise<void> {
    checkUnsigned(nvcpus, 'vCPU count');
    if (nvcpus === 0) throw invalidArg('vCPU count must be at least 1');
    return this.connection.writable('virDomainSetVcpus').domainSetVcpus(this.#ref, nvcpus);
  }
}
