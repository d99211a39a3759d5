// Decoded values found again by their bytes: the dashboard poll's reply
// decoder reuses names and UUIDs it has seen instead of decoding them again.
// A different byte string never gets another's value; the memory held is bounded.
import t from 'tap';
import { DecodedBytesCache } from '../../../lib/rpc/decoded-bytes-cache';
import * as C from '../../../lib/rpc/stats-codecs';
import { decode, encode } from '../../../lib/rpc/xdr';

t.test('a value is found by equal bytes anywhere in any buffer, never by different ones', async (t) => {
  const cache = new DecodedBytesCache<string>(4, 8);
  const a = Buffer.from('xxstate.statexx');
  t.equal(cache.get(a, 2, 13), undefined, 'empty');
  t.equal(cache.set(a, 2, 13, 'decoded'), 'decoded', 'set returns the value');
  t.equal(cache.get(a, 2, 13), undefined, 'longer than maxBytes: never kept');
  const b = Buffer.from('--cpu.time');
  cache.set(b, 2, 10, 'cpu.time');
  a.fill(0);
  t.equal(cache.get(Buffer.from('cpu.time'), 0, 8), 'cpu.time', 'found in another buffer; the kept bytes are a copy');
  b.write('cpu.tima', 2);
  t.equal(cache.get(b, 2, 10), undefined, 'one byte different: a miss');
  t.equal(cache.get(Buffer.from('cpu.tim'), 0, 7), undefined, 'a prefix: a miss');
  for (const name of ['a', 'b', 'c', 'd']) cache.set(Buffer.from(name), 0, 1, name);
  t.equal(cache.get(Buffer.from('cpu.time'), 0, 8), undefined, 'full: cleared whole before the fifth entry');
  t.equal(cache.get(Buffer.from('d'), 0, 1), 'd');
});

t.test('stats records decode the same with and without remembered names, each reply its own objects', async (t) => {
  const reply = (name: string, uuid: string, id: number) => ({
    retStats: [
      {
        dom: { name, uuid, id },
        params: [
          { name: 'state.state', type: 1, value: 1 },
          { name: 'cpu.time', type: 4, value: 99n },
        ],
      },
    ],
  });
  const first = reply('guest0', '6c0f1c2e-0000-4000-8000-000000000001', 3);
  const a = decode(C.getAllDomainStatsRet, encode(C.getAllDomainStatsRet, first), 'first');
  const b = decode(C.getAllDomainStatsRet, encode(C.getAllDomainStatsRet, first), 'again');
  t.same(a, first);
  t.same(b, first);
  t.not(a.retStats[0]!.dom, b.retStats[0]!.dom, 'a fresh identity object per reply');
  const renamed = reply('güest1', '6c0f1c2e-0000-4000-8000-000000000002', 4);
  t.same(decode(C.getAllDomainStatsRet, encode(C.getAllDomainStatsRet, renamed), 'renamed'), renamed);
  const bad = Buffer.from(encode(C.getAllDomainStatsRet, renamed));
  bad[8] = 0xff; // first byte of the name: no longer UTF-8
  t.throws(() => decode(C.getAllDomainStatsRet, bad, 'bad'), { message: /not valid UTF-8/ });
});
