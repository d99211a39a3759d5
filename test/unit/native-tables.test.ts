// Tables shared by C and TypeScript, checked against the C headers they mirror (the C side is the single
// definition): the addon's domain record slots (REC_* in native/addon.cc vs Slot in lib/native.ts) and the
// proxy wire layout (native/proxy/xp_protocol.h, status codes from native/xc_core.h, vs lib/drivers/proxy/protocol.ts).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, RECORD_STRIDE, Slot } from '../../lib/native';
import * as proto from '../../lib/drivers/proxy/protocol';

const root = packageRoot();
const source = (path: string): string =>
  readFileSync(join(root, path), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');

/** `NAME = value` members of a C enum and `#define NAME value` lines, values as numbers (1u, (4u << 20)). */
function cConstants(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const value = (expr: string): number | undefined => {
    const plain = expr.replace(/(\d+)u\b/g, '$1').trim();
    if (!/^[\d\s()<|+*-]+$/.test(plain)) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- only digits and operators get here (checked above)
    return Function(`"use strict"; return (${plain});`)() as number;
  };
  for (const m of text.matchAll(/^#define\s+(\w+)\s+(.+)$/gm)) {
    const v = value(m[2]!);
    if (v !== undefined) out.set(m[1]!, v);
  }
  for (const m of text.matchAll(/\b(\w+)\s*=\s*([^,}\n]+)[,}\n]/g)) {
    const v = value(m[2]!);
    if (v !== undefined && /^[A-Z][A-Z0-9_]+$/.test(m[1]!)) out.set(m[1]!, v);
  }
  return out;
}

t.test('addon record slots: REC_* in native/addon.cc is the Slot enum in order, REC_STRIDE the stride', async (t) => {
  const m = /enum\s*:\s*size_t\s*\{([^}]*)\}/.exec(source('native/addon.cc'));
  t.ok(m, 'the REC_* enum is there');
  const names = m![1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  t.equal(names.at(-1), 'REC_STRIDE');
  const slots = names.slice(0, -1).map((n) => n.replace(/^REC_/, ''));
  const tsSlots = Object.entries(Slot)
    .filter(([, v]) => typeof v === 'number')
    .sort(([, a], [, b]) => Number(a) - Number(b));
  t.same(
    tsSlots.map(([k]) => k),
    slots,
    'same names, same order',
  );
  t.same(
    tsSlots.map(([, v]) => v),
    slots.map((_, i) => i),
    'dense from 0',
  );
  t.equal(RECORD_STRIDE, slots.length, 'RECORD_STRIDE is REC_STRIDE');
});

t.test('proxy wire layout: lib/drivers/proxy/protocol.ts against native/proxy/xp_protocol.h', async (t) => {
  const h = cConstants(source('native/proxy/xp_protocol.h'));
  const core = cConstants(source('native/xc_core.h'));
  t.equal(proto.PROTO_VERSION, h.get('XP_PROTO_VERSION'), 'PROTO_VERSION');
  t.equal(proto.REQUEST_LEN, h.get('XP_REQUEST_LEN'), 'REQUEST_LEN');
  t.equal(proto.REPLY_HEADER_LEN, h.get('XP_REPLY_HEADER_LEN'), 'REPLY_HEADER_LEN');
  t.equal(proto.RECORD_LEN, h.get('XP_RECORD_LEN'), 'RECORD_LEN');
  t.equal(proto.REPLY_MAX, h.get('XP_REPLY_MAX'), 'REPLY_MAX');
  t.equal(proto.FLAG_CHECK_UUID, h.get('XP_FLAG_CHECK_UUID'), 'FLAG_CHECK_UUID');
  for (const [name, n] of Object.entries(proto.Command)) {
    if (typeof n === 'number') t.equal(h.get(`XP_CMD_${name}`), n, `Command.${name} is XP_CMD_${name}`);
  }
  for (const [name, n] of Object.entries(proto.Status)) {
    if (typeof n !== 'number') continue;
    const c = h.get(`XP_${name}`) ?? core.get(`XC_${name}`);
    t.equal(c, n, `Status.${name} is XP_${name} / XC_${name}`);
  }
  const tsCommands = new Set(Object.values(proto.Command).filter((v) => typeof v === 'number'));
  const cOnly = [...h].filter(([k, v]) => k.startsWith('XP_CMD_') && k !== 'XP_CMD_MAX' && !tsCommands.has(v));
  t.comment(
    `commands the helper serves that the TypeScript client does not send yet: ${cOnly.map(([k]) => k).join(', ')}`,
  );
});
