/**
 * The remote driver's DOMAIN_GET_INFO reply decoder against the generic codec
 * in the procedure table: same values for every valid reply, and exactly the
 * same error for every reply the codec refuses.
 */
import t, { type Test } from 'tap';
import { decodeDomainInfoReply } from '../../../../lib/drivers/remote/domain-info';
import { PROCEDURES, RemoteProcedure as P } from '../../../../lib/rpc/procedures';
import { decode, encode } from '../../../../lib/rpc/xdr';

const codec = PROCEDURES[P.DOMAIN_GET_INFO].ret;
const WHAT = 'DOMAIN_GET_INFO ret';

/** 32 reply bytes with the fields as raw words (so out-of-range values can be built too). */
function reply(state: number, maxMem: bigint, memory: bigint, nrVirtCpu: number, cpuTime: bigint): Buffer {
  const b = Buffer.alloc(32);
  b.writeInt32BE(state, 0);
  b.writeBigUInt64BE(maxMem, 4);
  b.writeBigUInt64BE(memory, 12);
  b.writeInt32BE(nrVirtCpu, 20);
  b.writeBigUInt64BE(cpuTime, 24);
  return b;
}

function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (err) {
    return { error: (err as Error).message, number: (err as { number?: number }).number };
  }
}

const same = (t: Test, bytes: Buffer, label: string): void => {
  t.same(
    outcome(() => decodeDomainInfoReply(bytes, WHAT)),
    outcome(() => decode(codec, bytes, WHAT)),
    label,
  );
};

t.test('valid replies decode as the generic codec decodes them', async (t) => {
  const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
  const edges: Array<[number, bigint, bigint, number, bigint]> = [
    [0, 0n, 0n, 0, 0n],
    [255, MAX_SAFE, MAX_SAFE, 65535, (1n << 64n) - 1n],
    [1, 0xffffffffn, 0x100000000n, 1, 0x1_0000_0000n],
    [3, 0x1fffff_ffffffffn, 0x1fffff_00000000n, 4, 1n << 63n],
  ];
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 500; i++) {
    const mem = (): bigint => (BigInt(rnd()) * BigInt(rnd() % 0x400000)) % (MAX_SAFE + 1n);
    edges.push([
      rnd() % 256,
      mem(),
      mem(),
      rnd() % 65536,
      (BigInt(rnd()) * BigInt(rnd()) * BigInt(rnd())) % (1n << 64n),
    ]);
  }
  for (const [state, maxMem, memory, nrVirtCpu, cpuTime] of edges) {
    const bytes = reply(state, maxMem, memory, nrVirtCpu, cpuTime);
    const fast = decodeDomainInfoReply(bytes, WHAT);
    if (!t.same(fast, decode(codec, bytes, WHAT))) break;
    t.equal(typeof fast.maxMemKiB, 'number');
    t.equal(typeof fast.cpuTimeNs, 'bigint');
  }
  const info = { state: 1, maxMemKiB: 8 << 20, memoryKiB: 4 << 20, nrVirtCpu: 2, cpuTimeNs: 12345678901234n };
  t.same(decodeDomainInfoReply(encode(codec, info), WHAT), info, "round trip through the codec's encoder");
});

t.test("refused replies fail with the codec's own error", async (t) => {
  const ok = reply(1, 1024n, 512n, 1, 5n);
  same(t, reply(256, 1n, 1n, 1, 1n), 'state above 255');
  same(t, reply(-1, 1n, 1n, 1, 1n), 'negative state');
  same(t, reply(1, 1n, 1n, 65536, 1n), 'nrVirtCpu above 65535');
  same(t, reply(1, 1n, 1n, -5, 1n), 'negative nrVirtCpu');
  same(t, reply(1, 1n << 53n, 1n, 1, 1n), 'maxMem above 2^53-1');
  same(t, reply(1, 1n, (1n << 64n) - 1n, 1, 1n), 'memory above 2^53-1');
  same(t, ok.subarray(0, 28), 'short reply');
  same(t, Buffer.concat([ok, Buffer.alloc(4)]), 'trailing bytes');
  same(t, Buffer.alloc(0), 'empty reply');
  t.throws(
    () => decodeDomainInfoReply(reply(256, 1n, 1n, 1, 1n), WHAT),
    { message: /DOMAIN_GET_INFO ret\.state/ },
    'names the field',
  );
});
