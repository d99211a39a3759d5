/**
 * The test driver's virtual networks, with libvirt 9.0's test-driver
 * behaviour: define/create/start/destroy/undefine, their events and errors
 * (including its quirks: destroy does not check the network is running).
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import { NetworkEventType } from '../../netstore-constants';
import type { DriverNetworkEvent, NetworkRef } from '../../netstore-types';
import type { NetworkDefinition } from '../../xml/network';
import { EventHub } from '../event-hub';
import { matchesStateFlags } from '../list-flags';
import { ObjectList } from './object-list';

export class TestNetwork {
  /** The definition in effect (the live one while running). */
  def: NetworkDefinition;
  /** The persistent definition waiting for the network to stop, if redefined while running. */
  nextDef: NetworkDefinition | null = null;
  active = false;
  persistent: boolean;
  autostart = false;

  constructor(def: NetworkDefinition, persistent: boolean) {
    this.def = def;
    this.persistent = persistent;
  }

  get name(): string {
    return this.def.name;
  }
  get uuid(): string {
    return this.def.uuid;
  }
  get ref(): NetworkRef {
    return { name: this.def.name, uuid: this.def.uuid };
  }
}

function noNetwork(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.NO_NETWORK, ErrorDomain.TEST, detail);
}

export class TestNetworks {
  readonly #list = new ObjectList<TestNetwork>('network');
  readonly events = new EventHub<DriverNetworkEvent>();

  #emit(net: TestNetwork, event: NetworkEventType): void {
    this.events.emit({ network: net.ref, event, detail: 0 });
  }

  byName(name: string): TestNetwork {
    const net = this.#list.byName(name);
    if (!net) throw noNetwork(`no network with matching name '${name}'`);
    return net;
  }

  byUuid(uuid: string): TestNetwork {
    const net = this.#list.byUuid(uuid);
    if (!net) throw noNetwork(`no network with matching uuid '${uuid}'`);
    return net;
  }

  /** Sorted by name (libvirt's order is its hash table's; virsh sorts). */
  list(flags: number): TestNetwork[] {
    return this.#list
      .all()
      .filter((n) => matchesStateFlags(flags, n))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Loads a network from the node description: persistent and running, no event. */
  load(def: NetworkDefinition): TestNetwork {
    this.#list.existingFor(def.name, def.uuid, false);
    const net = new TestNetwork(def, true);
    net.active = true;
    this.#list.add(net);
    return net;
  }

  /**
   * Refuses a bridge another network uses, as libvirt's network driver does
   * ("bridge name '%s' already in use."); libvirt's test driver accepts it.
   */
  #checkBridge(def: NetworkDefinition): void {
    if (def.bridge === null) return;
    const uses = (n: TestNetwork): boolean => n.def.bridge === def.bridge || n.nextDef?.bridge === def.bridge;
    if (this.#list.all().some((n) => n.uuid !== def.uuid && uses(n))) {
      throw XvirtError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, `bridge name '${def.bridge}' already in use.`);
    }
  }

  define(def: NetworkDefinition): TestNetwork {
    let net = this.#list.existingFor(def.name, def.uuid, false);
    this.#checkBridge(def);
    if (net) {
      if (net.active) net.nextDef = def;
      else net.def = def;
      net.persistent = true;
    } else {
      net = new TestNetwork(def, true);
      this.#list.add(net);
    }
    this.#emit(net, NetworkEventType.DEFINED);
    return net;
  }

  createTransient(def: NetworkDefinition): TestNetwork {
    let net = this.#list.existingFor(def.name, def.uuid, true);
    this.#checkBridge(def);
    if (net) {
      net.nextDef = net.def;
      net.def = def;
    } else {
      net = new TestNetwork(def, false);
      this.#list.add(net);
    }
    net.active = true;
    this.#emit(net, NetworkEventType.STARTED);
    return net;
  }

  start(net: TestNetwork): void {
    if (net.active) {
      throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, `Network '${net.name}' is already running`);
    }
    net.active = true;
    this.#emit(net, NetworkEventType.STARTED);
  }

  /** As libvirt's test driver: no "is it running" check; a transient network goes away. */
  destroy(net: TestNetwork): void {
    net.active = false;
    if (net.nextDef) {
      net.def = net.nextDef;
      net.nextDef = null;
    }
    this.#emit(net, NetworkEventType.STOPPED);
    if (!net.persistent) this.#list.remove(net);
  }

  undefine(net: TestNetwork): void {
    if (net.active) {
      throw XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, `Network '${net.name}' is still running`);
    }
    this.#emit(net, NetworkEventType.UNDEFINED);
    this.#list.remove(net);
  }
}
