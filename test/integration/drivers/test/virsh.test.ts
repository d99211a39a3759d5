// xvirt's test driver side by side with libvirt's, through real virsh
// (libvirt-clients, installed by scripts/install-test-deps): the same URI
// must show the same node, domains, XML, states and errors.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  connect,
  domainStateName,
  domainStateReasonName,
  formatVersion,
  type Connection,
  type Domain,
} from '../../../../lib';
import { virsh } from '../../../support/virsh';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'fixtures');

/** One virsh session (commands separated by ';'): its output and libvirt's error messages. */
async function virshSession(uri: string, commands: string): Promise<{ stdout: string; errors: string[] }> {
  const r = await virsh(uri, commands);
  // virsh reports a failure as "error: Failed to <verb> ..." then "error: <libvirt's message>".
  const errors = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('error: ') && !/^error: Failed to /.test(l))
    .map((l) => l.slice(7));
  return { stdout: r.stdout, errors };
}

/** One virsh command's output; its error text when it fails. */
async function virshOut(uri: string, command: string): Promise<string> {
  const { stdout, errors } = await virshSession(uri, command);
  return errors.length > 0 ? errors.join('\n') : stdout;
}

/** "Key:   value" lines (virsh nodeinfo / dominfo) as a map. */
function fields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

/** `virsh list --all` rows as [id, name, state]. */
function listRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*Id\s+Name/.test(l) && !/^-+$/.test(l.trim()))
    .map((l) => {
      const m = /^\s*(\S+)\s+(\S+)\s+(.*?)\s*$/.exec(l)!;
      return [m[1]!, m[2]!, m[3]!];
    });
}

async function ourList(conn: Connection): Promise<string[][]> {
  const rows: string[][] = [];
  for (const d of await conn.listAllDomains()) {
    rows.push([d.id >= 0 ? String(d.id) : '-', d.name, domainStateName((await d.getState()).state)]);
  }
  return rows;
}

async function ourStateWithReason(dom: Domain): Promise<string> {
  const { state, reason } = await dom.getState();
  return `${domainStateName(state)} (${domainStateReasonName(state, reason)})`;
}

async function ourNodeInfo(conn: Connection): Promise<Record<string, string>> {
  const n = await conn.getNodeInfo();
  return {
    'CPU model': n.model,
    'CPU(s)': String(n.cpus),
    'CPU frequency': `${n.mhz} MHz`,
    'CPU socket(s)': String(n.sockets),
    'Core(s) per socket': String(n.cores),
    'Thread(s) per core': String(n.threads),
    'NUMA cell(s)': String(n.nodes),
    'Memory size': `${n.memoryKiB} KiB`,
  };
}

t.test("test:///default: node, host and domain identical to libvirt's", async (t) => {
  const uri = 'test:///default';
  const conn = await connect(uri);
  t.teardown(() => conn.close());
  t.same(await ourNodeInfo(conn), fields(await virshOut(uri, 'nodeinfo')), 'nodeinfo');
  const version = fields(await virshOut(uri, 'version'));
  t.equal(
    `${await conn.getType()} ${formatVersion(await conn.getVersion())}`,
    version['Running hypervisor'],
    'type and hypervisor version',
  );
  t.equal(await conn.getHostname(), (await virshOut(uri, 'hostname')).trim(), 'hostname');
  t.equal(await conn.getUri(), (await virshOut(uri, 'uri')).trim(), 'uri');
  t.equal(String(await conn.getMaxVcpus()), (await virshOut(uri, 'maxvcpus')).trim(), 'maxvcpus');
  t.equal((await conn.getCapabilities()).trim(), (await virshOut(uri, 'capabilities')).trim(), 'capabilities XML');
  t.same(await ourList(conn), listRows(await virshOut(uri, 'list --all')), 'list --all');

  const dom = await conn.lookupDomainByName('test');
  const theirs = fields(await virshOut(uri, 'dominfo test'));
  const info = await dom.getInfo();
  t.same(
    {
      Id: String(dom.id),
      Name: dom.name,
      UUID: dom.uuid,
      'OS Type': await dom.getOSType(),
      State: domainStateName(info.state),
      'CPU(s)': String(info.nrVirtCpu),
      'Max memory': `${info.maxMemKiB} KiB`,
      'Used memory': `${info.memoryKiB} KiB`,
      Persistent: (await dom.isPersistent()) ? 'yes' : 'no',
      Autostart: (await dom.getAutostart()) ? 'enable' : 'disable',
    },
    {
      Id: theirs.Id,
      Name: theirs.Name,
      UUID: theirs.UUID,
      'OS Type': theirs['OS Type'],
      State: theirs.State,
      'CPU(s)': theirs['CPU(s)'],
      'Max memory': theirs['Max memory'],
      'Used memory': theirs['Used memory'],
      Persistent: theirs.Persistent,
      Autostart: theirs.Autostart,
    },
    'dominfo test',
  );
  t.equal(await ourStateWithReason(dom), (await virshOut(uri, 'domstate --reason test')).trim(), 'domstate --reason');
  t.equal((await dom.getXMLDesc()).trim(), (await virshOut(uri, 'dumpxml test')).trim(), 'dumpxml');
  t.equal(
    (await dom.getXMLDesc(2)).trim(),
    (await virshOut(uri, 'dumpxml --inactive test')).trim(),
    'dumpxml --inactive',
  );
});

t.test('the same lifecycle gives the same states, XML and errors', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-virsh-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const defXml = `<domain type='test'><name>cmp</name><uuid>0a0b0c0d-1111-2222-3333-444455556666</uuid>
    <memory unit='GiB'>1</memory><currentMemory unit='MB'>500</currentMemory><vcpu current='1'>2</vcpu>
    <os><type>hvm</type><boot dev='network'/></os><on_reboot>destroy</on_reboot>
    <devices><disk type='file' device='disk'><source file='/x.img'/><target dev='vdb' bus='virtio'/></disk></devices></domain>`;
  const clash =
    "<domain type='test'><name>test</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory>1024</memory><os><type>hvm</type></os></domain>";
  fs.writeFileSync(path.join(dir, 'cmp.xml'), defXml);
  fs.writeFileSync(path.join(dir, 'clash.xml'), clash);
  // Observations go to stdout (blocks between '@@'), errors to stderr in order.
  const steps = [
    'dumpxml --inactive cmp',
    'start cmp',
    'domstate --reason cmp',
    'suspend cmp',
    'domstate --reason cmp',
    'resume cmp',
    'domstate --reason cmp',
    'reboot cmp',
    'domstate --reason cmp',
    'destroy test',
    'domstate --reason test',
    'destroy test',
    'start test',
    'domstate --reason test',
    'shutdown test',
    'domstate --reason test',
    'resume test',
    'list --all',
    `define ${dir}/clash.xml`,
  ];
  const session = await virshSession(
    'test:///default',
    [`define ${dir}/cmp.xml`, ...steps.flatMap((s) => [s, 'echo @@'])].join(';'),
  );
  const blocks = session.stdout.split('@@').map((b) => b.trim());
  const observed = steps.flatMap((step, i) => {
    if (step.startsWith('list')) return [JSON.stringify(listRows(blocks[i]!))];
    return /^(domstate|dumpxml)/.test(step) ? [blocks[i]!] : [];
  });
  t.equal(session.errors.length, 3, `virsh saw the 3 failing steps: ${session.errors.join(' | ')}`);

  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const ours: string[] = [];
  const errors: string[] = [];
  const failing = async (p: Promise<unknown>) =>
    p.then(
      () => errors.push('no error'),
      (e: Error) => errors.push(e.message),
    );
  const cmp = await conn.defineXML(defXml);
  const test = await conn.lookupDomainByName('test');
  ours.push((await cmp.getXMLDesc(2)).trim());
  await cmp.create();
  ours.push(await ourStateWithReason(cmp));
  await cmp.suspend();
  ours.push(await ourStateWithReason(cmp));
  await cmp.resume();
  ours.push(await ourStateWithReason(cmp));
  await cmp.reboot();
  ours.push(await ourStateWithReason(cmp));
  await test.destroy();
  ours.push(await ourStateWithReason(test));
  await failing(test.destroy());
  await test.create();
  ours.push(await ourStateWithReason(test));
  await test.shutdown();
  ours.push(await ourStateWithReason(test));
  await failing(test.resume());
  ours.push(JSON.stringify(await ourList(conn)));
  await failing(conn.defineXML(clash));
  t.same(ours, observed, 'every state, the XML and the listing match');
  t.equal(errors[0], session.errors[0], 'destroying a shut-off domain: same error');
  t.equal(errors[2], session.errors[2], 'defining a clashing name: same error');
  t.match(
    errors[1],
    /domain is not running/,
    'resuming a shut-off domain fails (libvirt says "internal error: domain \'test\' not paused")',
  );
});

t.test('a node file loads the same in both', async (t) => {
  const uri = `test://${FIXTURES}/node-mixed.xml`;
  const conn = await connect(uri);
  t.teardown(() => conn.close());
  t.same(await ourNodeInfo(conn), fields(await virshOut(uri, 'nodeinfo')), 'nodeinfo');
  t.same(await ourList(conn), listRows(await virshOut(uri, 'list --all')), 'list --all');
  t.equal(
    (await conn.getCapabilities()).trim(),
    (await virshOut(uri, 'capabilities')).trim(),
    'capabilities (no NUMA cells)',
  );
  for (const dom of await conn.listAllDomains()) {
    t.equal(
      await ourStateWithReason(dom),
      (await virshOut(uri, `domstate --reason ${dom.name}`)).trim(),
      `domstate --reason ${dom.name}`,
    );
  }
  const fc4 = await conn.lookupDomainByName('fc4');
  // libvirt completes devices (buses, addresses, controllers); xvirt keeps them as written.
  const withoutDevices = (xml: string) => xml.replace(/<devices>[^]*<\/devices>/, '<devices/>').trim();
  t.equal(
    withoutDevices(await fc4.getXMLDesc()),
    withoutDevices(await virshOut(uri, 'dumpxml fc4')),
    'dumpxml of a domain loaded from its own file',
  );
  const bench = `test://${FIXTURES}/bench-3-guests.xml`;
  const b = await connect(bench);
  t.teardown(() => b.close());
  t.same(
    await ourList(b),
    listRows(await virshOut(bench, 'list --all')),
    'the benchmark fixture: 3 running guests in both',
  );
});
