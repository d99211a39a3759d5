// Memory and vCPU setters with LIVE / CONFIG / MAXIMUM on Xen: LIVE goes to
// xl (mem-set, mem-max, vcpu-set), CONFIG rewrites the stored definition
// (visible in the inactive XML and after a restart), CURRENT follows the
// domain's state, and a refused call changes neither.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainMemoryModFlags as Mem, DomainVcpuFlags as Vcpu, DomainXMLFlags } from '../../../../lib/constants';
import { ErrorDomain, ErrorNumber } from '../../../../lib/errors';
import { loadDomainXmlCodec } from '../../../../lib/drivers/xen/domain-xml';
import { fakeDomain, fakeVcpus, rig } from '../../../support/xen';

const UUID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const XML = `<domain type='xen'><name>tu</name><uuid>${UUID}</uuid>
  <memory unit='KiB'>131072</memory><currentMemory unit='KiB'>65536</currentMemory><vcpu current='2'>4</vcpu>
  <os><type>xen</type><kernel>/guest/vmlinuz</kernel></os></domain>`;

async function setup(t: Test) {
  const r = await rig(t, { codec: loadDomainXmlCodec() });
  const ref = await r.driver.defineXML(XML);
  const run = () => {
    r.hv.domains.push(fakeDomain(9, UUID, { memKiB: 65536, maxMemKiB: 131072, vcpus: 2, vcpuInfo: fakeVcpus(4, 8n) }));
  };
  return { ...r, ref, run };
}

const inactiveXml = (r: Awaited<ReturnType<typeof setup>>) => r.driver.domainGetXMLDesc(r.ref, DomainXMLFlags.INACTIVE);
const stored = (r: Awaited<ReturnType<typeof setup>>) => fs.readFileSync(path.join(r.dir, `${UUID}.xml`), 'utf8');

t.test('a defined domain: CURRENT and CONFIG rewrite the definition, LIVE is refused', async (t) => {
  const r = await setup(t);
  await r.driver.domainSetMemoryFlags(r.ref, 98304, Mem.CURRENT);
  t.match(await inactiveXml(r), /<currentMemory unit='KiB'>98304<\/currentMemory>/);
  t.match(stored(r), /98304/, 'durable in the store');
  await r.driver.domainSetMemoryFlags(r.ref, 65536, Mem.CONFIG | Mem.MAXIMUM);
  t.match(
    await inactiveXml(r),
    /<memory unit='KiB'>65536<\/memory>\s*<currentMemory unit='KiB'>65536<\/currentMemory>/,
    'a lower maximum pulls the current memory down with it',
  );
  await r.driver.domainSetMaxMemory(r.ref, 262144);
  t.match(await inactiveXml(r), /<memory unit='KiB'>262144<\/memory>/);

  await r.driver.domainSetVcpusFlags(r.ref, 3, Vcpu.CONFIG);
  t.match(await inactiveXml(r), /<vcpu placement='static' current='3'>4<\/vcpu>|<vcpu current='3'>4<\/vcpu>/);
  t.equal(await r.driver.domainGetVcpusFlags(r.ref, Vcpu.CONFIG), 3);
  await r.driver.domainSetVcpusFlags(r.ref, 2, Vcpu.CONFIG | Vcpu.MAXIMUM);
  t.equal(await r.driver.domainGetVcpusFlags(r.ref, Vcpu.CONFIG | Vcpu.MAXIMUM), 2);
  t.equal(await r.driver.domainGetVcpusFlags(r.ref, Vcpu.CONFIG), 2, 'current follows a lower maximum');
  t.same(r.xl.runs, [], 'nothing reached xl');

  const before = stored(r);
  for (const [call, number, message] of [
    [
      () => r.driver.domainSetMemoryFlags(r.ref, 1024, Mem.LIVE),
      ErrorNumber.OPERATION_INVALID,
      /domain is not running/,
    ],
    [() => r.driver.domainSetMemoryFlags(r.ref, 300000, Mem.CONFIG), ErrorNumber.INVALID_ARG, /higher than max memory/],
    [() => r.driver.domainSetMemoryFlags(r.ref, 1024, 8), ErrorNumber.INVALID_ARG, /unsupported flags \(0x8\)/],
    [
      () => r.driver.domainSetMemoryFlags(r.ref, 0, Mem.CONFIG),
      ErrorNumber.INVALID_ARG,
      /memory must be a positive integer/,
    ],
    [() => r.driver.domainSetVcpusFlags(r.ref, 5, Vcpu.CONFIG), ErrorNumber.INVALID_ARG, /5 > 2/],
    [() => r.driver.domainSetVcpusFlags(r.ref, 1, Vcpu.LIVE), ErrorNumber.OPERATION_INVALID, /domain is not running/],
  ] as const) {
    await t.rejects(call(), { name: 'XvirtError', number, message });
  }
  t.equal(stored(r), before, 'refused calls left the definition as it was');
  // As libxl: the LIVE/CONFIG refusal comes from libvirt's domain layer, virCheckFlags' text carries no prefix.
  await t.rejects(r.driver.domainSetVcpusFlags(r.ref, 1, Vcpu.LIVE), {
    domain: ErrorDomain.DOMAIN,
    message: 'domain is not running',
  });
  await t.rejects(r.driver.domainSetMemoryFlags(r.ref, 1024, 8), {
    domain: ErrorDomain.XEN,
    message: 'unsupported flags (0x8) in function virDomainSetMemoryFlags',
  });
});

t.test('a running domain: CURRENT and LIVE go to xl, LIVE|CONFIG to both', async (t) => {
  const r = await setup(t);
  r.run();
  await r.driver.domainSetMemoryFlags(r.ref, 32768, Mem.CURRENT);
  await r.driver.domainSetMemoryFlags(r.ref, 49152, Mem.LIVE | Mem.CONFIG);
  await r.driver.domainSetMemoryFlags(r.ref, 120000, Mem.LIVE | Mem.MAXIMUM);
  const lists = r.hv.calls.filter((c) => c === 'list').length;
  await r.driver.domainSetVcpusFlags(r.ref, 4, Vcpu.LIVE);
  t.equal(r.hv.calls.filter((c) => c === 'list').length, lists + 1, 'setVcpusFlags(LIVE) lists the live domains once');
  t.same(r.xl.runs, [
    ['mem-set', '9', '32768k'],
    ['mem-set', '9', '49152k'],
    ['mem-max', '9', '120000k'],
    ['vcpu-set', '9', '4'],
  ]);
  t.match(
    await inactiveXml(r),
    /<currentMemory unit='KiB'>49152<\/currentMemory>/,
    'only the CONFIG call reached the definition',
  );

  r.xl.runs = [];
  for (const [call, number, message] of [
    [() => r.driver.domainSetMemoryFlags(r.ref, 262144, Mem.LIVE), ErrorNumber.INVALID_ARG, /higher than max memory/],
    [() => r.driver.domainSetVcpusFlags(r.ref, 5, Vcpu.LIVE), ErrorNumber.INVALID_ARG, /5 > 4/],
    [
      () => r.driver.domainSetVcpusFlags(r.ref, 2, Vcpu.LIVE | Vcpu.MAXIMUM),
      ErrorNumber.INVALID_ARG,
      /maximum vCPU count of a running domain/,
    ],
  ] as const) {
    await t.rejects(call(), { name: 'XvirtError', number, message });
  }
  t.same(r.xl.runs, [], 'refused calls reached neither xl nor the definition');

  // Gone between the lookup and the vCPU read: the statistics' NO_DOMAIN, and nothing reaches xl.
  r.hv.vcpus = () => -1;
  await t.rejects(r.driver.domainSetVcpusFlags(r.ref, 2, Vcpu.LIVE), {
    name: 'XvirtError',
    number: ErrorNumber.NO_DOMAIN,
    domain: ErrorDomain.XEN,
    message: `domain 'Domain-9' (${UUID}) no longer exists`,
  });
  t.same(r.xl.runs, []);
});

t.test('a transient running domain has no CONFIG to change', async (t) => {
  const r = await setup(t);
  r.run();
  await r.driver.domainUndefine(r.ref, 0);
  await t.rejects(r.driver.domainSetMemoryFlags(r.ref, 1024, Mem.CONFIG), {
    name: 'XvirtError',
    number: ErrorNumber.OPERATION_INVALID,
    domain: ErrorDomain.DOMAIN,
    message: 'transient domains do not have any persistent config',
  });
});

t.test('<vcpu current> becomes xl maxvcpus', async (t) => {
  const r = await setup(t);
  r.xl.onCreate = () => r.run();
  await r.driver.domainCreate(r.ref, 0);
  t.match(r.xl.configs[0], /\nvcpus = 2\nmaxvcpus = 4\n/);
});
