// The remote driver's monitoring calls against a scripted daemon: the
// count-then-fetch conversations libvirt's protocol asks for, and replies
// that claim more than was asked for refused as RPC errors.
import t from 'tap';
import { ErrorNumber, TypedParamType as T } from '../../../../lib';
import type { RpcClient } from '../../../../lib/rpc/client';
import { RemoteProcedure as P } from '../../../../lib/rpc/procedures';
import { RemoteMonitoring } from '../../../../lib/drivers/remote/monitoring';
import type { NodeInfo } from '../../../../lib/types';

const DOM = { name: 'd', uuid: '00000000-0000-0000-0000-000000000001', id: 1 };
const NODE: NodeInfo = { model: 'x', memoryKiB: 1, cpus: 12, mhz: 1, nodes: 1, sockets: 1, cores: 12, threads: 1 };

type Args = Record<string, number>;

/** A remote driver whose daemon answers from `replies` (procedure -> function of the args), recording the calls. */
class Scripted extends RemoteMonitoring {
  readonly calls: [number, Args][] = [];
  constructor(readonly replies: Record<number, (args: Args) => unknown>) {
    super();
  }
  protected rpc(): RpcClient {
    return {
      call: async (proc: number, args: Args) => {
        this.calls.push([proc, args]);
        return this.replies[proc]!(args);
      },
    } as unknown as RpcClient;
  }
  protected async getNodeInfo(): Promise<NodeInfo> {
    return NODE;
  }
}

const cpuParam = (cpu: number) => ({ name: 'cpu_time', type: T.ULLONG, value: BigInt(cpu) });

t.test('CPU stats: the per-CPU parameter count first, then at most 128 CPUs per call', async (t) => {
  const d = new Scripted({
    [P.DOMAIN_GET_CPU_STATS]: (a) =>
      a.nparams === 0
        ? { params: [], nparams: 1 }
        : {
            params: Array.from({ length: Math.min(a.ncpus!, 200 - a.start_cpu!) }, (_, i) =>
              cpuParam(a.start_cpu! + i),
            ),
            nparams: 1,
          },
  });
  const records = await d.domainGetCPUStats(DOM, 10, 1000, 0);
  t.equal(records.length, 190, 'stops at the last CPU the daemon has');
  t.same(records[0], [cpuParam(10)]);
  t.same(
    d.calls.map(([, a]) => [a.start_cpu, a.ncpus]),
    [
      [10, 1],
      [10, 128],
      [138, 128],
    ],
  );
});

t.test('vCPUs: one map byte per 8 host CPUs, unpacked per vCPU', async (t) => {
  const d = new Scripted({
    [P.DOMAIN_GET_VCPUS]: (a) => ({
      info: [
        { number: 0, state: 1, cpu_time: 5n, cpu: 9 },
        { number: 1, state: 1, cpu_time: 6n, cpu: 2 },
      ],
      cpumaps: Buffer.from([0x01, 0x02, 0xff, 0x0f].slice(0, a.maxinfo! * a.maplen!)),
    }),
  });
  const v = await d.domainGetVcpus(DOM, 2);
  t.same(d.calls[0]![1], { dom: DOM, maxinfo: 2, maplen: 2 }, '12 host CPUs: 2 map bytes');
  t.same(
    v[0]!.cpumap.map((on, i) => (on ? i : -1)).filter((i) => i >= 0),
    [0, 9],
  );
  t.same(
    v[1]!.cpumap.map((on, i) => (on ? i : -1)).filter((i) => i >= 0),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
});

t.test('replies with more than was asked for are refused', async (t) => {
  const rpcError = { name: 'XvirtError', number: ErrorNumber.RPC };
  const d = new Scripted({
    [P.DOMAIN_MEMORY_STATS]: () => ({ stats: Array.from({ length: 20 }, (_, i) => ({ tag: i, val: 1n })) }),
    [P.DOMAIN_GET_VCPUS]: () => ({
      info: Array.from({ length: 3 }, () => ({ number: 0, state: 1, cpu_time: 0n, cpu: 0 })),
      cpumaps: Buffer.alloc(0),
    }),
    [P.NODE_GET_CELLS_FREE_MEMORY]: () => ({ cells: [1n, 2n, 3n] }),
    [P.NODE_GET_CPU_MAP]: () => ({ cpumap: Buffer.from([1]), online: 1, ret: 64 }),
    [P.NODE_GET_CPU_STATS]: (a) =>
      a.nparams === 0
        ? { params: [], nparams: 1 }
        : {
            params: [
              { field: 'a', value: 1n },
              { field: 'b', value: 2n },
            ],
            nparams: 0,
          },
    [P.DOMAIN_GET_CPU_STATS]: (a) =>
      a.nparams === 0 ? { params: [], nparams: 1 } : { params: [cpuParam(0), cpuParam(1)], nparams: 1 },
  });
  await t.rejects(d.domainMemoryStats(DOM, 13, 0), rpcError, 'memory stats');
  await t.rejects(d.domainGetVcpus(DOM, 2), rpcError, 'vCPUs');
  await t.rejects(d.nodeGetCellsFreeMemory(0, 2), rpcError, 'cells');
  await t.rejects(d.nodeGetCPUMap(0), rpcError, 'a map shorter than its CPU count');
  await t.rejects(d.nodeGetCPUStats(-1, 0), rpcError, 'node CPU stats');
  await t.rejects(d.domainGetCPUStats(DOM, -1, 1, 0), rpcError, 'two records for the total');
  await t.rejects(d.domainMemoryStats(DOM, 2000, 0), rpcError, 'a request over the protocol limit is not sent');
});
