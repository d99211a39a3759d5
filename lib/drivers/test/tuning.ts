/**
 * The flag-taking memory and vCPU calls of the test driver, with libvirt's
 * rules for which definition (live, persistent) each flag touches. Every
 * check runs before the first change, so a refused call changes nothing.
 */
import { DomainMemoryModFlags as Mem, DomainVcpuFlags as Vcpu } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { DomainDefinition } from '../../xml';
import { modificationImpact } from '../modification-impact';
import { TEST_MAX_VCPUS } from './defaults';
import { devicesOf, withBalloonPeriod } from './devices';
import type { TestDomain } from './domain';
import { invalidArg, operationInvalid } from './errors';
import { pinnedMap, setVcpuPin } from '../vcpu-pins';

/** libvirt's virDomainObjGetDefs: the live and/or persistent definition `flags` (LIVE/CONFIG/CURRENT) select. */
function selectDefs(
  dom: TestDomain,
  flags: number,
): { live: DomainDefinition | null; config: DomainDefinition | null } {
  // libvirt's domain layer raises these, hence its error domain.
  const { live, config } = modificationImpact(flags, dom, ErrorDomain.DOMAIN);
  return { live: live ? dom.live : null, config: config ? dom.config : null };
}

/** libvirt's virDomainObjGetOneDefState: exactly one definition, and whether it is the live one. */
function selectOneDef(dom: TestDomain, flags: number): { def: DomainDefinition; live: boolean } {
  if (flags & Mem.LIVE && flags & Mem.CONFIG) {
    throw new XvirtError(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.DOMAIN,
      "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
    );
  }
  const { live, config } = selectDefs(dom, flags);
  return live ? { def: live, live: true } : { def: config!, live: false };
}

/** virDomainGetVcpusFlags */
export function getVcpusFlags(dom: TestDomain, flags: number): number {
  const { def } = selectOneDef(dom, flags);
  return flags & Vcpu.MAXIMUM ? def.maxVcpus : def.vcpus;
}

/** virDomainGetVcpuPinInfo: a pinned vCPU's mask, every host CPU for the others. */
export function vcpuPinInfo(dom: TestDomain, hostCpus: number, ncpumaps: number, flags: number): boolean[][] {
  const { def } = selectOneDef(dom, flags);
  const n = Math.min(def.maxVcpus, ncpumaps);
  return Array.from({ length: n }, (_, i) => pinnedMap(def, i, hostCpus) ?? new Array<boolean>(hostCpus).fill(true));
}

/**
 * virDomainPinVcpu(Flags) as libvirt 9.0's test driver has it (which takes
 * no flags): the running domain only, its live definition, an online vCPU.
 */
export function pinLiveVcpu(dom: TestDomain, vcpu: number, cpumap: readonly boolean[]): void {
  if (!dom.active) throw operationInvalid('cannot pin vcpus on an inactive domain');
  // libvirt's message prints the (unsigned) id with %d: 4294967295 reads -1.
  if (vcpu >= dom.def.vcpus) throw invalidArg(`requested vcpu '${vcpu | 0}' is not present in the domain`);
  setVcpuPin(dom.def, vcpu, cpumap);
}

/** virDomainSetMemoryFlags: the balloon target, or with MAXIMUM the (inactive) maximum. */
export function setMemoryFlags(dom: TestDomain, memoryKiB: number, flags: number): void {
  const { def, live } = selectOneDef(dom, flags);
  if (flags & Mem.MAXIMUM) {
    if (live) throw operationInvalid('cannot resize the maximum memory on an active domain');
    def.memoryKiB = memoryKiB;
    if (def.currentMemoryKiB > memoryKiB) def.currentMemoryKiB = memoryKiB;
    return;
  }
  if (memoryKiB > def.memoryKiB) throw invalidArg('cannot set memory higher than max memory');
  def.currentMemoryKiB = memoryKiB;
}

/** virDomainSetMemoryStatsPeriod: the balloon's statistics period in the one selected definition. */
export function setMemoryStatsPeriod(dom: TestDomain, period: number, flags: number): void {
  const { def } = selectOneDef(dom, flags);
  if (!devicesOf(def).memballoon) {
    throw XvirtError.of(
      ErrorNumber.INTERNAL_ERROR,
      ErrorDomain.TEST,
      'No memory balloon device configured, can not set the collection period',
    );
  }
  def.devicesXml = withBalloonPeriod(def.devicesXml!, period);
}

/** virDomainSetVcpusFlags: current vCPUs of the selected definitions, or with MAXIMUM the persistent maximum. */
export function setVcpusFlags(dom: TestDomain, nvcpus: number, flags: number): void {
  if (nvcpus > TEST_MAX_VCPUS) {
    throw invalidArg(`requested cpu amount exceeds maximum supported amount (${nvcpus} > ${TEST_MAX_VCPUS})`);
  }
  const { live, config } = selectDefs(dom, flags);
  if (live && live.maxVcpus < nvcpus) {
    throw invalidArg(`requested cpu amount exceeds maximum (${nvcpus} > ${live.maxVcpus})`);
  }
  const maximum = (flags & Vcpu.MAXIMUM) !== 0;
  if (config && !maximum && config.maxVcpus < nvcpus) {
    throw invalidArg(`requested cpu amount exceeds maximum (${nvcpus} > ${config.maxVcpus})`);
  }
  // As libvirt's test driver: the live definition's current count changes even with MAXIMUM.
  if (live) live.vcpus = nvcpus;
  if (config && maximum) {
    config.maxVcpus = nvcpus;
    config.vcpus = Math.min(config.vcpus, nvcpus);
  } else if (config) {
    config.vcpus = nvcpus;
  }
}
