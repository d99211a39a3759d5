// vCPU pinning on the test driver in-process: the pins go into <cputune>
// beside what it already held (in libvirt's order), read back by
// getVcpuPinInfo and getVcpus; the API's own argument checks and the
// read-only refusal come before the driver.
import t from 'tap';
import { ErrorDomain, ErrorNumber } from '../../../../lib';
import { guestXml, open } from '../../../support/test-driver';

t.test('pins land in <cputune>, in vCPU order, beside its other children', async (t) => {
  const conn = await open(t);
  const dom = await conn.createXML(
    guestXml('pinned', "<cputune><shares>2048</shares><emulatorpin cpuset='1'/></cputune>", undefined, 3),
    0,
  );
  const host = (await dom.getVcpuPinInfo(0))[0]!.length; // the node's CPU count, as libvirt's maps
  const map = (...cpus: number[]) => Array.from({ length: host }, (_, c) => cpus.includes(c));
  await dom.pinVcpu(2, map(3));
  await dom.pinVcpuFlags(0, map(0, 1), 0);
  await dom.pinVcpu(2, map(4, 5));
  t.match(
    await dom.getXMLDesc(0),
    /<cputune>\s*<shares>2048<\/shares>\s*<vcpupin vcpu='0' cpuset='0-1'\/>\s*<vcpupin vcpu='2' cpuset='4-5'\/>\s*<emulatorpin cpuset='1'\/>\s*<\/cputune>/,
  );
  t.same(await dom.getVcpuPinInfo(0), [map(0, 1), map(...Array.from({ length: host }, (_, c) => c)), map(4, 5)]);
  t.same(
    (await dom.getVcpus()).map((v) => v.cpumap),
    await dom.getVcpuPinInfo(0),
  );
});

t.test('argument checks and refusals', async (t) => {
  const conn = await open(t);
  const dom = await conn.lookupDomainByName('test');
  await t.rejects(dom.pinVcpu(0, []), { number: ErrorNumber.INVALID_ARG, message: /maplen in virDomainPinVcpu must/ });
  await t.rejects(dom.pinVcpu(2 ** 32, [true]), { number: ErrorNumber.INVALID_ARG, message: /vcpu must be/ });
  // As libvirt 9.0: no 16-bit limit in the API, the driver's own refusal (virsh vcpupin test 70000 0).
  await t.rejects(dom.pinVcpu(70000, [true]), {
    number: ErrorNumber.INVALID_ARG,
    domain: ErrorDomain.TEST,
    message: "invalid argument: requested vcpu '70000' is not present in the domain",
  });
  await t.rejects(dom.pinVcpuFlags(0, [1] as never), { number: ErrorNumber.INVALID_ARG, message: /cpumap/ });
  await t.rejects(dom.pinVcpuFlags(0, [true], 1), {
    number: ErrorNumber.INVALID_ARG,
    message: 'unsupported flags (0x1) in function testDomainPinVcpuFlags',
  });
  await t.rejects(dom.pinVcpu(9, [true]), {
    number: ErrorNumber.INVALID_ARG,
    message: /requested vcpu '9' is not present/,
  });
  await dom.destroy();
  await t.rejects(dom.pinVcpu(0, [true]), { number: ErrorNumber.OPERATION_INVALID, message: /inactive domain/ });
  const ro = await open(t, 'test:///default', { readonly: true });
  const readOnly = await ro.lookupDomainByName('test');
  await t.rejects(readOnly.pinVcpu(0, [true]), { name: 'XvirtError', number: ErrorNumber.OPERATION_DENIED });
});
