/**
 * virConnectGetAllDomainStats / virDomainListGetStats for the Xen drivers:
 * the state, cpu-total, balloon, vcpu, interface and block groups under
 * libvirt's keys. Running domains report what the hypervisor and dom0's
 * backends count; inactive ones their state and definition; nothing Xen
 * does not count is reported.
 */
import { DomainStatsTypes as G, GetAllDomainStatsFlags as F } from '../../../constants';
import { ErrorNumber, XvirtError } from '../../../errors';
import { intParam, stringParam, uintParam, ullongParam, type TypedParam } from '../../../typed-params';
import type { DomainRef, DomainStatsRecord } from '../../../types';
import { matchesListFlags } from '../records';
import { vcpuState, type XenDomainStats } from './domain-stats';
import { checkFlags, type StatsDomain, type XenStatsSource } from './source';

const SUPPORTED = G.STATE | G.CPU_TOTAL | G.BALLOON | G.VCPU | G.INTERFACE | G.BLOCK;
/** The domain-filter bits (the values of ListDomainsFlags ACTIVE..OTHER). */
const FILTERS = 0xff;
const ALLOWED_FLAGS = (FILTERS | F.NOWAIT | F.BACKING | F.ENFORCE_STATS) >>> 0;

export async function allDomainStats(
  src: XenStatsSource,
  domainStats: XenDomainStats,
  doms: DomainRef[] | null,
  stats: number,
  flags: number,
): Promise<DomainStatsRecord[]> {
  checkFlags(src.errorDomain, flags >>> 0, ALLOWED_FLAGS, 'virConnectGetAllDomainStats');
  const unsupported = (stats & ~SUPPORTED) >>> 0;
  if ((flags >>> 0) & F.ENFORCE_STATS && unsupported !== 0) {
    throw XvirtError.of(
      ErrorNumber.ARGUMENT_UNSUPPORTED,
      src.errorDomain,
      `Stats types bits 0x${unsupported.toString(16)} are not supported by this daemon`,
    );
  }
  const wanted = stats === 0 ? SUPPORTED : stats & SUPPORTED;
  const filter = flags & FILTERS;
  let selected: StatsDomain[];
  if (doms === null) {
    selected = await src.all();
  } else {
    // As libvirt: domains that have vanished are skipped.
    selected = (
      await Promise.all(
        doms.map((r) =>
          src.find(r).catch((err: unknown) => {
            if ((err as XvirtError).number === ErrorNumber.NO_DOMAIN) return null;
            throw err;
          }),
        ),
      )
    ).filter((d): d is StatsDomain => d !== null);
  }
  selected = selected.filter((d) => matchesListFlags(filter, d));
  return Promise.all(selected.map(async (d) => ({ domain: d.ref, params: await record(src, domainStats, d, wanted) })));
}

async function record(
  src: XenStatsSource,
  domainStats: XenDomainStats,
  d: StatsDomain,
  wanted: number,
): Promise<TypedParam[]> {
  const p: TypedParam[] = [];
  if (wanted & G.STATE) p.push(intParam('state.state', d.state), intParam('state.reason', d.reason));
  const info = d.active ? d.info : null;
  if (wanted & G.CPU_TOTAL && info) p.push(ullongParam('cpu.time', info.cpuTimeNs));
  if (wanted & G.BALLOON) {
    const cur = info ? info.memoryKiB : d.config?.memoryKiB;
    const max = info ? info.maxMemKiB : d.config?.maxMemoryKiB;
    if (cur !== undefined) p.push(ullongParam('balloon.current', BigInt(cur)));
    if (max !== undefined) p.push(ullongParam('balloon.maximum', BigInt(max)));
  }
  if (wanted & G.VCPU) p.push(...(info ? await liveVcpus(domainStats, d) : configVcpus(d)));
  if (info && wanted & G.INTERFACE) p.push(...(await interfaces(src, d.ref.id)));
  if (info && wanted & G.BLOCK) p.push(...(await blocks(src, d.ref.id)));
  return p;
}

async function liveVcpus(domainStats: XenDomainStats, d: StatsDomain): Promise<TypedParam[]> {
  let vcpus;
  try {
    vcpus = await domainStats.vcpus(d);
  } catch (err) {
    if ((err as XvirtError).number === ErrorNumber.NO_DOMAIN) return []; // it stopped meanwhile: its vCPUs are gone
    throw err;
  }
  const p = [uintParam('vcpu.current', d.info!.nrVirtCpu), uintParam('vcpu.maximum', vcpus.length)];
  for (const v of vcpus) {
    if (!v.present) continue;
    p.push(intParam(`vcpu.${v.id}.state`, vcpuState(v)), ullongParam(`vcpu.${v.id}.time`, v.cpuTimeNs));
  }
  return p;
}

function configVcpus(d: StatsDomain): TypedParam[] {
  if (!d.config) return [];
  return [uintParam('vcpu.current', d.config.vcpus), uintParam('vcpu.maximum', d.config.maxVcpus)];
}

async function interfaces(src: XenStatsSource, domid: number): Promise<TypedParam[]> {
  const names = await src.counters.interfaces(domid);
  const p: TypedParam[] = [uintParam('net.count', names.length)];
  for (const [i, name] of names.entries()) {
    p.push(stringParam(`net.${i}.name`, name));
    const c = await src.counters.vif(name);
    if (!c) continue; // unplugged meanwhile
    p.push(
      ullongParam(`net.${i}.rx.bytes`, c.rxBytes),
      ullongParam(`net.${i}.rx.pkts`, c.rxPackets),
      ullongParam(`net.${i}.rx.errs`, c.rxErrs),
      ullongParam(`net.${i}.rx.drop`, c.rxDrop),
      ullongParam(`net.${i}.tx.bytes`, c.txBytes),
      ullongParam(`net.${i}.tx.pkts`, c.txPackets),
      ullongParam(`net.${i}.tx.errs`, c.txErrs),
      ullongParam(`net.${i}.tx.drop`, c.txDrop),
    );
  }
  return p;
}

async function blocks(src: XenStatsSource, domid: number): Promise<TypedParam[]> {
  const disks = await src.counters.disks(domid);
  const p: TypedParam[] = [uintParam('block.count', disks.length)];
  for (const [i, disk] of disks.entries()) {
    p.push(stringParam(`block.${i}.name`, disk.name));
    const c = await src.counters.disk(domid, disk.devid);
    if (!c) continue;
    p.push(
      ullongParam(`block.${i}.rd.reqs`, c.rdReq),
      ullongParam(`block.${i}.rd.bytes`, c.rdBytes),
      ullongParam(`block.${i}.wr.reqs`, c.wrReq),
      ullongParam(`block.${i}.wr.bytes`, c.wrBytes),
      ullongParam(`block.${i}.fl.reqs`, c.flReq),
      ullongParam(`block.${i}.errors`, c.errs),
    );
  }
  return p;
}
