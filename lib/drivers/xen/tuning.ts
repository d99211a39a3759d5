/**
 * The flag-taking memory and vCPU setters on Xen (virDomainSetMemoryFlags,
 * virDomainSetVcpusFlags, virDomainSetMaxMemory, virDomainPinVcpuFlags) with libvirt's rules for
 * which definition each flag touches: LIVE changes the running guest through
 * xl, CONFIG rewrites the stored definition (atomically, through the
 * definitions store), CURRENT means LIVE when running and CONFIG when not.
 * Every check runs before the first change, so a refused call changes nothing.
 */
import { DomainMemoryModFlags as Mem, DomainVcpuFlags as Vcpu } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { DomainDefinition } from '../../xml';
import type { Found } from './directory';
import type { XenVcpu } from '../../native';
import type { LiveDomain } from '../xen-common/records';
import { checkFlags } from '../xen-common/stats/source';
import { modificationImpact } from '../modification-impact';
import { setVcpuPin } from '../vcpu-pins';

/** What the setters change: the running guest (through xl) and the stored definition. */
export interface TuningTarget {
  setLiveMemory(d: LiveDomain, memoryKiB: number): Promise<void>;
  setLiveMaxMemory(d: LiveDomain, memoryKiB: number): Promise<void>;
  setLiveVcpus(d: LiveDomain, nvcpus: number): Promise<void>;
  /** The guest's vCPUs as the hypervisor reports them (as many as its maximum). */
  liveVcpus(d: LiveDomain): Promise<XenVcpu[]>;
  /** Sets vCPU `vcpu`'s hard affinity to `cpus` (XEN_DOMCTL_setvcpuaffinity). */
  pinLiveVcpu(d: LiveDomain, vcpu: number, cpus: boolean[]): Promise<void>;
  /** The host's physical CPU ids (nr_cpu_ids: the width of virNodeGetCPUMap and of the pin maps). */
  hostCpus(): Promise<number>;
  /** Rewrites the stored definition with `change` applied (validated and durable before it resolves). */
  editConfig(found: Found, change: (def: DomainDefinition) => void): Promise<void>;
}

function invalid(number: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(number, ErrorDomain.XEN, detail);
}

/**
 * virDomainObjUpdateModificationImpact: which of the running guest and the definition `flags` select.
 * Its refusals come from libvirt's domain layer, hence error domain DOMAIN (as libxl reports them).
 */
function selected(found: Found, flags: number): { live: LiveDomain | null; config: Found['def'] | null } {
  const { live, config } = modificationImpact(
    flags,
    { active: !!found.live, persistent: !!found.def },
    ErrorDomain.DOMAIN,
  );
  return { live: live ? found.live! : null, config: config ? found.def! : null };
}

function positive(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw invalid(ErrorNumber.INVALID_ARG, `${what} must be a positive integer`);
}

/** virDomainSetMemoryFlags: the balloon target, or with MAXIMUM the maximum (KiB). */
export async function setMemoryFlags(
  target: TuningTarget,
  found: Found,
  memoryKiB: number,
  flags: number,
): Promise<void> {
  checkFlags(ErrorDomain.XEN, flags, Mem.LIVE | Mem.CONFIG | Mem.MAXIMUM, 'virDomainSetMemoryFlags');
  positive(memoryKiB, 'memory');
  const { live, config } = selected(found, flags);
  if (flags & Mem.MAXIMUM) {
    if (live) await target.setLiveMaxMemory(live, memoryKiB);
    if (config) {
      await target.editConfig(found, (def) => {
        def.memoryKiB = memoryKiB;
        def.currentMemoryKiB = Math.min(def.currentMemoryKiB, memoryKiB);
      });
    }
    return;
  }
  if (live && memoryKiB > live.info.maxMemKiB)
    throw invalid(ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');
  if (config && memoryKiB > config.config.maxMemoryKiB) {
    throw invalid(ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');
  }
  if (live) await target.setLiveMemory(live, memoryKiB);
  if (config)
    await target.editConfig(found, (def) => {
      def.currentMemoryKiB = memoryKiB;
    });
}

/** virDomainSetVcpusFlags: vCPUs online, or with MAXIMUM (CONFIG only) the most the guest may have. */
export async function setVcpusFlags(target: TuningTarget, found: Found, nvcpus: number, flags: number): Promise<void> {
  checkFlags(ErrorDomain.XEN, flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'virDomainSetVcpusFlags');
  positive(nvcpus, 'vCPU count');
  const { live, config } = selected(found, flags);
  const maximum = (flags & Vcpu.MAXIMUM) !== 0;
  if (maximum && live)
    throw invalid(ErrorNumber.INVALID_ARG, 'cannot change the maximum vCPU count of a running domain');
  if (live) {
    const max = (await target.liveVcpus(live)).length;
    if (nvcpus > max)
      throw invalid(
        ErrorNumber.INVALID_ARG,
        `requested vcpus is greater than max allowable vcpus for the domain: ${nvcpus} > ${max}`,
      );
  }
  if (config && !maximum) {
    const max = config.config.maxVcpus ?? config.config.vcpus;
    if (nvcpus > max)
      throw invalid(
        ErrorNumber.INVALID_ARG,
        `requested vcpus is greater than max allowable vcpus for the domain: ${nvcpus} > ${max}`,
      );
  }
  if (live) await target.setLiveVcpus(live, nvcpus);
  if (!config) return;
  await target.editConfig(found, (def) => {
    if (maximum) {
      def.maxVcpus = nvcpus;
      def.vcpus = Math.min(def.vcpus, nvcpus);
    } else {
      def.vcpus = nvcpus;
    }
  });
}

/**
 * virDomainPinVcpuFlags as libvirt's libxl driver: LIVE pins the running
 * guest's vCPU in Xen (hard affinity only), CONFIG writes the vCPU's
 * <vcpupin> into the stored definition (xl's `cpus=` at the next start).
 * The vCPU must be online in each definition changed; CPUs beyond the host's
 * are dropped and a map left without one is refused, before any change.
 */
export async function pinVcpuFlags(
  target: TuningTarget,
  found: Found,
  vcpu: number,
  cpumap: readonly boolean[],
  flags: number,
): Promise<void> {
  checkFlags(ErrorDomain.XEN, flags, Vcpu.LIVE | Vcpu.CONFIG, 'virDomainPinVcpuFlags');
  const { live, config } = selected(found, flags);
  const cpus = await target.hostCpus();
  const map = Array.from({ length: cpus }, (_, c) => cpumap[c] === true);
  if (!map.includes(true)) {
    throw invalid(ErrorNumber.INVALID_ARG, `cpumap for vcpu '${vcpu}' names no CPU of the host (CPUs 0-${cpus - 1})`);
  }
  const notActive = () => invalid(ErrorNumber.INVALID_ARG, `vcpu '${vcpu}' is not active`);
  if (live) {
    const v = (await target.liveVcpus(live))[vcpu];
    if (!v?.present || !v.online) throw notActive();
  }
  if (config && vcpu >= config.config.vcpus) throw notActive();
  if (live) await target.pinLiveVcpu(live, vcpu, map);
  if (config) await target.editConfig(found, (def) => setVcpuPin(def, vcpu, map));
}
