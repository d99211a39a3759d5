/**
 * State changes that need more than one hypercall: shutdown and reboot (a
 * polite request through xenstore when the guest listens for one, else
 * declared by the hypervisor), destroy (the toolstack's teardown for domains
 * it built, else the hypercall plus xenstore cleanup), and what only xl
 * does (building domains, ballooning, vCPU hotplug).
 */
import { DomainCreateFlags } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { XenHypervisor } from '../../native';
import type { LiveDomain } from '../xen-common/records';
import type { XenstoreLike } from './domains';
import { checkHostResources } from './host-checks';
import { toXlConfig, type XlDomainConfig } from './xl';

/** What the driver needs from xl (XlRunner, or a recorder in tests). */
export interface XlLike {
  /** Whether an xl binary was found. */
  readonly available: boolean;
  run(args: string[]): Promise<string>;
  create(config: string, paused: boolean): Promise<void>;
}

export class XenControl {
  readonly #hv: XenHypervisor;
  readonly #xs: XenstoreLike | null;
  readonly #xl: XlLike;
  /** Where sysfs is mounted ('/sys'; a fake tree in tests): bridges are checked under its class/net. */
  readonly #sysfsRoot: string;

  constructor(hv: XenHypervisor, xenstore: XenstoreLike | null, xl: XlLike, sysfsRoot = '/sys') {
    this.#hv = hv;
    this.#xs = xenstore;
    this.#xl = xl;
    this.#sysfsRoot = sysfsRoot;
  }

  /**
   * Asks the guest to power off or reboot if it advertises support
   * (control/feature-poweroff|reboot, written by its PV drivers); otherwise
   * the hypervisor declares the shutdown, and the toolstack's on_poweroff /
   * on_reboot action follows as if the guest had done it.
   */
  async shutdown(id: number, reboot: boolean): Promise<void> {
    const what = reboot ? 'reboot' : 'poweroff';
    if (this.#xs && id !== 0 && (await this.#read(`/local/domain/${id}/control/feature-${what}`)) === '1') {
      await this.#xs.write(`/local/domain/${id}/control/shutdown`, what);
      return;
    }
    await this.#hv.shutdown(id, reboot);
  }

  /**
   * Domains libxl built (they have /libxl/<id>) are torn down by xl, which
   * also removes their backends and xenstore entries; others get the
   * destroydomain hypercall and their xenstore directories removed here.
   */
  async destroy(d: LiveDomain): Promise<void> {
    const id = d.ref.id;
    if (id !== 0 && this.#xl.available && this.#xs && (await this.#read(`/libxl/${id}`)) !== null) {
      await this.#xl.run(['destroy', String(id)]);
      return;
    }
    const vm = this.#xs && id !== 0 ? await this.#read(`/local/domain/${id}/vm`) : null;
    await this.#hv.destroy(id);
    if (this.#xs) {
      for (const path of [`/local/domain/${id}`, `/libxl/${id}`, ...(vm?.startsWith('/vm/') ? [vm] : [])]) {
        await this.#xs.remove(path).catch(() => undefined); // best effort: the domain itself is gone
      }
    }
  }

  async create(config: XlDomainConfig, flags: number): Promise<void> {
    if ((flags & ~(DomainCreateFlags.PAUSED | DomainCreateFlags.FORCE_BOOT)) !== 0) {
      throw XvirtError.of(
        ErrorNumber.INVALID_ARG,
        ErrorDomain.XEN,
        `unsupported create flags 0x${flags.toString(16)} (only PAUSED and FORCE_BOOT are supported)`,
      );
    }
    this.#needXl('start a domain');
    await checkHostResources(config, `${this.#sysfsRoot}/class/net`);
    await this.#xl.create(toXlConfig(config), (flags & DomainCreateFlags.PAUSED) !== 0);
  }

  /** `xl save`: the guest suspends, its memory goes to `file`, the domain is destroyed. */
  async save(id: number, file: string): Promise<void> {
    this.#needXl('save a domain');
    await this.#xl.run(['save', String(id), file]);
  }

  /** `xl restore`: builds the domain `file` holds and resumes it. */
  async restore(file: string): Promise<void> {
    this.#needXl('restore a domain');
    try {
      await this.#xl.run(['restore', file]);
    } catch (err) {
      // xl's own lines name the domain it half-built, not the image: say which file failed.
      const xlSays = (err as Error).message.replace(/^operation failed: /, '');
      throw XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.XEN, `cannot restore from '${file}': ${xlSays}`, {
        cause: err,
      });
    }
  }

  async setMemory(id: number, memoryKiB: number): Promise<void> {
    this.#needXl('change memory');
    await this.#xl.run(['mem-set', String(id), `${memoryKiB}k`]);
  }

  async setMaxMemory(id: number, memoryKiB: number): Promise<void> {
    this.#needXl('change maximum memory');
    await this.#xl.run(['mem-max', String(id), `${memoryKiB}k`]);
  }

  async setVcpus(id: number, nvcpus: number): Promise<void> {
    this.#needXl('change vCPUs');
    await this.#xl.run(['vcpu-set', String(id), String(nvcpus)]);
  }

  #needXl(what: string): void {
    if (!this.#xl.available) {
      throw XvirtError.of(
        ErrorNumber.NO_SUPPORT,
        ErrorDomain.XEN,
        `cannot ${what}: Xen's xl tool was not found (install xen-utils or set XVIRT_XL)`,
      );
    }
  }

  async #read(path: string): Promise<string | null> {
    try {
      return await this.#xs!.read(path);
    } catch {
      return null;
    }
  }
}
