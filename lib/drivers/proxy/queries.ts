/**
 * The read requests the proxy driver and its statistics share: physinfo,
 * the domain list, and one domain's record found by id with its UUID
 * checked (or wherever it runs now, when it moved).
 */
import { ErrorNumber, type XvirtError } from '../../errors';
import { DOMID_MAX, type XenPhysinfo } from '../../native';
import type { DomainRef } from '../../types';
import { UuidBytesCache } from '../../uuid';
import { noDomain } from '../xen-common/records';
import { wholePayload, type PayloadDecoder, type ProxyClient } from './client';
import {
  Command,
  FLAG_CHECK_UUID,
  decodeList,
  decodeNamed,
  decodeNodeInfo,
  decodeRecord,
  type DomainRecord,
  type NamedRecord,
} from './protocol';
import { toXenPhysinfo } from './records';

const nodeInfo = wholePayload(decodeNodeInfo);
const list = wholePayload(decodeList);
const record = wholePayload((p) => decodeRecord(p));
const recordOf = wholePayload((p): NamedRecord => decodeNamed(p).record);

export class ProxyQueries {
  readonly client: ProxyClient;
  readonly #uuidBytes = new UuidBytesCache();

  constructor(client: ProxyClient) {
    this.client = client;
  }

  /** The 16 bytes of a UUID (cached: the hot path asks for the same ones over and over). */
  uuidBytes(uuid: string): Uint8Array {
    return this.#uuidBytes.get(uuid);
  }

  async physinfo(): Promise<XenPhysinfo> {
    return toXenPhysinfo(await this.client.call({ command: Command.NODE_INFO }, nodeInfo));
  }

  list(): Promise<NamedRecord[]> {
    return this.client.call({ command: Command.LIST }, list);
  }

  /** The domain with the reference's UUID, at its id if it is still there, else wherever it runs now. */
  record(dom: DomainRef): Promise<DomainRecord> {
    return this.atId(dom, record, (r) => r);
  }

  /**
   * A request at the reference's id with its UUID checked (GET_INFO unless
   * `command` says otherwise), decoded by `decode`; if the domain is not
   * there, `moved` of its record wherever it runs now.
   */
  atId<T>(
    dom: DomainRef,
    decode: PayloadDecoder<T>,
    moved: (r: DomainRecord) => T | Promise<T>,
    command = Command.GET_INFO,
  ): Promise<T> {
    const elsewhere = () => this.#moved(dom).then(moved);
    if (!(dom.id >= 0 && dom.id <= DOMID_MAX)) return elsewhere();
    return this.client.call(
      { command, domid: dom.id, flags: FLAG_CHECK_UUID, uuid: this.uuidBytes(dom.uuid) },
      decode,
      elsewhere,
    );
  }

  async #moved(dom: DomainRef): Promise<DomainRecord> {
    try {
      return await this.client.call({ command: Command.LOOKUP_UUID, uuid: this.uuidBytes(dom.uuid) }, recordOf);
    } catch (err) {
      if ((err as XvirtError).number !== ErrorNumber.NO_DOMAIN) throw err;
      throw noDomain(`domain '${dom.name}' (${dom.uuid}) no longer exists`);
    }
  }
}
