// Autostart (lib/daemon/autostart.ts): xvirtd starts the inactive autostart
// domains of the connection it serves when it starts, logs each start and
// failure, and keeps serving whatever fails. Driver-independent, so tried
// here over the test driver (node files mark domains <test:autostart/>); the
// Xen driver's real starts are in test/lab/xen-direct.test.ts.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, connect } from '../../../lib/connection';
import { DomainState, ListDomainsFlags } from '../../../lib/constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../../lib/errors';
import { autostartDomains, autostartNetworksAndPools } from '../../../lib/daemon/autostart';
import { openTestDriver } from '../../../lib/drivers/test';
import type { Driver } from '../../../lib/types';
import { parseUri } from '../../../lib/uri';
import { startXvirtd } from '../../support/xvirtd';

const NS = "xmlns:test='http://libvirt.org/schemas/domain/test/1.0'";
let n = 0;
const guest = (name: string, ext: string) =>
  `<domain type='test'><name>${name}</name>` +
  `<uuid>5a5a5a5a-0000-4000-8000-${String(++n).padStart(12, '0')}</uuid><memory>8192</memory><vcpu>1</vcpu>` +
  `<os><type>hvm</type></os>${ext}</domain>`;
const OFF = '<test:runstate>5</test:runstate>';

function nodeFile(t: { teardown(fn: () => unknown): void }, domains: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'xvirt-autostart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'node.xml');
  writeFileSync(file, `<node ${NS}>${domains.join('')}</node>`);
  return file;
}

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    log: { info: (m: string) => lines.push(`info: ${m}`), error: (m: string) => lines.push(`error: ${m}`) },
  };
}

t.test('node files mark domains autostart; transient ones cannot be', async (t) => {
  const file = nodeFile(t, [guest('a1', `${OFF}<test:autostart/>`), guest('m1', OFF)]);
  const conn = await connect(`test://${file}`);
  t.teardown(() => conn.close());
  t.same(
    (await conn.listAllDomains(ListDomainsFlags.AUTOSTART)).map((d) => d.name),
    ['a1'],
  );
  const bad = nodeFile(t, [guest('tr', '<test:transient/><test:autostart/>')]);
  await t.rejects(connect(`test://${bad}`), {
    number: ErrorNumber.XML_ERROR,
    message: /transient domain cannot be autostart/,
  });
});

t.test('starts each inactive autostart domain; one failure stops neither the others nor the caller', async (t) => {
  const file = nodeFile(t, [
    guest('broken', `${OFF}<test:autostart/>`),
    guest('a1', `${OFF}<test:autostart/>`),
    guest('a2', `${OFF}<test:autostart/>`),
    guest('manual', OFF),
    guest('running', '<test:autostart/>'),
  ]);
  const uri = parseUri(`test://${file}`);
  const driver = await openTestDriver(uri, {});
  // The test driver cannot fail a start by itself: this one does, for the domain named 'broken'.
  const failing = new Proxy(driver, {
    get(target, prop) {
      if (prop === 'domainCreate') {
        return (dom: Parameters<Driver['domainCreate']>[0], flags: number) =>
          dom.name === 'broken'
            ? Promise.reject(XvirtError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, 'disk image is missing'))
            : target.domainCreate(dom, flags);
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const conn = new Connection(uri, failing, false);
  t.teardown(() => conn.close());
  const { lines, log } = recorder();
  const result = await autostartDomains(conn, log);
  t.same(result.started.sort(), ['a1', 'a2']);
  t.same(result.failed, [{ name: 'broken', error: 'operation failed: disk image is missing' }]);
  const state = async (name: string) => (await (await conn.lookupDomainByName(name)).getState()).state;
  t.equal(await state('a1'), DomainState.RUNNING);
  t.equal(await state('a2'), DomainState.RUNNING);
  t.equal(await state('broken'), DomainState.SHUTOFF);
  t.equal(await state('manual'), DomainState.SHUTOFF, 'domains without autostart are left alone');
  t.match(lines.sort(), [
    /^error: autostart: cannot start domain 'broken': operation failed: disk image is missing$/,
    /^info: autostart: started domain 'a1' \(id \d+\)$/,
    /^info: autostart: started domain 'a2' \(id \d+\)$/,
  ]);
  t.equal(lines.length, 3, 'the running autostart domain is not touched');
});

t.test('xvirtd autostarts on the connection it serves and logs each start', async (t) => {
  const file = nodeFile(t, [guest('a1', `${OFF}<test:autostart/>`), guest('manual', OFF)]);
  const d = await startXvirtd(t, { extraConfig: [`default_uri = "test://${file}"`] });
  await waitForLog(d.stderr, /autostart on test:\/\/\S+: 1 started, 0 failed/);
  t.match(d.stderr(), /info: autostart: started domain 'a1' \(id 1\)/);
  t.notMatch(d.stderr(), /'manual'/);
  const client = await connect(d.uri('unix', 'test:///default'));
  t.teardown(() => client.close());
  t.ok((await client.listAllDomains()).length > 0, 'the daemon serves clients');
});

t.test('a default connection that cannot be opened is logged; xvirtd keeps serving', async (t) => {
  const d = await startXvirtd(t, { extraConfig: ['default_uri = "test:///no/such/node.xml"'] });
  await waitForLog(d.stderr, /autostart: cannot open test:\/\/\/no\/such\/node\.xml: .*no\/such\/node\.xml/);
  const client = await connect(d.uri('unix', 'test:///default'));
  t.teardown(() => client.close());
  t.equal((await client.lookupDomainByName('test')).name, 'test');
  t.equal(d.proc.exitCode, null, 'still running');
});

async function waitForLog(stderr: () => string, pattern: RegExp): Promise<void> {
  const end = Date.now() + 15_000;
  while (!pattern.test(stderr())) {
    if (Date.now() > end) throw new Error(`xvirtd never logged ${pattern}; stderr:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('autostart networks and pools start before the domains, each logged', async (t) => {
  const conn = await connect('test:///default');
  t.teardown(() => conn.close());
  const net = await conn.defineNetworkXML(
    "<network><name>auto-net</name><bridge name='virbr-auto'/><ip address='10.66.0.1' prefix='24'/></network>",
    0,
  );
  await net.setAutostart(true);
  await conn.defineNetworkXML("<network><name>manual-net</name><bridge name='virbr-man'/></network>", 0);
  const pool = await conn.defineStoragePoolXML(
    "<pool type='dir'><name>auto-pool</name><target><path>/auto-pool</path></target></pool>",
    0,
  );
  await pool.setAutostart(true);
  const { lines, log } = recorder();
  const result = await autostartNetworksAndPools(conn, log);
  t.same(result, { started: ['network auto-net', 'storage pool auto-pool'], failed: [] });
  t.same(lines, ["info: autostart: started network 'auto-net'", "info: autostart: started storage pool 'auto-pool'"]);
  t.equal(await net.isActive(), true);
  t.equal(await pool.isActive(), true);
  t.equal(await (await conn.lookupNetworkByName('manual-net')).isActive(), false, 'not marked: left alone');
  t.same(await autostartNetworksAndPools(conn, log), { started: [], failed: [] }, 'running ones are not started twice');
});
