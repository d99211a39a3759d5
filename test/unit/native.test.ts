// The native addon and its facade (lib/native.ts): loading, the no-Xen error,
// argument checks that stop bad calls before the native layer, record views.
import t from 'tap';
import * as fs from 'node:fs';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../lib/errors';
import {
  DomainRecords,
  RECORD_STRIDE,
  Slot,
  XenHypervisor,
  loadAddon,
  packageRoot,
  toXvirtError,
  type NativeHypervisor,
} from '../../lib/native';
import { VCPU_STRIDE, VcpuSlot } from '../../lib/native-stats';

const onXen = fs.existsSync('/dev/xen/privcmd') || fs.existsSync('/proc/xen/privcmd');

t.test('the addon loads without Xen and only builds hypervisors through open', async (t) => {
  const addon = loadAddon() as unknown as { Hypervisor: new (...a: unknown[]) => unknown; RECORD_STRIDE: number };
  t.equal(addon.RECORD_STRIDE, RECORD_STRIDE);
  t.throws(() => new addon.Hypervisor(), { name: 'TypeError', message: /openHypervisor/ });
  t.ok(fs.existsSync(`${packageRoot()}/binding.gyp`));
});

t.test(
  'opening without /dev/xen/privcmd is a clear NO_CONNECT naming the device',
  { skip: onXen && 'this host is a Xen dom0' },
  async (t) => {
    const err = await XenHypervisor.open().then(
      () => null,
      (e: unknown) => e,
    );
    t.type(err, XvirtError);
    const x = err as XvirtError;
    t.equal(x.number, ErrorNumber.NO_CONNECT);
    t.equal(x.domain, ErrorDomain.XEN);
    t.match(x.message, /\/dev\/xen\/privcmd is missing/);
  },
);

/** A stand-in for the native object that records what reached it. */
function standIn(): { native: NativeHypervisor; calls: string[] } {
  const calls: string[] = [];
  const native: NativeHypervisor = {
    info: () => ({
      major: 4,
      minor: 17,
      extraversion: '.7',
      capabilities: 'xen-3.0-x86_64',
      sysctlInterface: 0x15,
      domctlInterface: 0x15,
      transport: 'stand-in',
    }),
    physinfo: () => {
      calls.push('physinfo');
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
    },
    getInfo: (domid, _uuid, out) => {
      calls.push(`getInfo ${domid}`);
      if (domid === 9)
        throw Object.assign(new Error('getdomaininfo of domain 9 failed: Permission denied'), {
          code: 'XC_EHYPERCALL',
          errno: 1,
        });
      if (domid !== 1) return 1;
      out[Slot.DOMID] = 1;
      out[Slot.STATE] = 2;
      out[Slot.MEM_KIB] = 16384;
      new BigUint64Array(out.buffer)[Slot.CPU_TIME] = 2n ** 60n + 1n;
      return 0;
    },
    list: (out, uuids) => {
      calls.push(`list ${out.length / RECORD_STRIDE}`);
      const total = 40;
      for (let i = 0; i < Math.min(total, uuids.length / 16); i++) {
        out[i * RECORD_STRIDE] = i;
        uuids[i * 16] = i;
      }
      return total;
    },
    pause: async (d) => {
      calls.push(`pause ${d}`);
    },
    unpause: async (d) => {
      calls.push(`unpause ${d}`);
    },
    shutdown: async (d, reboot) => {
      calls.push(`shutdown ${d} ${reboot}`);
    },
    destroy: async (d) => {
      calls.push(`destroy ${d}`);
      throw Object.assign(new Error(`no domain with id ${d}`), { code: 'XC_ENODOMAIN', errno: 3 });
    },
    close: () => {
      calls.push('close');
    },
    // Domain 2 is gone; the map's bytes as the addon gets them.
    pinVcpu: async (domid, vcpu, map) => {
      calls.push(`pinVcpu ${domid} ${vcpu} ${Array.from(map).join(',')}`);
      if (domid === 2)
        throw Object.assign(new Error(`no domain with id 2, or no vCPU ${vcpu} in it`), { code: 'XC_ENODOMAIN' });
    },
    // 20 vCPUs (more than the reader's first buffer holds), vCPU 3 absent; domain 2 is gone; 9 fails.
    vcpus: (domid, _uuid, out) => {
      calls.push(`vcpus ${domid} ${out.length}`);
      if (domid === 9)
        throw Object.assign(new Error('getvcpuinfo of vCPU 0 of domain 9 failed: Permission denied'), {
          code: 'XC_EHYPERCALL',
          errno: 1,
        });
      if (domid !== 1) return -1;
      const u64 = new BigUint64Array(out.buffer);
      for (let i = 0; i < Math.min(20, out.length / VCPU_STRIDE); i++) {
        const o = i * VCPU_STRIDE;
        out[o + VcpuSlot.PRESENT] = i === 3 ? 0 : 1;
        out[o + VcpuSlot.ONLINE] = i === 3 ? 0 : 1;
        out[o + VcpuSlot.RUNNING] = i === 0 ? 1 : 0;
        out[o + VcpuSlot.BLOCKED] = i === 0 ? 0 : 1;
        out[o + VcpuSlot.CPU] = i % 4;
        u64[o + VcpuSlot.CPU_TIME] = i === 0 ? 2n ** 60n + 7n : BigInt(i);
      }
      return 20;
    },
    // Domain 1's vCPU 2 is pinned to CPUs 1 and 9; the others may run anywhere (all bits of the map).
    vcpuAffinity: (domid, vcpu, out) => {
      calls.push(`vcpuAffinity ${domid} ${vcpu} ${out.length}`);
      if (domid !== 1 || vcpu >= 20) return -1;
      out.fill(vcpu === 2 ? 0 : 0xff);
      if (vcpu === 2) [out[0], out[1]] = [0x02, 0x02];
      return 0;
    },
    cpuIdle: (out) => {
      calls.push(`cpuIdle ${out.length}`);
      const u64 = new BigUint64Array(out.buffer);
      for (let i = 0; i < Math.min(100, out.length); i++) u64[i] = i === 99 ? 2n ** 63n + 1n : BigInt(i * 1000);
      return 100;
    },
    nodeMemory: (out) => {
      calls.push(`nodeMemory ${out.length}`);
      out.set([1, 2096632, 1024156, 0, 0, 0].slice(0, out.length));
      return 2;
    },
  };
  return { native, calls };
}

t.test('bad arguments never reach the native layer', async (t) => {
  const { native, calls } = standIn();
  const hv = await XenHypervisor.over(Promise.resolve(native));
  const out = new DomainRecords(1);
  for (const bad of [-1, 1.5, 0x7ff0, NaN, '1', null, 2 ** 32]) {
    t.throws(
      () => hv.getInfo(bad as number, null, out),
      { number: ErrorNumber.INVALID_ARG, message: /domain id/ },
      `domid ${String(bad)}`,
    );
    await t.rejects(
      hv.pause(bad as number),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG },
      `pause ${String(bad)}`,
    );
    await t.rejects(
      hv.shutdown(bad as number, false),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG },
      `shutdown ${String(bad)}`,
    );
  }
  await t.rejects(hv.shutdown(1, 'yes' as unknown as boolean), { number: ErrorNumber.INVALID_ARG, message: /reboot/ });
  t.throws(() => hv.getInfo(1, new Uint8Array(15), out), { number: ErrorNumber.INVALID_ARG, message: /16 bytes/ });
  t.throws(() => hv.getInfo(1, null, new Float64Array(RECORD_STRIDE) as unknown as DomainRecords), {
    name: 'XvirtError',
    number: ErrorNumber.INVALID_ARG,
  });
  t.throws(() => hv.list([] as unknown as DomainRecords), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  t.throws(() => new DomainRecords(0), { name: 'XvirtError', number: ErrorNumber.INVALID_ARG });
  for (const bad of [-1, 1.5, 0x7ff0, NaN, '1', null]) {
    t.throws(
      () => hv.vcpus(bad as number, null),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /domain id/ },
      `vcpus ${String(bad)}`,
    );
  }
  t.throws(() => hv.vcpus(1, new Uint8Array(17)), { number: ErrorNumber.INVALID_ARG, message: /16 bytes/ });
  t.throws(() => hv.vcpuAffinity(0x7ff0, 0, 2), { number: ErrorNumber.INVALID_ARG, message: /domain id/ });
  for (const bad of [-1, 1.5, 2 ** 32, NaN, '1']) {
    t.throws(
      () => hv.vcpuAffinity(1, bad as number, 2),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /vCPU id/ },
      `vcpuAffinity vCPU ${String(bad)}`,
    );
  }
  for (const bad of [0, 3585, 2.5, null]) {
    t.throws(
      () => hv.vcpuAffinity(1, 0, bad as number),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /CPU count/ },
      `vcpuAffinity over ${String(bad)} CPUs`,
    );
  }
  for (const bad of [-1, 1.5, 2 ** 32, NaN, '1']) {
    await t.rejects(
      hv.pinVcpu(1, bad as number, [true]),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /vCPU id/ },
      `pinVcpu vCPU ${String(bad)}`,
    );
  }
  for (const bad of [[], new Array<boolean>(3585).fill(true), 'x', null]) {
    await t.rejects(
      hv.pinVcpu(1, 0, bad as boolean[]),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, message: /CPU map must/ },
      `pinVcpu map of ${String((bad as unknown[] | null)?.length)}`,
    );
  }
  await t.rejects(hv.pinVcpu(1, 0, [false, false]), { number: ErrorNumber.INVALID_ARG, message: /names no CPU/ });
  await t.rejects(hv.pinVcpu(0x7ff0, 0, [true]), { number: ErrorNumber.INVALID_ARG, message: /domain id/ });
  t.same(calls, [], 'nothing was called');
});

t.test('results come back through the record views', async (t) => {
  const { native, calls } = standIn();
  const hv = await XenHypervisor.over(Promise.resolve(native));
  t.equal(hv.version.minor, 17);
  const out = new DomainRecords(1);
  t.equal(hv.getInfo(1, null, out), true);
  t.equal(out.get(0, Slot.STATE), 2);
  t.equal(out.get(0, Slot.MEM_KIB), 16384);
  t.equal(out.cpuTimeNs(0), 2n ** 60n + 1n, 'CPU time keeps all 64 bits');
  t.equal(hv.getInfo(2, new Uint8Array(16), out), false, 'absent domain is false, not an error');
  t.throws(() => hv.getInfo(9, null, out), {
    number: ErrorNumber.XEN_CALL,
    domain: ErrorDomain.XEN,
    message: /Permission denied/,
  });
  const { records, count } = hv.list(new DomainRecords(4));
  t.equal(count, 40);
  t.ok(records.capacity >= 40, 'grown to hold every domain');
  t.equal(records.get(39, Slot.DOMID), 39);
  t.equal(records.uuid(39)[0], 39);
  await hv.pause(3);
  await hv.shutdown(3, true);
  t.ok(calls.includes('shutdown 3 true'), 'reboot reaches the native shutdown');
  await t.rejects(hv.destroy(4), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });
  const pinning = hv.pinVcpu(1, 3, [false, true, false, false, false, false, false, false, true, true]);
  t.type(pinning, Promise, 'pinning is a control call: a promise');
  await pinning;
  t.ok(calls.includes('pinVcpu 1 3 2,3'), 'CPU c is bit c % 8 of byte c / 8');
  await t.rejects(hv.pinVcpu(2, 0, [true]), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });
  hv.close();
  hv.close();
  t.throws(() => hv.getInfo(1, null, out), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  t.same(
    calls.filter((c) => c === 'close'),
    ['close'],
    'closed once',
  );
});

t.test('statistics: vCPUs, CPU idle times and node memory, buffers grown as needed, 64-bit times kept', async (t) => {
  const { native, calls } = standIn();
  const hv = await XenHypervisor.over(Promise.resolve(native));
  const vcpus = hv.vcpus(1, new Uint8Array(16))!;
  t.equal(vcpus.length, 20, 'every vCPU, after growing the buffer');
  t.same(
    calls.filter((c) => c.startsWith('vcpus')),
    [`vcpus 1 ${8 * VCPU_STRIDE}`, `vcpus 1 ${32 * VCPU_STRIDE}`],
    'read again into room for all',
  );
  t.same(vcpus[0], {
    id: 0,
    present: true,
    online: true,
    blocked: false,
    running: true,
    cpu: 0,
    cpuTimeNs: 2n ** 60n + 7n,
  });
  t.same(vcpus[3], { id: 3, present: false, online: false, blocked: true, running: false, cpu: 3, cpuTimeNs: 3n });
  t.equal(hv.vcpus(2, null), null, 'a vanished domain is null, not an error');
  t.throws(() => hv.vcpus(9, null), { name: 'XvirtError', number: ErrorNumber.XEN_CALL, message: /Permission denied/ });
  const idle = hv.cpuIdle();
  t.equal(idle.length, 100);
  t.equal(idle[99], 2n ** 63n + 1n, 'idle time keeps all 64 bits');
  t.equal(idle[5], 5000n);
  t.same(hv.nodeMemory(), [
    { node: 0, online: true, sizeKiB: 2096632, freeKiB: 1024156 },
    { node: 1, online: false, sizeKiB: 0, freeKiB: 0 },
  ]);
  t.same(hv.vcpuAffinity(1, 0, 3), [true, true, true], 'an unpinned vCPU: every CPU asked for');
  const pinned = hv.vcpuAffinity(1, 2, 12)!;
  t.same(
    pinned.flatMap((on, c) => (on ? [c] : [])),
    [1, 9],
    'a pinned vCPU: bit c % 8 of byte c / 8 is CPU c',
  );
  t.equal(hv.vcpuAffinity(2, 0, 3), null, 'a vanished domain is null, not an error');
  t.same(
    calls.filter((c) => c.startsWith('vcpuAffinity')),
    ['vcpuAffinity 1 0 1', 'vcpuAffinity 1 2 2', 'vcpuAffinity 2 0 1'],
    'a map of ceil(cpus / 8) bytes',
  );
  hv.close();
  t.throws(() => hv.vcpuAffinity(1, 0, 3), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  t.throws(() => hv.cpuIdle(), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
  t.throws(() => hv.nodeMemory(), { name: 'XvirtError', number: ErrorNumber.INVALID_CONN });
});

t.test('the built addon exposes every call the facade makes', async (t) => {
  const addon = loadAddon() as unknown as { Hypervisor: { prototype: Record<string, (...a: unknown[]) => unknown> } };
  for (const m of [
    'getInfo',
    'list',
    'pause',
    'shutdown',
    'destroy',
    'pinVcpu',
    'vcpus',
    'vcpuAffinity',
    'cpuIdle',
    'nodeMemory',
  ]) {
    t.type(addon.Hypervisor.prototype[m], 'function', `Hypervisor.${m}`);
  }
});

t.test('core error codes map to libvirt numbers', async (t) => {
  const cases: Array<[string, ErrorNumber]> = [
    ['XC_ENOPRIVCMD', ErrorNumber.NO_CONNECT],
    ['XC_EACCESS', ErrorNumber.ACCESS_DENIED],
    ['XC_EUNSUPPORTED', ErrorNumber.NO_SUPPORT],
    ['XC_ENODOMAIN', ErrorNumber.NO_DOMAIN],
    ['XC_EHYPERCALL', ErrorNumber.XEN_CALL],
    ['XC_ESYSTEM', ErrorNumber.SYSTEM_ERROR],
    ['XC_EINVAL', ErrorNumber.INVALID_ARG],
  ];
  for (const [code, number] of cases) {
    const e = toXvirtError(Object.assign(new Error(`detail ${code}`), { code }));
    t.equal(e.number, number, code);
    t.match(e.message, `detail ${code}`);
  }
  t.equal(toXvirtError(new TypeError('x')).number, ErrorNumber.INVALID_ARG);
  t.equal(toXvirtError(new Error('x')).number, ErrorNumber.INTERNAL_ERROR);
});
