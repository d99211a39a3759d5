// vCPU pinning on the Xen driver: LIVE sets the running guest's hard
// affinity in Xen (the fake answers setvcpuaffinity as Xen does), CONFIG
// writes <cputune><vcpupin> into the stored definition and xl's `cpus=` at
// the next start, CURRENT follows the domain's state; every refusal comes
// before any change. The host has 4 CPU ids, 0 and 1 online.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainVcpuFlags as Vcpu, DomainXMLFlags } from '../../../../lib/constants';
import { ErrorDomain, ErrorNumber } from '../../../../lib/errors';
import { loadDomainXmlCodec } from '../../../../lib/drivers/xen/domain-xml';
import { fakeDomain, fakeVcpus, rig } from '../../../support/xen';

const UUID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const XML = `<domain type='xen'><name>pin</name><uuid>${UUID}</uuid>
  <memory unit='KiB'>131072</memory><vcpu current='2'>4</vcpu>
  <cputune><shares>512</shares></cputune>
  <os><type>xen</type><kernel>/guest/vmlinuz</kernel></os></domain>`;

/** A map over CPU ids 0 .. width - 1 with `cpus` set. */
const map = (width: number, ...cpus: number[]) => Array.from({ length: width }, (_, c) => cpus.includes(c));
const ALL = map(4, 0, 1, 2, 3);

async function setup(t: Test) {
  const r = await rig(t, { codec: loadDomainXmlCodec() });
  const ref = await r.driver.defineXML(XML);
  const run = () => {
    const vcpuInfo = fakeVcpus(4, 8n);
    vcpuInfo[2]!.online = vcpuInfo[3]!.online = false; // current 2 of 4
    r.hv.domains.push(fakeDomain(9, UUID, { vcpus: 2, vcpuInfo }));
  };
  const stored = () => fs.readFileSync(path.join(r.dir, `${UUID}.xml`), 'utf8');
  const pinCalls = () => r.hv.calls.filter((c) => c.startsWith('pinVcpu'));
  return { ...r, ref, run, stored, pinCalls };
}

t.test('a defined domain: CURRENT and CONFIG pin in the definition, xl gets cpus= at start', async (t) => {
  const r = await setup(t);
  await r.driver.domainPinVcpuFlags(r.ref, 1, map(4, 1, 2), Vcpu.CURRENT);
  await r.driver.domainPinVcpuFlags(r.ref, 0, map(8, 3), Vcpu.CONFIG);
  const xml = await r.driver.domainGetXMLDesc(r.ref, DomainXMLFlags.INACTIVE);
  t.match(
    xml,
    /<cputune>\s*<shares>512<\/shares>\s*<vcpupin vcpu='0' cpuset='3'\/>\s*<vcpupin vcpu='1' cpuset='1-2'\/>\s*<\/cputune>/,
    'pins in vCPU order after the children libvirt writes first',
  );
  t.match(r.stored(), /<vcpupin vcpu='1' cpuset='1-2'\/>/, 'durable in the store');
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 4, Vcpu.CONFIG), [map(4, 3), map(4, 1, 2), ALL, ALL]);
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 1, 0), [map(4, 3)], 'CURRENT of an inactive domain: CONFIG');
  t.same(r.pinCalls(), [], 'nothing reached Xen');

  r.xl.onCreate = () => r.run();
  await r.driver.domainCreate(r.ref, 0);
  t.match(r.xl.configs[0], /\ncpus = \[ "3", "1-2" \]\n/, "xl's per-vCPU list: vCPU i gets item i");
  await r.driver.domainDestroy(r.ref);
  await r.driver.domainPinVcpuFlags(
    r.ref,
    0,
    ALL.map((_, c) => c !== 3),
    Vcpu.CONFIG,
  );
  await r.driver.domainPinVcpuFlags(r.ref, 1, ALL, Vcpu.CONFIG);
  r.xl.onCreate = () => r.run();
  await r.driver.domainCreate(r.ref, 0);
  t.match(r.xl.configs[1], /\ncpus = \[ "0-2", "0-3" \]\n/);
});

t.test('refusals before any change', async (t) => {
  const r = await setup(t);
  const before = r.stored();
  const cases = [
    [() => r.driver.domainPinVcpuFlags(r.ref, 0, ALL, Vcpu.LIVE), ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN],
    [() => r.driver.domainPinVcpu(r.ref, 0, ALL), ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN],
    [() => r.driver.domainPinVcpuFlags(r.ref, 2, ALL, Vcpu.CONFIG), ErrorNumber.INVALID_ARG, ErrorDomain.XEN],
    [() => r.driver.domainPinVcpuFlags(r.ref, 70000, ALL, Vcpu.CONFIG), ErrorNumber.INVALID_ARG, ErrorDomain.XEN],
    [() => r.driver.domainPinVcpuFlags(r.ref, 0, map(8, 5, 7), Vcpu.CONFIG), ErrorNumber.INVALID_ARG, ErrorDomain.XEN],
    [() => r.driver.domainPinVcpuFlags(r.ref, 0, ALL, 4), ErrorNumber.INVALID_ARG, ErrorDomain.XEN],
  ] as const;
  const messages = [
    'domain is not running',
    'domain is not running',
    "vcpu '2' is not active",
    "vcpu '70000' is not active",
    "cpumap for vcpu '0' names no CPU of the host (CPUs 0-3)",
    'unsupported flags (0x4) in function virDomainPinVcpuFlags',
  ];
  for (const [i, [call, number, domain]] of cases.entries()) {
    await t.rejects(call(), { name: 'XvirtError', number, domain, message: messages[i] });
  }
  t.equal(r.stored(), before, 'the definition is as it was');
  t.same(r.pinCalls(), []);
});

t.test('a running domain: LIVE and CURRENT pin in Xen, LIVE|CONFIG in both', async (t) => {
  const r = await setup(t);
  r.run();
  const before = r.stored();
  await r.driver.domainPinVcpu(r.ref, 1, map(4, 1));
  await r.driver.domainPinVcpuFlags(r.ref, 0, map(4, 0, 1), Vcpu.CURRENT);
  t.same(r.pinCalls(), ['pinVcpu 9 1 1', 'pinVcpu 9 0 0,1']);
  t.equal(r.stored(), before, 'LIVE leaves the definition alone');
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 2, Vcpu.LIVE), [map(4, 0, 1), map(4, 1)], 'read back from Xen');
  t.same(
    (await r.driver.domainGetVcpus(r.ref, 2)).map((v) => v.cpumap),
    [map(4, 0, 1), map(4, 1)],
  );
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 2, Vcpu.CONFIG), [ALL, ALL]);

  await r.driver.domainPinVcpuFlags(r.ref, 1, map(4, 0), Vcpu.LIVE | Vcpu.CONFIG);
  t.same(r.pinCalls().at(-1), 'pinVcpu 9 1 0');
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 2, Vcpu.CONFIG), [ALL, map(4, 0)], 'and in the definition');

  const calls = r.pinCalls().length;
  const stored = r.stored();
  await t.rejects(r.driver.domainPinVcpu(r.ref, 2, ALL), {
    number: ErrorNumber.INVALID_ARG,
    message: "vcpu '2' is not active",
  });
  await t.rejects(r.driver.domainPinVcpu(r.ref, 4, ALL), { message: "vcpu '4' is not active" });
  t.equal(r.pinCalls().length, calls, 'offline and absent vCPUs never reach Xen');
  // Only offline CPUs (2, 3): Xen's own refusal, and CONFIG untouched because LIVE went first.
  await t.rejects(r.driver.domainPinVcpuFlags(r.ref, 0, map(4, 2, 3), Vcpu.LIVE | Vcpu.CONFIG), {
    name: 'XvirtError',
    number: ErrorNumber.XEN_CALL,
    domain: ErrorDomain.XEN,
    message: /setvcpuaffinity of vCPU 0 of domain 9 failed: Invalid argument/,
  });
  t.equal(r.stored(), stored, 'nothing half-applied');
  t.same(await r.driver.domainGetVcpuPinInfo(r.ref, 1, Vcpu.LIVE), [map(4, 0, 1)]);

  r.hv.domains = r.hv.domains.filter((d) => d.id !== 9);
  await t.rejects(r.driver.domainPinVcpuFlags(r.ref, 0, ALL, Vcpu.LIVE), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    message: 'domain is not running',
  });
});

t.test('the domain gone between its lookup and the pin: NO_DOMAIN', async (t) => {
  const r = await setup(t);
  r.run();
  r.hv.vcpus = () => -1;
  await t.rejects(r.driver.domainPinVcpu(r.ref, 0, ALL), { name: 'XvirtError', number: ErrorNumber.NO_DOMAIN });
  t.same(r.pinCalls(), []);
});
