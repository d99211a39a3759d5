/**
 * Node devices and host interfaces (libvirt's virNodeDevice and virInterface
 * APIs): the read-only list/lookup/XML calls management tools make.
 */
import { checkUnsigned, need } from './api-checks';
import { ErrorDomain } from './errors';
import type { InterfaceRef, NodeDeviceRef } from './netstore-types';
import type { NetworkHost } from './network';

export class NodeDevice {
  readonly connection: NetworkHost;
  readonly ref: NodeDeviceRef;

  constructor(connection: NetworkHost, ref: NodeDeviceRef) {
    this.connection = connection;
    this.ref = ref;
  }

  get name(): string {
    return this.ref.name;
  }

  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    return need(
      this.connection.driver(),
      'nodeDeviceGetXMLDesc',
      'virNodeDeviceGetXMLDesc',
      ErrorDomain.NODEDEV,
    )(this.ref, flags);
  }

  /** The parent device's name (INTERNAL_ERROR for the root, as libvirt). */
  async getParent(): Promise<string | null> {
    return need(
      this.connection.driver(),
      'nodeDeviceGetParent',
      'virNodeDeviceGetParent',
      ErrorDomain.NODEDEV,
    )(this.ref);
  }

  async listCaps(): Promise<string[]> {
    return need(this.connection.driver(), 'nodeDeviceListCaps', 'virNodeDeviceListCaps', ErrorDomain.NODEDEV)(this.ref);
  }
}

export class HostInterface {
  readonly connection: NetworkHost;
  readonly ref: InterfaceRef;

  constructor(connection: NetworkHost, ref: InterfaceRef) {
    this.connection = connection;
    this.ref = ref;
  }

  get name(): string {
    return this.ref.name;
  }
  get mac(): string {
    return this.ref.mac;
  }

  async getXMLDesc(flags: number = 0): Promise<string> {
    checkUnsigned(flags, 'flags');
    return need(
      this.connection.driver(),
      'interfaceGetXMLDesc',
      'virInterfaceGetXMLDesc',
      ErrorDomain.INTERFACE,
    )(this.ref, flags);
  }

  async isActive(): Promise<boolean> {
    return need(this.connection.driver(), 'interfaceIsActive', 'virInterfaceIsActive', ErrorDomain.INTERFACE)(this.ref);
  }
}
