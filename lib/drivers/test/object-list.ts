/**
 * Named, UUID-identified objects (networks, storage pools) with libvirt's
 * rules for adding one: a name or UUID already taken by another object is
 * refused, with the wording of virNetworkObjAssignDef / virStoragePoolObjListAdd.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

export interface Listed {
  readonly name: string;
  readonly uuid: string;
  active: boolean;
}

export class ObjectList<T extends Listed> {
  readonly #byName = new Map<string, T>();
  readonly #byUuid = new Map<string, T>();
  /** 'network' or 'pool', as libvirt's messages say. */
  readonly #kind: string;

  constructor(kind: string) {
    this.#kind = kind;
  }

  byName(name: string): T | undefined {
    return this.#byName.get(name);
  }
  byUuid(uuid: string): T | undefined {
    return this.#byUuid.get(uuid);
  }
  all(): T[] {
    return [...this.#byUuid.values()];
  }

  /**
   * The existing object a definition named `name` with `uuid` would replace
   * (same name and UUID), or null when it is new. Refuses a clash; with
   * `checkLive`, also an existing object that is running.
   */
  existingFor(name: string, uuid: string, checkLive: boolean): T | null {
    const sameUuid = this.#byUuid.get(uuid);
    if (sameUuid) {
      if (sameUuid.name !== name) {
        throw XvirtError.of(
          ErrorNumber.OPERATION_FAILED,
          ErrorDomain.TEST,
          `${this.#kind} '${sameUuid.name}' is already defined with uuid ${uuid}`,
        );
      }
      if (checkLive && sameUuid.active) {
        throw XvirtError.of(
          ErrorNumber.OPERATION_INVALID,
          ErrorDomain.TEST,
          `${this.#kind} is already active as '${name}'`,
        );
      }
      return sameUuid;
    }
    const sameName = this.#byName.get(name);
    if (sameName) {
      throw XvirtError.of(
        ErrorNumber.OPERATION_FAILED,
        ErrorDomain.TEST,
        `${this.#kind} '${name}' already exists with uuid ${sameName.uuid}`,
      );
    }
    return null;
  }

  add(obj: T): void {
    this.#byName.set(obj.name, obj);
    this.#byUuid.set(obj.uuid, obj);
  }

  remove(obj: T): void {
    this.#byName.delete(obj.name);
    this.#byUuid.delete(obj.uuid);
  }
}
