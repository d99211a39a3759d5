/**
 * Real virsh (libvirt 9.0) against xvirtd, over unix and TCP: every command
 * sequence must print what `virsh -c test:///default` (libvirt's own test
 * driver, in-process) prints for the same sequence. Differences allowed, and
 * only these: CPU time (it is wall-clock based) and the security lines of
 * dominfo (xvirt has no security driver; libvirt's test driver fakes one).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startLibvirtd } from '../../support/libvirtd';
import { virsh, virshEvents } from '../../support/virsh';
import { RawClient, startXvirtd, type XvirtdInstance } from '../../support/xvirtd';

const NEW_DOMAIN = `<domain type='test'>
  <name>interop</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='KiB'>262144</memory>
  <currentMemory unit='KiB'>131072</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='i686'>hvm</type>
  </os>
</domain>
`;

const tmp = mkdtempSync(join(tmpdir(), 'xvirtd-virsh-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const xmlFile = join(tmp, 'interop.xml');
writeFileSync(xmlFile, NEW_DOMAIN);

/** The sequences compared, one virsh process (one connection) each. */
const SEQUENCES: Record<string, string> = {
  queries:
    'list --all; dominfo test; domstate test; domstate --reason test; nodeinfo; version; dumpxml test; domid test; domname 1; domuuid test',
  lifecycle:
    'setmem test 1048576; setvcpus test 1; dominfo test; suspend test; domstate --reason test; resume test; domstate --reason test; shutdown test; domstate --reason test; ' +
    'start test; list --all; reboot test; domstate test; destroy test; domstate --reason test; list --all; ' +
    'setmem test 1024; setvcpus test 1',
  define:
    `define ${xmlFile}; list --all; dominfo interop; start interop; list --all; dumpxml interop; destroy interop; ` +
    'undefine interop; list --all',
  more:
    'autostart test; list --autostart; autostart --disable test; list --name --all; list --uuid; list --inactive; ' +
    'list --persistent; list --transient; hostname; maxvcpus; capabilities; dumpxml --inactive test; ' +
    'destroy --graceful test; domstate --reason test; start test; domstate --reason test',
  // (Not 'resume' of a running domain: libvirt's test driver reports it as INTERNAL_ERROR, xvirt's as OPERATION_INVALID.)
  errors: 'dominfo nosuchdomain; start test; undefine nosuchdomain; destroy nosuchdomain; define /nonexistent.xml',
};

/** Drops what may legitimately differ (see the file comment). */
function normalize(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^(CPU time|Security model|Security DOI|Security label):/.test(l))
    .join('\n');
}

async function compare(t: Test, d: XvirtdInstance, transport: 'unix' | 'tcp'): Promise<void> {
  for (const [name, seq] of Object.entries(SEQUENCES)) {
    const expected = await virsh('test:///default', seq);
    const actual = await virsh(d.uri(transport), seq);
    t.equal(normalize(actual.stdout), normalize(expected.stdout), `${name} over ${transport}: same output`);
    t.equal(actual.stderr, expected.stderr, `${name} over ${transport}: same errors`);
    t.equal(actual.code, expected.code, `${name} over ${transport}: same exit status`);
  }
}

t.test("virsh over unix and TCP prints what libvirt's test driver prints", async (t) => {
  const d = await startXvirtd(t, { tcp: true });
  await compare(t, d, 'unix');
  await compare(t, d, 'tcp');
  // Sanity: the comparison really went through the daemon (it logs each open).
  t.match(d.stderr(), /opened test:\/\/\/default/);
});

/** Opens test:///default on a raw connection and keeps it open: the shared state lives while a client holds it. */
async function holdDefault(t: Test, d: XvirtdInstance): Promise<RawClient> {
  const holder = await RawClient.opened(d.rwSocket);
  t.teardown(() => holder.close());
  return holder;
}

t.test('virsh -r and the read-only socket refuse every write command', async (t) => {
  const d = await startXvirtd(t, { tcp: true });
  await holdDefault(t, d);
  // Leave 'test' shut off so that 'start' reaches the daemon (virsh refuses to start a running domain itself).
  t.equal((await virsh(d.uri('unix'), 'destroy test')).code, 0, 'destroy over the read-write socket');
  const writes = [
    'start test',
    'suspend test',
    'resume test',
    'destroy test',
    'shutdown test',
    'reboot test',
    `define ${xmlFile}`,
    'undefine test',
    'autostart test',
    'setmem test 1024',
    'dumpxml --security-info test',
  ];
  const roUri = d.uri('unix-ro');
  for (const cmd of writes) {
    const viaSocket = await virsh(roUri, cmd);
    t.not(viaSocket.code, 0, `${cmd}: fails on the read-only socket`);
    t.match(viaSocket.stderr, /operation forbidden: read only access prevents vir\w+/, `${cmd}: OPERATION_DENIED`);
  }
  const viaFlag = await virsh(d.uri('tcp'), 'suspend test', { readonly: true });
  t.match(viaFlag.stderr, /read only access prevents/, 'virsh -r over TCP is read-only too');
  const state = await virsh(roUri, 'list --all; dominfo test; dumpxml test');
  t.equal(state.code, 0, 'reads work on the read-only socket');
  t.match(state.stdout, /-\s+test\s+shut off/, 'and nothing was changed');
});

t.test('virsh event --loop receives lifecycle events exactly as from libvirtd', async (t) => {
  const d = await startXvirtd(t, { tcp: true });
  const lvd = await startLibvirtd(t);
  const actions =
    `suspend test; resume test; destroy test; start test; reboot test; shutdown test; ` +
    `define ${xmlFile}; start interop; destroy interop; undefine interop`;
  const warmXml = join(tmp, 'warm.xml');
  writeFileSync(warmXml, NEW_DOMAIN.replace('interop', 'warm').replace('11111111-', '99999999-'));
  const run = async (listenUri: string, actUri: string): Promise<string[]> => {
    // The listening virsh also keeps the shared test:///default state alive for the acting one.
    const loop = virshEvents(listenUri);
    // virsh prints nothing once registered: define/undefine a scratch domain until its events show up.
    for (let i = 0; i < 50 && !loop.lines().some((l) => l.includes("'warm'")); i++) {
      await virsh(actUri, `define ${warmXml}; undefine warm`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = await virsh(actUri, actions);
    t.equal(done.code, 0, `actions succeed: ${done.stderr}`);
    const ours = /^event .* for domain '(test|interop)'/;
    await loop.waitFor(ours, 9);
    await new Promise((r) => setTimeout(r, 300)); // room for any event that should not be there
    await loop.stop();
    return loop.lines().filter((l) => ours.test(l));
  };
  const ours = await run(d.uri('unix'), d.uri('tcp'));
  const theirs = await run(lvd.unixUri(), lvd.unixUri());
  t.same(ours, theirs, 'the same events, same details, same order');
  t.same(ours, [
    "event 'lifecycle' for domain 'test': Suspended Paused",
    "event 'lifecycle' for domain 'test': Resumed Unpaused",
    "event 'lifecycle' for domain 'test': Stopped Destroyed",
    "event 'lifecycle' for domain 'test': Started Booted",
    "event 'lifecycle' for domain 'test': Stopped Shutdown",
    "event 'lifecycle' for domain 'interop': Defined Added",
    "event 'lifecycle' for domain 'interop': Started Booted",
    "event 'lifecycle' for domain 'interop': Stopped Destroyed",
    "event 'lifecycle' for domain 'interop': Undefined Removed",
  ]);
});

t.test('keepalive with real virsh: both sides ping, nobody is dropped', async (t) => {
  // Our PINGs every second, 2 unanswered allowed: virsh must answer them for its session to survive 4 s.
  const d = await startXvirtd(t, { extraConfig: ['keepalive_interval = 1', 'keepalive_count = 2', 'log_level = 1'] });
  const r = await virsh(d.uri('unix'), 'event --all --loop --timeout 4', { timeoutMs: 20000 });
  t.match(r.stdout, /event loop timed out\nevents received: 0/, 'virsh event ran to its timeout');
  t.equal(r.stderr, '', 'without losing its connection');
  t.equal(r.code, 1, "virsh's exit status for a timed-out event loop (the same with test:///default)");
  t.notMatch(d.stderr(), /keepalive timeout/, 'the daemon never gave up on virsh');
});
