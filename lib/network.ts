/**
 * Virtual networks on a connection (libvirt's virNetwork API): typed
 * promises, libvirt's argument checks and numbers, NO_SUPPORT naming the
 * virNetworkXxx API when the driver lacks a call.
 */
import { checkString, checkUnsigned, invalidArg, need } from './api-checks';
import { ErrorDomain } from './errors';
import type { NetworkDHCPLease, NetworkRef } from './netstore-types';
import type { Driver } from './types';

const NET = ErrorDomain.NETWORK;

/** What a Network needs from its connection. */
export interface NetworkHost {
  driver(): Driver;
  writable(api: string): Driver;
}

/** The driver's `method`, checked for a writable connection when `write`, or NO_SUPPORT naming `api`. */
export function driverCall<K extends keyof Driver>(
  host: NetworkHost,
  method: K,
  api: string,
  domain: ErrorDomain,
  write = false,
): NonNullable<Driver[K]> {
  const driver = write ? host.writable(api) : host.driver();
  return need(driver, method as never, api, domain) as NonNullable<Driver[K]>;
}

export class Network {
  readonly connection: NetworkHost;
  readonly ref: NetworkRef;

  constructor(connection: NetworkHost, ref: NetworkRef) {
    this.connection = connection;
    this.ref = ref;
  }

  get name(): string {
    return this.ref.name;
  }
  get uuid(): string {
    return this.ref.uuid;
  }

  #call<K extends keyof Driver>(method: K, api: string, write = false): NonNullable<Driver[K]> {
    return driverCall(this.connection, method, api, NET, write);
  }

  /** Starts the (defined, inactive) network. */
  async create(): Promise<void> {
    return this.#call('networkCreate', 'virNetworkCreate', true)(this.ref);
  }
  async destroy(): Promise<void> {
    return this.#call('networkDestroy', 'virNetworkDestroy', true)(this.ref);
  }
  async undefine(): Promise<void> {
    return this.#call('networkUndefine', 'virNetworkUndefine', true)(this.ref);
  }

  /** Network XML. flags: VIR_NETWORK_XML_INACTIVE (1). */
  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    return this.#call('networkGetXMLDesc', 'virNetworkGetXMLDesc')(this.ref, flags);
  }

  async isActive(): Promise<boolean> {
    return this.#call('networkIsActive', 'virNetworkIsActive')(this.ref);
  }
  async isPersistent(): Promise<boolean> {
    return this.#call('networkIsPersistent', 'virNetworkIsPersistent')(this.ref);
  }
  async getAutostart(): Promise<boolean> {
    return this.#call('networkGetAutostart', 'virNetworkGetAutostart')(this.ref);
  }

  async setAutostart(autostart: boolean): Promise<void> {
    if (typeof autostart !== 'boolean') throw invalidArg('autostart must be a boolean');
    return this.#call('networkSetAutostart', 'virNetworkSetAutostart', true)(this.ref, autostart);
  }

  async getBridgeName(): Promise<string> {
    return this.#call('networkGetBridgeName', 'virNetworkGetBridgeName')(this.ref);
  }

  /** DHCP leases handed out on this network, optionally only those of `mac`. */
  async getDHCPLeases(mac: string | null = null, flags: number = 0): Promise<NetworkDHCPLease[]> {
    if (mac !== null) checkString(mac, 'mac');
    checkUnsigned(flags, 'flags');
    return this.#call('networkGetDHCPLeases', 'virNetworkGetDHCPLeases')(this.ref, mac, flags);
  }
}
