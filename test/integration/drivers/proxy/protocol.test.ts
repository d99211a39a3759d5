// xvirt-proxy's wire protocol: the client codec against golden bytes and
// every split of a reply stream, and the C request parser's table test.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Command,
  FLAG_CHECK_UUID,
  REQUEST_LEN,
  decodeHello,
  decodeList,
  decodeNodeInfo,
  decodeRecord,
  decodeReplies,
  decodeVcpuAffinity,
  encodeRequest,
} from '../../../../lib/drivers/proxy/protocol';
import { statusError } from '../../../../lib/drivers/proxy/client';
import { replyBytes } from '../../../support/proxy-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

t.test('a GET_INFO request with a uuid check, byte for byte', async (t) => {
  const buf = Buffer.alloc(REQUEST_LEN + 2, 0xee);
  const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  encodeRequest(buf, 1, { command: Command.GET_INFO, serial: 0x01020304, domid: 0x7fef, flags: FLAG_CHECK_UUID, uuid });
  t.equal(
    buf.toString('hex'),
    'ee' + '0100' + '0700' + '04030201' + 'ef7f0000' + '01000000' + '00112233445566778899aabbccddeeff' + 'ee',
  );
  const hello = Buffer.alloc(REQUEST_LEN);
  encodeRequest(hello, 0, { command: Command.HELLO, serial: 0xffffffff });
  t.equal(hello.toString('hex'), '01000100ffffffff' + '00'.repeat(24), 'unused fields zero');
});

function record(domid: number, name: string | null): Buffer {
  const r = Buffer.alloc(72);
  [domid, 0xffff0010, 2, 1, 1, 255, 1, 1].forEach((v, i) => r.writeUInt32LE(v >>> 0, i * 4));
  r.writeBigUInt64LE(4096n, 32);
  r.writeBigUInt64LE(4352n, 40);
  r.writeBigUInt64LE((1n << 60n) + 7n, 48);
  r[56] = domid;
  r[71] = 0x42;
  if (name === null) return r;
  const n = Buffer.from(name);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(n.length);
  return Buffer.concat([r, len, n]);
}

function throwsRpc(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'RPC';
  }
}

t.test('a batch of replies decodes whole; any truncation is refused', async (t) => {
  const count = Buffer.alloc(4);
  count.writeUInt32LE(2);
  const parts = [
    replyBytes(Command.GET_INFO, 1, 0, record(1, null)),
    replyBytes(Command.LIST, 2, 0, Buffer.concat([count, record(0, 'Domain-0'), record(3, 'gäst')])),
    replyBytes(Command.LOOKUP_ID, 3, 4, Buffer.from('no domain with id 9')),
  ];
  const stream = Buffer.concat(parts);
  const bounds = [0, parts[0]!.length, parts[0]!.length + parts[1]!.length, stream.length];
  for (let cut = 1; cut < stream.length; cut++) {
    if (bounds.includes(cut)) {
      if (decodeReplies(stream.subarray(0, cut)).length !== bounds.indexOf(cut))
        return t.fail(`cut at reply boundary ${cut}`);
    } else if (!throwsRpc(() => decodeReplies(stream.subarray(0, cut)))) {
      return t.fail(`a stream cut at ${cut} bytes was not refused`);
    }
  }
  t.pass('every cut inside a reply is refused, every cut between replies decodes the replies before it');
  const replies = decodeReplies(stream);
  t.same(
    replies.map((r) => [r.command, r.serial, r.status]),
    [
      [7, 1, 0],
      [4, 2, 0],
      [5, 3, 4],
    ],
  );
  const info = decodeRecord(stream.subarray(replies[0]!.start, replies[0]!.end));
  t.same(
    {
      domid: info.domid,
      state: info.state,
      totPages: info.totPages,
      cpu: info.cpuTimeNs,
      uuid: info.uuid.toString('hex'),
    },
    { domid: 1, state: 1, totPages: 4096n, cpu: (1n << 60n) + 7n, uuid: '01000000000000000000000000000042' },
  );
  t.same(
    decodeList(stream.subarray(replies[1]!.start, replies[1]!.end)).map((r) => [r.domid, r.name]),
    [
      [0, 'Domain-0'],
      [3, 'gäst'],
    ],
    'names in UTF-8',
  );
  const err = statusError(stream, replies[2]!);
  t.equal(err.code, 'NO_DOMAIN', 'core status 4 is NO_DOMAIN, as on the direct path');
  t.match(err.message, /no domain with id 9/);
});

t.test('malformed replies are refused, not guessed at', async (t) => {
  t.throws(() => decodeReplies(replyBytes(1, 1, 0, Buffer.alloc(0)).fill(2, 0, 1)), { code: 'RPC' }, 'bad version');
  const huge = replyBytes(1, 1, 0, Buffer.alloc(0));
  huge.writeUInt32LE(0xffffffff, 12);
  t.throws(() => decodeReplies(huge), { code: 'RPC' }, 'oversized length');
  const count = Buffer.alloc(4);
  count.writeUInt32LE(2);
  t.throws(() => decodeList(Buffer.concat([count, record(0, 'a')])), { code: 'RPC' }, 'truncated LIST');
  count.writeUInt32LE(1);
  t.throws(() => decodeList(Buffer.concat([count, record(0, 'a'), Buffer.from('x')])), { code: 'RPC' }, 'stray bytes');
  t.throws(() => decodeRecord(Buffer.alloc(71)), { code: 'RPC' }, 'short record');
  t.throws(() => decodeHello(Buffer.alloc(31)), { code: 'RPC' });
  t.throws(() => decodeNodeInfo(Buffer.alloc(39)), { code: 'RPC' });
  const affinity = (count: number, len: number, bytes: number) => {
    const b = Buffer.alloc(8 + bytes, 0xa5);
    b.writeUInt32LE(count, 0);
    b.writeUInt32LE(len, 4);
    return b;
  };
  t.same(decodeVcpuAffinity(affinity(2, 1, 2)), [Uint8Array.of(0xa5), Uint8Array.of(0xa5)], 'two one-byte maps');
  t.same(decodeVcpuAffinity(affinity(0, 448, 0)), [], 'no vCPUs');
  t.throws(() => decodeVcpuAffinity(affinity(2, 1, 3)), { code: 'RPC' }, 'stray bytes after the maps');
  t.throws(() => decodeVcpuAffinity(affinity(2, 2, 3)), { code: 'RPC' }, 'a truncated map');
  t.throws(() => decodeVcpuAffinity(affinity(1, 0, 0)), { code: 'RPC' }, 'zero-byte maps');
  t.throws(() => decodeVcpuAffinity(affinity(1, 449, 449)), { code: 'RPC' }, 'a map wider than the core reads');
  t.throws(() => decodeVcpuAffinity(Buffer.alloc(7)), { code: 'RPC' }, 'no header');
  const hello = Buffer.alloc(32);
  hello.writeUInt32LE(4, 0);
  hello.writeUInt32LE(17, 4);
  hello.write('.7-full-sixteen!', 16, 'latin1');
  t.equal(decodeHello(hello).extraversion, '.7-full-sixteen!', 'a 16-byte extraversion without terminator');
});

t.test('the C request parser accepts exactly the valid layouts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-proxy-parser-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'xp_request_test');
  const cc = spawnSync(
    'cc',
    [
      '-std=c11',
      '-g',
      '-fsanitize=address,undefined',
      '-fno-sanitize-recover=all',
      '-Wall',
      '-Wextra',
      '-Werror',
      path.join(ROOT, 'native/proxy/test/xp_request_test.c'),
      path.join(ROOT, 'native/proxy/xp_request.c'),
      '-o',
      bin,
    ],
    { encoding: 'utf8' },
  );
  t.equal(cc.status, 0, 'builds', { stderr: cc.stderr });
  const run = spawnSync(bin, [], { encoding: 'utf8' });
  t.equal(run.status, 0, 'all cases pass', { stdout: run.stdout });
  t.ok((run.stdout.match(/^ok /gm) ?? []).length >= 32, 'the whole table ran');
});
