/**
 * The remote driver: every Driver call is one (rarely two) RPCs to a
 * libvirt-protocol daemon (xvirtd or libvirtd), made the way libvirt's own
 * remote driver makes them, so both daemons see the same conversation.
 */
import type { Duplex } from 'node:stream';
import { BoundedCache } from '../../bounded-cache';
import { CloseReason, DomainEventId } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { CLOSE_GRACE_MS, encodeArgs, type EncodedArgs, type RpcClient } from '../../rpc/client';
import { EVENT_MESSAGES, RemoteProcedure as P } from '../../rpc/procedures';
import { decodeDomainInfoReply } from './domain-info';
import { RemoteSaveDriver } from './save';
import { decode } from '../../rpc/xdr';
import type { DomainInfo, DomainRef, DomainStateInfo, Driver, DriverLifecycleEvent, NodeInfo } from '../../types';

export interface RemoteSession {
  client: RpcClient;
  /** The URI the caller opened, as given. */
  uriText: string;
  /** Whether the transport protects the traffic. */
  transportSecure: boolean;
  /** Server answered feature REMOTE_EVENT_CALLBACK (316/317/318) rather than legacy events. */
  eventCallbacks: boolean;
}

type Sink = (event: DriverLifecycleEvent) => void;

export class RemoteDriver extends RemoteSaveDriver implements Driver {
  readonly name = 'remote';
  readonly #s: RemoteSession;
  readonly #client: RpcClient;
  #sink: Sink | null = null;
  /** Callback id the server gave our lifecycle registration (event-callback servers). */
  #callbackId: number | null = null;
  /** Events that arrived while registration was in flight (their callback id not yet known). */
  #early: Array<{ callbackID: number; event: DriverLifecycleEvent }> | null = null;
  readonly #closeListeners: Array<(reason: number) => void> = [];
  /**
   * DOMAIN_GET_INFO's args per domain, encoded once: getInfo is the call a
   * UI polls, and re-encoding the same domain (UUID text to bytes, name to
   * UTF-8) was a measurable share of its client-side cost. Keyed by the ref
   * itself (an identity lookup, cheaper than hashing its UUID text).
   */
  readonly #getInfoArgs = new BoundedCache<DomainRef, { dom: DomainRef; args: EncodedArgs<P.DOMAIN_GET_INFO> }>();

  constructor(session: RemoteSession) {
    super();
    this.#s = session;
    this.#client = session.client;
  }

  protected rpc(): RpcClient {
    return this.#client;
  }

  // ---- wiring called by openRemoteDriver ----

  /** Routes an event MESSAGE from the client; other event kinds were never registered for. */
  handleEvent(procedure: number, payload: Buffer): void {
    try {
      if (this.handleNetStoreEvent(procedure, payload)) return;
      if (procedure === P.DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
        const m = decode(
          EVENT_MESSAGES[P.DOMAIN_EVENT_CALLBACK_LIFECYCLE],
          payload,
          'DOMAIN_EVENT_CALLBACK_LIFECYCLE msg',
        );
        const event = { domain: m.dom, event: m.event, detail: m.detail };
        if (this.#early) this.#early.push({ callbackID: m.callbackID, event });
        else if (m.callbackID === this.#callbackId) this.#sink?.(event);
      } else if (procedure === P.DOMAIN_EVENT_LIFECYCLE && !this.#s.eventCallbacks) {
        const m = decode(EVENT_MESSAGES[P.DOMAIN_EVENT_LIFECYCLE], payload, 'DOMAIN_EVENT_LIFECYCLE msg');
        this.#sink?.({ domain: m.dom, event: m.event, detail: m.detail });
      }
    } catch (err) {
      // One bad event must not take the connection down; the caller's calls still work.
      process.emitWarning(`xvirt remote: dropped malformed event: ${(err as Error).message}`);
    }
  }

  handleClosed(reason: CloseReason): void {
    for (const l of this.#closeListeners.splice(0)) l(reason);
  }

  // ---- connection ----

  async getType(): Promise<string> {
    return (await this.#client.call(P.CONNECT_GET_TYPE, undefined)).type;
  }
  async getVersion(): Promise<number> {
    return (await this.#client.call(P.CONNECT_GET_VERSION, undefined)).hv_ver;
  }
  async getLibVersion(): Promise<number> {
    return (await this.#client.call(P.CONNECT_GET_LIB_VERSION, undefined)).lib_ver;
  }
  async getHostname(): Promise<string> {
    return (await this.#client.call(P.CONNECT_GET_HOSTNAME, undefined)).hostname;
  }
  /** The URI as the caller gave it (as libvirt's virConnectGetURI does for remote connections). */
  async getUri(): Promise<string> {
    return this.#s.uriText;
  }
  async getCapabilities(): Promise<string> {
    return (await this.#client.call(P.CONNECT_GET_CAPABILITIES, undefined)).capabilities;
  }
  getNodeInfo(): Promise<NodeInfo> {
    return this.#client.call(P.NODE_GET_INFO, undefined);
  }

  /** Secure only if both the server's side and our channel to it are. */
  async isSecure(): Promise<boolean> {
    const { secure } = await this.#client.call(P.CONNECT_IS_SECURE, undefined);
    return secure && this.#s.transportSecure;
  }

  async getMaxVcpus(type: string | null): Promise<number> {
    return (await this.#client.call(P.CONNECT_GET_MAX_VCPUS, { type })).max_vcpus;
  }

  // ---- domains ----

  async listAllDomains(flags: number): Promise<DomainRef[]> {
    return (await this.#client.call(P.CONNECT_LIST_ALL_DOMAINS, { need_results: 1, flags })).domains;
  }

  async lookupById(id: number): Promise<DomainRef> {
    return (await this.#client.call(P.DOMAIN_LOOKUP_BY_ID, { id })).dom;
  }
  async lookupByName(name: string): Promise<DomainRef> {
    return (await this.#client.call(P.DOMAIN_LOOKUP_BY_NAME, { name })).dom;
  }
  async lookupByUuid(uuid: string): Promise<DomainRef> {
    return (await this.#client.call(P.DOMAIN_LOOKUP_BY_UUID, { uuid })).dom;
  }
  async defineXML(xml: string): Promise<DomainRef> {
    return (await this.#client.call(P.DOMAIN_DEFINE_XML, { xml })).dom;
  }

  async createXML(xml: string, flags: number): Promise<DomainRef> {
    return (await this.#client.call(P.DOMAIN_CREATE_XML, { xml_desc: xml, flags })).dom;
  }

  domainGetInfo(dom: DomainRef): Promise<DomainInfo> {
    let cached = this.#getInfoArgs.peek(dom);
    // DomainRef is readonly; the field check still guards against a caller that mutated one anyway.
    if (!cached || cached.dom.name !== dom.name || cached.dom.uuid !== dom.uuid || cached.dom.id !== dom.id) {
      try {
        const args = encodeArgs(P.DOMAIN_GET_INFO, { dom });
        cached = this.#getInfoArgs.set(dom, { dom: { name: dom.name, uuid: dom.uuid, id: dom.id }, args });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#client.callEncoded(P.DOMAIN_GET_INFO, cached.args, decodeDomainInfoReply);
  }
  domainGetState(dom: DomainRef): Promise<DomainStateInfo> {
    return this.#client.call(P.DOMAIN_GET_STATE, { dom, flags: 0 });
  }

  async domainGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    return (await this.#client.call(P.DOMAIN_GET_XML_DESC, { dom, flags })).xml;
  }

  async domainGetOSType(dom: DomainRef): Promise<string> {
    return (await this.#client.call(P.DOMAIN_GET_OS_TYPE, { dom })).type;
  }
  async domainGetMaxMemory(dom: DomainRef): Promise<number> {
    return (await this.#client.call(P.DOMAIN_GET_MAX_MEMORY, { dom })).memory;
  }

  /**
   * Without flags, DOMAIN_CREATE then a lookup by UUID for the new id (what
   * libvirt's client does, and what old servers support); with flags,
   * DOMAIN_CREATE_WITH_FLAGS, which returns the domain.
   */
  async domainCreate(dom: DomainRef, flags: number): Promise<DomainRef> {
    if (flags !== 0) return (await this.#client.call(P.DOMAIN_CREATE_WITH_FLAGS, { dom, flags })).dom;
    await this.#client.call(P.DOMAIN_CREATE, { dom });
    return this.lookupByUuid(dom.uuid);
  }

  async domainDestroy(dom: DomainRef): Promise<void> {
    await this.#client.call(P.DOMAIN_DESTROY, { dom });
  }
  async domainSuspend(dom: DomainRef): Promise<void> {
    await this.#client.call(P.DOMAIN_SUSPEND, { dom });
  }
  async domainResume(dom: DomainRef): Promise<void> {
    await this.#client.call(P.DOMAIN_RESUME, { dom });
  }
  async domainShutdown(dom: DomainRef): Promise<void> {
    await this.#client.call(P.DOMAIN_SHUTDOWN, { dom });
  }
  async domainReboot(dom: DomainRef, flags: number): Promise<void> {
    await this.#client.call(P.DOMAIN_REBOOT, { dom, flags });
  }

  /** UNDEFINE_FLAGS; a server without it (code 3) gets plain UNDEFINE when no flags are asked for. */
  async domainUndefine(dom: DomainRef, flags: number): Promise<void> {
    try {
      await this.#client.call(P.DOMAIN_UNDEFINE_FLAGS, { dom, flags });
    } catch (err) {
      if (flags !== 0 || !(err instanceof XvirtError) || err.number !== ErrorNumber.NO_SUPPORT) throw err;
      await this.#client.call(P.DOMAIN_UNDEFINE, { dom });
    }
  }

  async domainIsActive(dom: DomainRef): Promise<boolean> {
    return (await this.#client.call(P.DOMAIN_IS_ACTIVE, { dom })).active;
  }
  async domainIsPersistent(dom: DomainRef): Promise<boolean> {
    return (await this.#client.call(P.DOMAIN_IS_PERSISTENT, { dom })).persistent;
  }
  async domainGetAutostart(dom: DomainRef): Promise<boolean> {
    return (await this.#client.call(P.DOMAIN_GET_AUTOSTART, { dom })).autostart;
  }

  async domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
    await this.#client.call(P.DOMAIN_SET_AUTOSTART, { dom, autostart });
  }

  async domainSetMemory(dom: DomainRef, memoryKiB: number): Promise<void> {
    await this.#client.call(P.DOMAIN_SET_MEMORY, { dom, memory: memoryKiB });
  }

  async domainSetVcpus(dom: DomainRef, nvcpus: number): Promise<void> {
    await this.#client.call(P.DOMAIN_SET_VCPUS, { dom, nvcpus });
  }

  /** DOMAIN_OPEN_CONSOLE: the console as the call's stream (lib/rpc/client-stream.ts). */
  domainOpenConsole(dom: DomainRef, devName: string | null, flags: number): Promise<Duplex> {
    return this.#client.openStream(P.DOMAIN_OPEN_CONSOLE, { dom, dev_name: devName, flags });
  }

  // ---- events ----

  async startLifecycleEvents(sink: Sink): Promise<void> {
    if (this.#sink)
      throw XvirtError.of(
        ErrorNumber.OPERATION_INVALID,
        ErrorDomain.NONE,
        'lifecycle events are already being delivered',
      );
    this.#sink = sink;
    try {
      if (!this.#s.eventCallbacks) {
        await this.#client.call(P.CONNECT_DOMAIN_EVENT_REGISTER_ANY, { eventID: DomainEventId.LIFECYCLE });
        return;
      }
      this.#early = [];
      const { callbackID } = await this.#client.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, {
        eventID: DomainEventId.LIFECYCLE,
        dom: null,
      });
      this.#callbackId = callbackID;
      const early = this.#early;
      this.#early = null;
      for (const e of early) if (e.callbackID === callbackID) sink(e.event);
    } catch (err) {
      this.#sink = null;
      this.#early = null;
      throw err;
    }
  }

  async stopLifecycleEvents(): Promise<void> {
    if (!this.#sink) return;
    const callbackID = this.#callbackId;
    this.#sink = null;
    this.#callbackId = null;
    if (!this.#client.alive) return;
    if (callbackID === null) {
      await this.#client.call(P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, { eventID: DomainEventId.LIFECYCLE });
    } else {
      await this.#client.call(P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID });
    }
  }

  // ---- lifetime ----

  onClosed(listener: (reason: number) => void): void {
    this.#closeListeners.push(listener);
  }

  isAlive(): boolean {
    return this.#client.alive;
  }

  /** CONNECT_CLOSE (the server replies, then hangs up), then our end of the stream. Never hangs. */
  async close(): Promise<void> {
    this.#closeListeners.length = 0;
    if (this.#client.alive) {
      // A stalled server must not make close() hang: give it CLOSE_GRACE_MS to answer.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([this.#client.call(P.CONNECT_CLOSE, undefined).catch(() => undefined), grace]);
      clearTimeout(timer);
    }
    await this.#client.close();
  }
}
