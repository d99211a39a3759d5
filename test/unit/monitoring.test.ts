// The monitoring API's own layer: NO_SUPPORT naming libvirt's API when a
// driver lacks a call, INVALID_ARG naming the argument, read-only refusal.
import t from 'tap';
import { Connection, ErrorDomain, ErrorNumber, parseUri, DomainVcpuFlags as V, type DomainRef } from '../../lib';
import type { Driver } from '../../lib/types';

const REF: DomainRef = { name: 'd', uuid: '00000000-0000-0000-0000-000000000001', id: 1 };
const calls: unknown[][] = [];

/** A driver with only the mandatory calls the monitoring layer touches, plus what `extra` adds. */
function open(extra: Partial<Driver> = {}, readonly = false): Connection {
  const base = {
    name: 'fake',
    onClosed() {},
    isAlive: () => true,
    async domainGetInfo() {
      return { state: 1, maxMemKiB: 1, memoryKiB: 1, nrVirtCpu: 3, cpuTimeNs: 0n };
    },
    async lookupByName() {
      return REF;
    },
  };
  return new Connection(parseUri('test:///default'), { ...base, ...extra } as unknown as Driver, readonly);
}

t.test('a driver without the call: NO_SUPPORT naming the virXxx API', async (t) => {
  const conn = open();
  const dom = await conn.lookupDomainByName('d');
  const cases: [Promise<unknown>, string, ErrorDomain][] = [
    [conn.getAllDomainStats(), 'virConnectGetAllDomainStats', ErrorDomain.DOMAIN],
    [conn.getDomainStats([dom]), 'virDomainListGetStats', ErrorDomain.DOMAIN],
    [conn.getCPUMap(), 'virNodeGetCPUMap', ErrorDomain.DOMAIN],
    [conn.getNodeCPUStats(), 'virNodeGetCPUStats', ErrorDomain.DOMAIN],
    [conn.getNodeMemoryStats(), 'virNodeGetMemoryStats', ErrorDomain.DOMAIN],
    [conn.getFreeMemory(), 'virNodeGetFreeMemory', ErrorDomain.DOMAIN],
    [conn.getCellsFreeMemory(0, 2), 'virNodeGetCellsFreeMemory', ErrorDomain.DOMAIN],
    [dom.memoryStats(), 'virDomainMemoryStats', ErrorDomain.DOMAIN],
    [dom.blockStats('vda'), 'virDomainBlockStats', ErrorDomain.DOMAIN],
    [dom.blockStatsFlags('vda'), 'virDomainBlockStatsFlags', ErrorDomain.DOMAIN],
    [dom.interfaceStats('vnet0'), 'virDomainInterfaceStats', ErrorDomain.DOMAIN],
    [dom.getVcpus(), 'virDomainGetVcpus', ErrorDomain.DOMAIN],
    [dom.getVcpusFlags(), 'virDomainGetVcpusFlags', ErrorDomain.DOMAIN],
    [dom.getCPUStats(), 'virDomainGetCPUStats', ErrorDomain.DOMAIN],
    [dom.setMemoryFlags(1024), 'virDomainSetMemoryFlags', ErrorDomain.DOMAIN],
    [dom.setVcpusFlags(1), 'virDomainSetVcpusFlags', ErrorDomain.DOMAIN],
    [dom.setMaxMemory(1024), 'virDomainSetMaxMemory', ErrorDomain.DOMAIN],
  ];
  for (const [p, api, domain] of cases) {
    await t.rejects(
      p,
      {
        number: ErrorNumber.NO_SUPPORT,
        domain,
        message: `this function is not supported by the connection driver: ${api}`,
      },
      api,
    );
  }
});

t.test('arguments are checked before the driver is called, naming the argument', async (t) => {
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return [] as never;
    };
  const conn = open({
    connectGetAllDomainStats: record('stats'),
    domainGetCPUStats: record('cpu'),
    nodeGetCellsFreeMemory: record('cells'),
    nodeGetCPUStats: record('nodecpu'),
    domainSetMemoryFlags: record('mem'),
    domainSetVcpusFlags: record('vcpus'),
    domainGetVcpus: record('vcpus'),
    domainGetVcpusFlags: record('count'),
    domainBlockStats: record('blk'),
  });
  const dom = await conn.lookupDomainByName('d');
  const bad: [() => Promise<unknown>, RegExp][] = [
    [() => conn.getAllDomainStats(-1), /stats/],
    [() => conn.getAllDomainStats(0, 1.5), /flags/],
    [() => conn.getDomainStats([]), /^doms array in virDomainListGetStats must contain at least one domain$/],
    [() => conn.getDomainStats([{ ...dom, connection: open() } as never]), /belong to this connection/],
    [() => conn.getNodeCPUStats(-2), /^cpuNum in virNodeGetCPUStats only accepts -1 as a negative value$/],
    [() => conn.getCellsFreeMemory(-1, 1), /^startCell in virNodeGetCellsFreeMemory must be zero or greater$/],
    [() => conn.getCellsFreeMemory(0, 0), /^maxCells in virNodeGetCellsFreeMemory must be greater than zero$/],
    [() => conn.getCellsFreeMemory(0, 1025), /maxCells/],
    [() => dom.getCPUStats(-1, 2), /^ncpus must be 1 when start_cpu is -1$/],
    [() => dom.getCPUStats(-2, 1), /^start_cpu in virDomainGetCPUStats must be zero or greater$/],
    [() => dom.blockStats(undefined as never), /disk must be a string/],
    [() => dom.getVcpus(0), /^maxinfo in virDomainGetVcpus must be greater than zero$/],
    [() => dom.setMemoryFlags(0), /^memory in virDomainSetMemoryFlags must not be zero$/],
    [() => dom.setVcpusFlags(0x10000), /nvcpus/],
    [
      () => dom.getVcpusFlags(V.LIVE | V.CONFIG),
      /^Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive$/,
    ],
  ];
  for (const [call, message] of bad) {
    await t.rejects(call(), { number: ErrorNumber.INVALID_ARG, message }, String(message));
  }
  t.same(calls, [], 'the driver saw none of them');
  await dom.getVcpus();
  t.same(calls.pop(), ['vcpus', dom.ref, 3], 'getVcpus() asks for as many vCPUs as the domain has');
});

t.test('read-only connections refuse the setters and GUEST vCPU counts', async (t) => {
  const conn = open({ domainSetMemoryFlags: async () => {}, domainGetVcpusFlags: async () => 2 }, true);
  const dom = await conn.lookupDomainByName('d');
  const denied = (api: RegExp) => ({ number: ErrorNumber.OPERATION_DENIED, message: api });
  await t.rejects(dom.setMemoryFlags(1024), denied(/virDomainSetMemoryFlags/));
  await t.rejects(dom.setMaxMemory(1024), { number: ErrorNumber.OPERATION_DENIED, message: /virDomainSetMaxMemory/ });
  await t.rejects(dom.getVcpusFlags(V.GUEST), denied(/virDomainGetVcpusFlags/));
  t.equal(await dom.getVcpusFlags(V.MAXIMUM), 2);
});
