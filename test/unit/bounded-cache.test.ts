// The memo behind the getInfo paths' caches: hits return what was stored,
// and a full cache is cleared whole instead of growing. DecodedBytesCache
// finds a decoded value by its bytes, never another's, holding bounded memory.
import t from 'tap';
import { BoundedCache, DecodedBytesCache } from '../../lib/bounded-cache';
import { UuidBytesCache } from '../../lib/uuid';

t.test('BoundedCache: peek what set stored; a new key at the limit clears the rest first', async (t) => {
  const cache = new BoundedCache<string, number>(2);
  t.equal(cache.peek('a'), undefined);
  t.equal(cache.set('a', 1), 1, 'set returns the value');
  cache.set('b', 2);
  t.same([cache.peek('a'), cache.peek('b')], [1, 2]);
  cache.set('b', 3);
  t.same([cache.peek('a'), cache.peek('b')], [1, 3], 'replacing a key at the limit keeps the others');
  cache.set('c', 4);
  t.same(
    [cache.peek('a'), cache.peek('b'), cache.peek('c')],
    [undefined, undefined, 4],
    'a new key at the limit starts afresh',
  );
});

t.test('BoundedCache: object keys are compared by identity', async (t) => {
  const cache = new BoundedCache<object, string>();
  const key = { uuid: 'x' };
  cache.set(key, 'stored');
  t.equal(cache.peek(key), 'stored');
  t.equal(cache.peek({ uuid: 'x' }), undefined, 'an equal but different object misses');
});

t.test('UuidBytesCache: the 16 bytes, the same Buffer on a hit, errors of uuidToBytes', async (t) => {
  const cache = new UuidBytesCache();
  const bytes = cache.get('11111111-2222-3333-4444-555555555555');
  t.equal(bytes.toString('hex'), '11111111222233334444555555555555');
  t.equal(cache.get('11111111-2222-3333-4444-555555555555'), bytes, 'memoised');
  t.throws(() => cache.get('not-a-uuid'), { name: 'XvirtError', message: /malformed UUID 'not-a-uuid'/ });
  t.equal(cache.peek('not-a-uuid'), undefined, 'a malformed UUID is not stored');
});

t.test(
  'DecodedBytesCache: a value is found by equal bytes anywhere in any buffer, never by different ones',
  async (t) => {
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
  },
);
