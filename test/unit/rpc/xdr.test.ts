import t, { type Test } from 'tap';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import {
  array,
  bool,
  charArrayFixed,
  charArrayVar,
  decode,
  encode,
  encodeWith,
  enumOf,
  hyper,
  int,
  intBool,
  intRange,
  opaqueFixed,
  opaqueVar,
  optional,
  string,
  struct,
  uhyper,
  uhyperNumber,
  uint,
  xdrVoid,
  type Codec,
} from '../../../lib/rpc/xdr';
import {
  nonnullDomain,
  remoteError,
  REMOTE_STRING_MAX,
  errorFromRemote,
  remoteErrorFrom,
} from '../../../lib/rpc/protocol';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Asserts `fn` throws an RPC-domain XvirtError whose message matches `re` (which names the field). */
function rejects(tt: Test, fn: () => unknown, re: RegExp, what: string): void {
  tt.throws(fn, { name: 'XvirtError', number: ErrorNumber.RPC, domain: ErrorDomain.RPC, message: re }, what);
}

function golden<T>(tt: Test, codec: Codec<T>, value: T, bytes: string, name: string): void {
  tt.same(encode(codec, value).toString('hex'), hex(bytes).toString('hex'), `${name} encodes`);
  tt.same(decode(codec, hex(bytes)), value, `${name} decodes`);
}

t.test('scalars: golden bytes', async (tt) => {
  golden(tt, int, -1, 'ffffffff', 'int -1');
  golden(tt, int, 0x7fffffff, '7fffffff', 'int max');
  golden(tt, uint, 0xfffffffe, 'fffffffe', 'uint');
  golden(tt, hyper, -2n, 'ffffffff fffffffe', 'hyper');
  golden(tt, uhyper, 0xffffffffffffffffn, 'ffffffff ffffffff', 'uhyper max');
  golden(tt, uhyperNumber, 8388608, '00000000 00800000', 'uhyper as number');
  golden(tt, bool, true, '00000001', 'bool');
  golden(tt, intBool, false, '00000000', 'int bool');
  golden(tt, string(64), 'test:///default', '0000000f 74657374 3a2f2f2f 64656661 756c7400', 'string with 1 pad byte');
  golden(tt, string(64), '', '00000000', 'empty string');
  golden(tt, opaqueFixed(3), Buffer.from([1, 2, 3]), '01020300', 'fixed opaque padded');
  golden(tt, opaqueVar(8), Buffer.from([9]), '00000001 09000000', 'var opaque');
  golden(tt, optional(int), null, '00000000', 'absent optional');
  golden(tt, optional(int), 7, '00000001 00000007', 'present optional');
  golden(tt, array(int, 4), [1, -1], '00000002 00000001 ffffffff', 'array');
  golden(tt, xdrVoid, undefined, '', 'void');
  tt.equal(decode(intBool, hex('00000002')), true, 'int bool: any non-zero is true');
});

t.test('struct keeps declaration order; domain UUIDs travel as 16 raw bytes', async (tt) => {
  const dom = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
  golden(
    tt,
    nonnullDomain,
    dom,
    '00000004 74657374 6695eb01 f6a48304 79aa97f2 502e193f 00000001',
    'remote_nonnull_domain',
  );
  rejects(tt, () => encode(nonnullDomain, { ...dom, uuid: 'nope' }), /uuid.*malformed UUID/, 'bad uuid');
});

t.test("char arrays are 4 bytes per char (rpcgen's xdr_char)", async (tt) => {
  const model = charArrayFixed(32);
  const bytes = encode(model, 'i686');
  tt.equal(bytes.length, 128, 'char[32] is 128 bytes');
  tt.same(bytes.subarray(0, 16), hex('00000069 00000036 00000038 00000036'), 'one int per char');
  tt.equal(decode(model, bytes), 'i686', 'decodes to text before NUL');
  const label = charArrayVar(257);
  golden(tt, label, 'none', '00000005 0000006e 0000006f 0000006e 00000065 00000000', 'char<257> counts the NUL');
  rejects(
    tt,
    () => decode(model, Buffer.concat([hex('00000100'), Buffer.alloc(124)])),
    /char value 256/,
    'char out of range',
  );
});

t.test('decoding enforces limits and names the field', async (tt) => {
  const s = struct({
    name: string(8),
    ids: array(int, 2),
    kind: enumOf('kind', [0, 1, 2]),
    flag: bool,
    opt: optional(int),
  });
  const good = encode(s, { name: 'ab', ids: [1, 2], kind: 2, flag: true, opt: null });
  tt.same(decode(s, good, 'thing'), { name: 'ab', ids: [1, 2], kind: 2, flag: true, opt: null });
  rejects(
    tt,
    () => decode(s, hex('00000009'), 'thing'),
    /'thing\.name'.*string length 9 exceeds maximum 8/,
    'string over max',
  );
  rejects(
    tt,
    () => decode(s, hex('00000001 61000000 00000003'), 'thing'),
    /'thing\.ids'.*element count 3 exceeds maximum 2/,
    'array over max',
  );
  rejects(
    tt,
    () => decode(array(int, 1 << 30), hex('00100000'), 'big'),
    /'big'.*cannot fit/,
    'count larger than input',
  );
  rejects(tt, () => decode(s, hex('00000001 61000100'), 'thing'), /'thing\.name'.*non-zero padding/, 'padding');
  rejects(
    tt,
    () => decode(s, hex('00000000 00000000 00000003'), 'thing'),
    /'thing\.kind'.*3 is not a valid kind/,
    'enum range',
  );
  rejects(
    tt,
    () => decode(s, hex('00000000 00000000 00000000 00000002'), 'thing'),
    /'thing\.flag'.*bool must be 0 or 1/,
    'bool',
  );
  rejects(
    tt,
    () => decode(s, hex('00000000 00000000 00000000 00000000 00000002'), 'thing'),
    /'thing\.opt'.*optional marker/,
    'optional marker',
  );
  rejects(tt, () => decode(int, hex('00000001 00'), 'x'), /'x'.*1 unexpected trailing bytes/, 'trailing bytes');
  rejects(tt, () => decode(string(8), hex('00000002 c3280000'), 's'), /'s'.*not valid UTF-8/, 'invalid UTF-8');
  rejects(tt, () => decode(intRange(0, 255), hex('00000100'), 'state'), /'state'.*0 to 255/, 'int range');
  rejects(
    tt,
    () => decode(uhyperNumber, hex('00200000 00000000'), 'mem'),
    /'mem'.*exceeds 2\^53-1/,
    'uhyper as number',
  );
  tt.equal(REMOTE_STRING_MAX, 4194304, 'REMOTE_STRING_MAX is 4 MiB');
});

t.test('every truncation of a valid encoding fails cleanly', async (tt) => {
  const s = struct({ dom: nonnullDomain, xml: string(100), list: array(hyper, 4), opt: optional(string(10)) });
  const bytes = encode(s, {
    dom: { name: 'guest', uuid: '00000000-0000-0000-0000-000000000001', id: -1 },
    xml: '<domain/>',
    list: [1n, -1n],
    opt: 'x',
  });
  for (let n = 0; n < bytes.length; n++) {
    try {
      decode(s, bytes.subarray(0, n), 'msg');
      tt.fail(`prefix of ${n} bytes decoded`);
    } catch (err) {
      if (!(err instanceof XvirtError) || err.number !== ErrorNumber.RPC) tt.fail(`prefix ${n}: ${String(err)}`);
    }
  }
  tt.pass(`all ${bytes.length} prefixes rejected with RPC errors`);
});

t.test('encoding validates values', async (tt) => {
  rejects(tt, () => encode(int, 2 ** 31, 'n'), /'n'.*-2147483648 to 2147483647/, 'int overflow');
  rejects(tt, () => encode(uint, -1, 'n'), /'n'/, 'negative uint');
  rejects(tt, () => encode(uint, 1.5, 'n'), /'n'/, 'fraction');
  rejects(tt, () => encode(uhyper, -1n, 'n'), /out of range/, 'negative uhyper');
  rejects(tt, () => encode(string(3), 'abcd', 's'), /'s'.*4 bytes exceeds maximum 3/, 'long string');
  rejects(tt, () => encode(array(int, 1), [1, 2], 'a'), /'a'.*2 elements exceed maximum 1/, 'long array');
  rejects(tt, () => encode(opaqueFixed(16), Buffer.alloc(15), 'u'), /'u'.*16 bytes/, 'fixed opaque size');
  rejects(tt, () => encode(enumOf('e', [1]), 2 as 1, 'e'), /not a valid e/, 'enum');
  rejects(
    tt,
    () => encode(struct({ a: int }), { a: 'x' } as unknown as { a: number }, 'st'),
    /'st\.a'/,
    'struct field path',
  );
});

t.test('remote_error round trip and conversion to XvirtError', async (tt) => {
  // Hand-built body: code 42, domain 12, message "Domain not found", level 2, rest absent/zero.
  const body = hex(`0000002a 0000000c 00000001 00000010 ${Buffer.from('Domain not found').toString('hex')}
    00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000`);
  const decoded = decode(remoteError, body, 'remote_error');
  tt.equal(decoded.code, 42);
  tt.equal(decoded.message, 'Domain not found');
  const err = errorFromRemote(decoded);
  tt.ok(err instanceof XvirtError);
  tt.equal(err.code, 'NO_DOMAIN');
  tt.equal(err.domain, ErrorDomain.TEST);
  tt.equal(err.message, 'Domain not found');
  tt.same(encode(remoteError, decoded), body, 're-encodes byte for byte');
  const back = errorFromRemote(
    remoteErrorFrom(XvirtError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, 'domain is not running')),
  );
  tt.equal(back.message, 'Requested operation is not valid: domain is not running');
  tt.equal(back.number, ErrorNumber.OPERATION_INVALID);
  tt.equal(
    errorFromRemote(remoteErrorFrom(new Error('boom'))).number,
    ErrorNumber.INTERNAL_ERROR,
    'plain errors become INTERNAL_ERROR',
  );
});

t.test('the writer grows past its initial buffer for every kind of write', async (tt) => {
  // Regression: scalar writes once read the buffer before growing it.
  const big = struct({ ints: array(int, 1000), hypers: array(hyper, 1000), s: string(10000) });
  const value = {
    ints: Array.from({ length: 300 }, (_, i) => i - 150),
    hypers: Array.from({ length: 100 }, (_, i) => BigInt(i) << 40n),
    s: 'x'.repeat(999),
  };
  const bytes = encode(big, value);
  tt.equal(bytes.length, 4 + 1200 + 4 + 800 + 4 + 1000);
  tt.same(decode(big, bytes), value);
});

t.test('encodeWith hands over the bytes encode returns, untouched by encodes made while it holds them', async (tt) => {
  const codec = struct({ n: int, s: string(100) });
  const value = { n: -7, s: 'reply' };
  const expected = encode(codec, value);
  const seen = encodeWith(codec, value, 'v', (bytes) => {
    const nested = encode(codec, { n: 1, s: 'an event encoded meanwhile' });
    tt.same(decode(codec, nested), { n: 1, s: 'an event encoded meanwhile' });
    return Buffer.from(bytes);
  });
  tt.same(seen, expected);
  tt.throws(() => encodeWith(codec, { n: 'x' as unknown as number, s: '' }, 'v', () => tt.fail('handed over')), {
    message: /XDR field 'v.n'/,
  });
});
