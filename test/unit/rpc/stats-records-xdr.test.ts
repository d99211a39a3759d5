// The dashboard poll's reply decoder (lib/rpc/stats-records-xdr.ts) reuses
// the names and UUIDs it has seen: the values are the same as a fresh decode,
// each reply gets its own objects, and bad UTF-8 is still refused.
import t from 'tap';
import * as C from '../../../lib/rpc/stats-codecs';
import { decode, encode } from '../../../lib/rpc/xdr';
import { intParam, type TypedParam } from '../../../lib/typed-params';

t.test('stats records decode the same with and without remembered names, each reply its own objects', async (t) => {
  const reply = (name: string, uuid: string, id: number) => ({
    retStats: [
      {
        domain: { name, uuid, id },
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
  t.not(a.retStats[0]!.domain, b.retStats[0]!.domain, 'a fresh identity object per reply');
  const renamed = reply('güest1', '6c0f1c2e-0000-4000-8000-000000000002', 4);
  t.same(decode(C.getAllDomainStatsRet, encode(C.getAllDomainStatsRet, renamed), 'renamed'), renamed);
  const bad = Buffer.from(encode(C.getAllDomainStatsRet, renamed));
  bad[8] = 0xff; // first byte of the name: no longer UTF-8
  t.throws(() => decode(C.getAllDomainStatsRet, bad, 'bad'), { message: /not valid UTF-8/ });
});

t.test('a parameter the encoder refuses is named by its record and position', async (t) => {
  const domain = { name: 'guest0', uuid: '6c0f1c2e-0000-4000-8000-000000000001', id: 1 };
  const ok = intParam('state.state', 1);
  // What a buggy driver could hand over: the types would refuse it at compile time.
  const records = (bad: object) => ({
    retStats: [
      { domain, params: [ok] },
      { domain, params: [ok, bad as TypedParam] },
    ],
  });
  t.throws(() => encode(C.getAllDomainStatsRet, records({ name: 'x'.repeat(80), type: 1, value: 1 }), 'ret'), {
    message: /XDR field 'ret\.retStats\[1\]\.params\[1\]': parameter name must be a string shorter than 80 bytes/,
  });
  t.throws(() => encode(C.getAllDomainStatsRet, records({ name: 'state.reason', type: 99, value: 1 }), 'ret'), {
    message: /XDR field 'ret\.retStats\[1\]\.params\[1\]': unknown typed parameter type 99/,
  });
});
