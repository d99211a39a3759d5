// Stand-ins for the Xen driver's unit tests: a NativeHypervisor over an
// in-memory domain table (writing the addon's record layout), an in-memory
// xenstore with watches, an xl recorder and a tiny domain XML codec.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainState } from '../../lib/constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../lib/errors';
import { RECORD_STRIDE, Slot, XenHypervisor, type NativeHypervisor } from '../../lib/native';
import { NODE_STRIDE, NodeSlot, VCPU_STRIDE, VcpuSlot } from '../../lib/native-stats';
import { uuidToBytes } from '../../lib/uuid';
import { DefinitionStore } from '../../lib/drivers/definition-store';
import type { DomainXmlCodec } from '../../lib/drivers/xen/domain-xml';
import type { HostDirPools } from '../../lib/drivers/host-storage/dir-pools';
import type { HostBridgeNetworks } from '../../lib/drivers/host-network/bridge-networks';
import { ReasonBook } from '../../lib/drivers/xen/reasons';
import type { XenstoreLike } from '../../lib/drivers/xen/domains';
import type { XlLike } from '../../lib/drivers/xen/control';
import { XenDriver } from '../../lib/drivers/xen/driver';
import { XenState } from '../../lib/drivers/xen-common/state';
import type { XlDomainConfig } from '../../lib/drivers/xen/xl';

export interface FakeDomain {
  id: number;
  uuid: string;
  state: DomainState;
  xenState: XenState;
  shutdownCode: number;
  memKiB: number;
  maxMemKiB: number;
  vcpus: number;
  cpuTimeNs: bigint;
  flags: number;
  /** What getvcpuinfo answers per vCPU id (default: `vcpus` online vCPUs sharing cpuTimeNs). */
  vcpuInfo: FakeVcpu[];
}

export interface FakeVcpu {
  present: boolean;
  online: boolean;
  blocked: boolean;
  running: boolean;
  cpu: number;
  cpuTimeNs: bigint;
  /** Its hard affinity (XEN_DOMCTL_getvcpuaffinity) by CPU id; default: every CPU id (cpuIdleNs). */
  affinity?: boolean[];
}

/** `n` online vCPUs whose times add up to `total`, on CPUs 0, 1, 0, ... */
export function fakeVcpus(n: number, total: bigint, running = false): FakeVcpu[] {
  return Array.from({ length: n }, (_, i) => ({
    present: true,
    online: true,
    blocked: !running,
    running,
    cpu: i % 2,
    cpuTimeNs: total / BigInt(n) + (i === 0 ? total % BigInt(n) : 0n),
  }));
}

export const UUIDS = [
  '00000000-0000-0000-0000-000000000000',
  '11111111-2222-3333-4444-555555555501',
  '11111111-2222-3333-4444-555555555502',
  '11111111-2222-3333-4444-555555555503',
];

export function fakeDomain(id: number, uuid: string, extra: Partial<FakeDomain> = {}): FakeDomain {
  return {
    id,
    uuid,
    state: DomainState.BLOCKED,
    xenState: XenState.BLOCKED,
    shutdownCode: 255,
    memKiB: 16384,
    maxMemKiB: 17408,
    vcpus: 1,
    cpuTimeNs: 1_000_000n * BigInt(id + 1),
    flags: 0xffff0010,
    vcpuInfo: fakeVcpus(
      extra.vcpus ?? 1,
      extra.cpuTimeNs ?? 1_000_000n * BigInt(id + 1),
      extra.state === DomainState.RUNNING,
    ),
    ...extra,
  };
}

/** A hypervisor with dom0 and three guests; `calls` records what reached the "native" layer. */
export class FakeHypervisor implements NativeHypervisor {
  domains: FakeDomain[] = [
    fakeDomain(0, UUIDS[0]!, {
      state: DomainState.RUNNING,
      xenState: XenState.RUNNING,
      memKiB: 786432,
      maxMemKiB: 786432,
      vcpus: 2,
      cpuTimeNs: 2n ** 60n,
    }),
    fakeDomain(1, UUIDS[1]!),
    fakeDomain(2, UUIDS[2]!),
    fakeDomain(3, UUIDS[3]!),
  ];
  calls: string[] = [];

  info() {
    return {
      major: 4,
      minor: 17,
      extraversion: '.7',
      capabilities: 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ',
      sysctlInterface: 0x15,
      domctlInterface: 0x15,
      transport: 'fake',
    };
  }

  physinfo() {
    this.calls.push('physinfo');
    return {
      threadsPerCore: 1,
      coresPerSocket: 2,
      cpus: 2,
      nodes: 1,
      cpuKhz: 2596122,
      capabilities: 0x303,
      totalKiB: 2096632,
      freeKiB: 1024156,
    };
  }

  #write(d: FakeDomain, out: Float64Array, uuids: Uint8Array | null, i: number): void {
    const o = i * RECORD_STRIDE;
    out[o + Slot.DOMID] = d.id;
    out[o + Slot.STATE] = d.state;
    out[o + Slot.REASON] = d.state === DomainState.SHUTOFF ? 1 : 0;
    out[o + Slot.FLAGS] = d.flags;
    out[o + Slot.MEM_KIB] = d.memKiB;
    out[o + Slot.MAX_MEM_KIB] = d.maxMemKiB;
    out[o + Slot.ONLINE_VCPUS] = d.vcpus;
    out[o + Slot.MAX_VCPUS] = d.vcpus;
    out[o + Slot.SHUTDOWN_CODE] = d.shutdownCode;
    out[o + Slot.XEN_STATE] = d.xenState;
    new BigUint64Array(out.buffer, out.byteOffset)[o + Slot.CPU_TIME] = d.cpuTimeNs;
    uuids?.set(uuidToBytes(d.uuid), i * 16);
  }

  getInfo(domid: number, expect: Uint8Array | null, out: Float64Array): number {
    this.calls.push(`getInfo ${domid}`);
    const d = this.domains.find((x) => x.id === domid);
    if (!d || (expect && Buffer.compare(Buffer.from(expect), uuidToBytes(d.uuid)) !== 0)) return 1;
    this.#write(d, out, null, 0);
    return 0;
  }

  list(out: Float64Array, uuids: Uint8Array): number {
    this.calls.push('list');
    const cap = Math.min(out.length / RECORD_STRIDE, uuids.length / 16);
    this.domains.slice(0, cap).forEach((d, i) => this.#write(d, out, uuids, i));
    return this.domains.length;
  }

  #dom(domid: number): FakeDomain {
    const d = this.domains.find((x) => x.id === domid);
    if (!d) throw Object.assign(new Error(`no domain with id ${domid}`), { code: 'XC_ENODOMAIN' });
    return d;
  }

  async pause(domid: number) {
    this.calls.push(`pause ${domid}`);
    Object.assign(this.#dom(domid), { state: DomainState.PAUSED, xenState: XenState.PAUSED });
  }
  async unpause(domid: number) {
    this.calls.push(`unpause ${domid}`);
    Object.assign(this.#dom(domid), { state: DomainState.BLOCKED, xenState: XenState.BLOCKED });
  }
  async destroy(domid: number) {
    this.calls.push(`destroy ${domid}`);
    this.#dom(domid);
    this.domains = this.domains.filter((x) => x.id !== domid);
  }
  async shutdown(domid: number, reboot: boolean) {
    this.calls.push(`shutdown ${domid} ${reboot}`);
    Object.assign(this.#dom(domid), {
      state: DomainState.SHUTOFF,
      xenState: XenState.SHUTOFF,
      shutdownCode: reboot ? 1 : 0,
      flags: reboot ? 0x10004 : 0x4,
    });
  }
  close() {
    this.calls.push('close');
  }

  /** Idle ns per physical CPU id (0: offline) and NUMA node memory, as getcpuinfo and numainfo answer. */
  cpuIdleNs: bigint[] = [7_000_000_000_000n, 2n ** 53n + 3n, 0n, 0n];
  nodes = [
    { online: true, sizeKiB: 2096632, freeKiB: 1024156 },
    { online: false, sizeKiB: 0, freeKiB: 0 },
  ];

  vcpus(domid: number, expect: Uint8Array | null, out: Float64Array): number {
    this.calls.push(`vcpus ${domid}`);
    const d = this.domains.find((x) => x.id === domid);
    if (!d || (expect && Buffer.compare(Buffer.from(expect), uuidToBytes(d.uuid)) !== 0)) return -1;
    const u64 = new BigUint64Array(out.buffer, out.byteOffset, out.length);
    d.vcpuInfo.slice(0, out.length / VCPU_STRIDE).forEach((v, i) => {
      const o = i * VCPU_STRIDE;
      out[o + VcpuSlot.PRESENT] = +v.present;
      out[o + VcpuSlot.ONLINE] = +v.online;
      out[o + VcpuSlot.BLOCKED] = +v.blocked;
      out[o + VcpuSlot.RUNNING] = +v.running;
      out[o + VcpuSlot.CPU] = v.cpu;
      u64[o + VcpuSlot.CPU_TIME] = v.cpuTimeNs;
    });
    return d.vcpuInfo.length;
  }

  vcpuAffinity(domid: number, vcpu: number, out: Uint8Array): number {
    this.calls.push(`vcpuAffinity ${domid} ${vcpu}`);
    const v = this.domains.find((x) => x.id === domid)?.vcpuInfo[vcpu];
    if (!v?.present) return -1;
    // Xen reports bits up to its CPU id count and zeroes the rest of the caller's map.
    const map = v.affinity ?? this.cpuIdleNs.map(() => true);
    out.fill(0);
    map.forEach((on, c) => {
      if (on && c >> 3 < out.length) out[c >> 3]! |= 1 << (c & 7);
    });
    return 0;
  }

  /** XEN_DOMCTL_setvcpuaffinity as Xen answers it: EINVAL beyond the domain's vCPUs or without an online CPU. */
  async pinVcpu(domid: number, vcpu: number, map: Uint8Array): Promise<void> {
    const cpus = Array.from({ length: this.cpuIdleNs.length }, (_, c) => (map[c >> 3]! & (1 << (c & 7))) !== 0);
    this.calls.push(`pinVcpu ${domid} ${vcpu} ${cpus.flatMap((on, c) => (on ? [c] : [])).join(',')}`);
    const d = this.#dom(domid);
    const refused = (why: string) =>
      Object.assign(new Error(`setvcpuaffinity of vCPU ${vcpu} of domain ${domid} failed: ${why}`), {
        code: 'XC_EHYPERCALL',
        errno: 22,
      });
    if (vcpu >= d.vcpuInfo.length) throw refused('Invalid argument');
    if (!d.vcpuInfo[vcpu]!.present)
      throw Object.assign(new Error(`no domain with id ${domid}, or no vCPU ${vcpu} in it`), { code: 'XC_ENODOMAIN' });
    if (!cpus.some((on, c) => on && this.cpuIdleNs[c] !== 0n)) throw refused('Invalid argument');
    d.vcpuInfo[vcpu]!.affinity = cpus;
  }

  cpuIdle(out: Float64Array): number {
    this.calls.push('cpuIdle');
    new BigUint64Array(out.buffer, out.byteOffset, out.length).set(this.cpuIdleNs.slice(0, out.length));
    return this.cpuIdleNs.length;
  }

  nodeMemory(out: Float64Array): number {
    this.calls.push('nodeMemory');
    this.nodes.slice(0, out.length / NODE_STRIDE).forEach((n, i) => {
      const o = i * NODE_STRIDE;
      out[o + NodeSlot.ONLINE] = +n.online;
      out[o + NodeSlot.SIZE_KIB] = n.sizeKiB;
      out[o + NodeSlot.FREE_KIB] = n.freeKiB;
    });
    return this.nodes.length;
  }
}

/** In-memory xenstore: values by path, watches fired by `fire`. */
export class FakeXenstore implements XenstoreLike {
  values = new Map<string, string>();
  watches = new Map<string, (path: string) => void>();
  writes: string[] = [];
  closed = false;

  async read(p: string) {
    return this.values.get(p) ?? null;
  }
  async write(p: string, v: string) {
    this.writes.push(`${p}=${v}`);
    this.values.set(p, v);
  }
  async remove(p: string) {
    for (const k of [...this.values.keys()]) if (k === p || k.startsWith(`${p}/`)) this.values.delete(k);
  }
  async watch(p: string, token: string, cb: (path: string) => void) {
    this.watches.set(`${p} ${token}`, cb);
    cb(p);
  }
  async unwatch(p: string, token: string) {
    this.watches.delete(`${p} ${token}`);
  }
  closeListeners: Array<(err: Error | null) => void> = [];
  onClose(l: (err: Error | null) => void) {
    this.closeListeners.push(l);
  }
  close() {
    this.closed = true;
  }
  /** xenstored went away: watches stop firing, reads fail. */
  lose() {
    this.watches.clear();
    this.read = async () => {
      throw new Error('xenstore connection lost');
    };
    for (const l of this.closeListeners) l(new Error('lost'));
  }
  fire(p: string) {
    for (const [k, cb] of this.watches) if (k.startsWith(`${p} `)) cb(p);
  }
}

export class FakeXl implements XlLike {
  available = true;
  runs: string[][] = [];
  configs: string[] = [];
  onCreate: ((config: string, paused: boolean) => void) | null = null;
  async run(args: string[]) {
    this.runs.push(args);
    return '';
  }
  async create(config: string, paused: boolean) {
    this.configs.push(config);
    this.onCreate?.(config, paused);
  }
}

/** A stand-in codec for `<domain><name>N</name><uuid>U</uuid><kernel>K</kernel></domain>` only. */
export const testCodec: DomainXmlCodec = {
  parse(xml: string): XlDomainConfig {
    const get = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
    const name = get('name'),
      uuid = get('uuid');
    if (!name || !uuid) throw XvirtError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, 'missing name or uuid');
    return {
      name,
      uuid,
      type: 'pv',
      memoryKiB: 32768,
      maxMemoryKiB: 65536,
      vcpus: 2,
      kernel: get('kernel') ?? '/boot/k',
    };
  },
  format: (xml, id) => (id >= 0 ? xml.replace("<domain type='xen'>", `<domain type='xen' id='${id}'>`) : xml),
  edit: () => {
    throw XvirtError.of(
      ErrorNumber.NO_SUPPORT,
      ErrorDomain.XEN,
      'the stand-in codec cannot edit; use loadDomainXmlCodec()',
    );
  },
};

export function domainXml(name: string, uuid: string): string {
  return `<domain type='xen'><name>${name}</name><uuid>${uuid}</uuid><kernel>/guest/vmlinuz</kernel></domain>`;
}

/**
 * A fake sysfs tree under `root`: blkback statistics for `vbds` ([domid, devid,
 * {rd_req: 1, ...}]) and netdev statistics for `vifs` (['vif1.0', {tx_bytes: 5, ...}]).
 */
export function fakeSysfs(
  root: string,
  vbds: Array<[number, number, Record<string, number>]>,
  vifs: Array<[string, Record<string, number>]>,
): void {
  for (const [domid, devid, counters] of vbds) {
    const dir = path.join(root, 'bus/xen-backend/devices', `vbd-${domid}-${devid}`, 'statistics');
    fs.mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(counters)) fs.writeFileSync(path.join(dir, k), `${v}\n`);
  }
  for (const [name, counters] of vifs) {
    const dir = path.join(root, 'class/net', name, 'statistics');
    fs.mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(counters)) fs.writeFileSync(path.join(dir, k), `${v}\n`);
  }
}

export interface Rig {
  driver: XenDriver;
  hv: FakeHypervisor;
  xs: FakeXenstore;
  xl: FakeXl;
  store: DefinitionStore;
  dir: string;
}

/** A driver over the fakes with names g1..g3 in xenstore and an empty state directory. */
export async function rig(
  t: { teardown(fn: () => unknown): void },
  opts: {
    xenstore?: boolean;
    pollMs?: number;
    reasons?: ReasonBook;
    sysfsRoot?: string;
    codec?: DomainXmlCodec;
    storage?: HostDirPools;
    networks?: HostBridgeNetworks;
  } = {},
): Promise<Rig> {
  const hv = new FakeHypervisor();
  const xs = new FakeXenstore();
  xs.values.set('/local/domain/0/name', 'Domain-0');
  for (const i of [1, 2, 3]) xs.values.set(`/local/domain/${i}/name`, `g${i}`);
  const xl = new FakeXl();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-xen-test-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const codec = opts.codec ?? testCodec;
  const store = await DefinitionStore.open(dir, (xml) => codec.parse(xml));
  const driver = new XenDriver({
    hv: await XenHypervisor.over(Promise.resolve(hv)),
    xenstore: opts.xenstore === false ? null : xs,
    store,
    xl,
    codec,
    pollMs: opts.pollMs ?? 0,
    reasons: opts.reasons ?? new ReasonBook(),
    ...(opts.sysfsRoot ? { sysfsRoot: opts.sysfsRoot } : {}),
    ...(opts.storage ? { storage: opts.storage } : {}),
    ...(opts.networks ? { networks: opts.networks } : {}),
  });
  t.teardown(() => driver.close());
  return { driver, hv, xs, xl, store, dir };
}

export const XL_SAVE_MAGIC = Buffer.from('Xen saved domain, xl format\n \0 \r', 'latin1');

/** What `xl save` writes, as far as xvirt reads it: the magic, a header, libxl's JSON config, the memory stream. */
export function saveImageBytes(name: string, uuid: string): Buffer {
  const json = JSON.stringify({ c_info: { type: 'pv', name, uuid }, b_info: { max_vcpus: 1 } });
  return Buffer.concat([XL_SAVE_MAGIC, Buffer.alloc(16), Buffer.from(json), Buffer.alloc(1024, 0xee)]);
}

/** Makes the fake xl save/restore like the real one: save writes the image and the domain goes; restore brings it back. */
export function fakeSaveRestore(
  r: { xl: FakeXl; hv: FakeHypervisor; xs: FakeXenstore },
  name: string,
  uuid: string,
  ids: { next: number },
) {
  r.xl.run = async (args: string[]) => {
    r.xl.runs.push(args);
    if (args[0] === 'save') {
      fs.writeFileSync(args[2]!, saveImageBytes(name, uuid));
      r.hv.domains = r.hv.domains.filter((d) => d.id !== Number(args[1]));
    } else if (args[0] === 'restore') {
      const id = ids.next++;
      r.hv.domains.push(fakeDomain(id, uuid));
      await r.xs.write(`/local/domain/${id}/name`, name);
    }
    return '';
  };
}
