// The procedure table against libvirt 9.0's remote_protocol.x (names, numbers, priorities: the fixture
// written by scripts/libvirt-procedures), and docs/protocol.md's generated procedure table against the table.
// UPDATE_DOCS=1 rewrites the docs section instead of checking it.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLibvirtCall, LIBVIRT_EVENT_PROCEDURES, LIBVIRT_LAST_PROCEDURE } from '../../../lib/rpc/libvirt-procedures';
import { packageRoot } from '../../../lib/native';
import { NetStoreProcedure } from '../../../lib/rpc/netstore-procedures';
import type { AnyEntry } from '../../../lib/rpc/procedure-table';
import {
  EVENT_MESSAGES,
  PROCEDURE_TABLE,
  PROCEDURES,
  procedureName,
  RemoteProcedure,
} from '../../../lib/rpc/procedures';

const root = packageRoot();
const libvirt = JSON.parse(readFileSync(join(root, 'test/fixtures/libvirt-9.0-procedures.json'), 'utf8')) as {
  last: number;
  procedures: [number, string][];
  highPriority: number[];
};
const libvirtName = new Map(libvirt.procedures);
const libvirtHigh = new Set(libvirt.highPriority);
/** libvirt's naming: event messages are *_EVENT_* procedures other than the (de)registration calls. */
const isEventName = (name: string): boolean =>
  /(^|_)EVENT_/.test(name) && !/_EVENT_(CALLBACK_)?(DE)?REGISTER/.test(name);
const entries = Object.entries(PROCEDURE_TABLE).map(([n, e]) => [Number(n), e as AnyEntry] as const);

t.test('the fixture is libvirt 9.0: numbers 1..443 without gaps', async (t) => {
  t.equal(libvirt.last, 443);
  t.same(
    libvirt.procedures.map(([n]) => n),
    Array.from({ length: 443 }, (_, i) => i + 1),
  );
});

t.test("every entry has libvirt 9.0's number, name, priority and kind", async (t) => {
  t.ok(entries.length > 100, `${entries.length} entries`);
  for (const [n, entry] of entries) {
    const name = libvirtName.get(n);
    t.equal(procedureName(n), name, `${n} is ${name}`);
    t.equal(entry.priority, libvirtHigh.has(n) ? 'high' : 'low', `${name} priority`);
    const kind = isEventName(name ?? '') ? 'event' : name?.startsWith('AUTH_') ? 'auth' : 'call';
    t.equal(entry.kind, kind, `${name} kind`);
    t.match(entry.api, kind === 'event' ? /^virConnect\w+(Callback|Func)$/ : /^vir[A-Z]\w+$/, `${name} API name`);
  }
});

t.test('every procedure name xvirt defines has a table entry', async (t) => {
  for (const names of [RemoteProcedure, NetStoreProcedure]) {
    for (const [name, n] of Object.entries(names)) {
      if (typeof n === 'number') t.ok(n in PROCEDURE_TABLE, `${name} (${n}) is in the table`);
    }
  }
});

t.test('calls and events are split by kind', async (t) => {
  for (const [n, entry] of entries) {
    t.equal(n in PROCEDURES, entry.kind !== 'event', `${procedureName(n)} callable`);
    t.equal(n in EVENT_MESSAGES, entry.kind === 'event', `${procedureName(n)} event body`);
  }
});

t.test("libvirt's number space: its events and its last number", async (t) => {
  const events = libvirt.procedures.filter(([, name]) => isEventName(name)).map(([n]) => n);
  t.same(
    [...LIBVIRT_EVENT_PROCEDURES].filter((n) => n <= libvirt.last).sort((a, b) => a - b),
    events,
  );
  t.ok(LIBVIRT_LAST_PROCEDURE >= libvirt.last);
  t.notOk(isLibvirtCall(0));
  t.notOk(isLibvirtCall(RemoteProcedure.DOMAIN_EVENT_LIFECYCLE));
  t.ok(isLibvirtCall(8), 'DOMAIN_ATTACH_DEVICE: known to libvirt, not served by xvirt');
  t.notOk(isLibvirtCall(LIBVIRT_LAST_PROCEDURE + 1));
});

const BEGIN = '<!-- procedure table: generated from lib/rpc/procedures.ts by test/unit/rpc/procedure-table.test.ts -->';
const END = '<!-- end of procedure table -->';

function docsTable(): string {
  const access = (e: AnyEntry): string => (typeof e.access === 'function' ? 'by flags' : e.access);
  const rows = entries
    .sort(([a], [b]) => a - b)
    .map(
      ([n, e]) =>
        `| ${n} | ${procedureName(n)} | ${e.api} | ${e.kind} | ${e.kind === 'event' ? '–' : access(e)} |` +
        ` ${e.priority} | ${e.beforeOpen ? 'yes' : ''} |`,
    );
  const head = ['| # | procedure | API | kind | access | priority | before open |', '|---|---|---|---|---|---|---|'];
  return [BEGIN, '', ...head, ...rows, '', END].join('\n');
}

t.test('docs/protocol.md carries the generated procedure table', async (t) => {
  const path = join(root, 'docs/protocol.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  t.ok(start >= 0 && end > start, 'the generated section is there');
  const current = doc.slice(start, end + END.length);
  const updated = doc.slice(0, start) + docsTable() + doc.slice(end + END.length);
  if (process.env.UPDATE_DOCS === '1') writeFileSync(path, updated);
  else t.equal(current, docsTable(), 'up to date (UPDATE_DOCS=1 npx tap test/unit/rpc/procedure-table.test.ts)');
});
