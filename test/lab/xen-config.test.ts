// Domain XML that xvirt hands to Xen's toolstack, checked by the real xl in
// dom0, and xvirtd's autostart starting real Xen domains.
import { labBudget, labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, type Connection } from '../../lib/connection';
import { DomainRunningReason, DomainState } from '../../lib/constants';
import { loadDomainXmlCodec } from '../../lib/drivers/xen/domain-xml';
import { toXlConfig } from '../../lib/drivers/xen/xl';

const labTmp = process.env.XVIRT_LAB_TMP ?? '/tmp/xvirt-lab';
const stateDir = fs.mkdtempSync(path.join(labTmp, 'xen-config-state-'));
process.env.XVIRT_XEN_STATE_DIR = stateDir;
const REPO = path.resolve(__dirname, '..', '..');

function guestXml(name: string, uuid: string, devices = '', kernel = '/guest/tinypv.elf'): string {
  return (
    `<domain type='xen'><name>${name}</name><uuid>${uuid}</uuid><memory unit='MiB'>16</memory><vcpu>1</vcpu>` +
    `<os><type>xen</type><kernel>${kernel}</kernel><cmdline>xvirt_lab_guest=${name}</cmdline></os>` +
    `<on_poweroff>preserve</on_poweroff><on_crash>preserve</on_crash><devices>${devices}</devices></domain>`
  );
}

async function waitFor<T>(what: () => string, fn: () => T | undefined, ms = labBudget(90)): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

labTest('xl parses the disk and vif specs xvirt writes into the devices the XML asked for', 60, async (t) => {
  const dir = fs.mkdtempSync(path.join(labTmp, 'xen-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const image = path.join(dir, 'data disk.img');
  fs.writeFileSync(image, Buffer.alloc(1 << 20));
  const xml = guestXml(
    'xc-dev',
    '6b6b6b6b-0000-4000-8000-000000000001',
    `<disk type='file'><driver name='qemu' type='qcow2'/><source file='${image}'/><target dev='xvda' bus='xen'/></disk>` +
      `<disk type='file' device='cdrom'><source file='${image}'/><target dev='xvdc'/><readonly/></disk>` +
      "<interface type='bridge'><mac address='00:16:3e:12:34:56'/><source bridge='xenbr0'/><script path='vif-bridge'/><target dev='vif-xc.0'/></interface>",
  );
  // Defined through the driver, as a user would; the config is the one domainCreate hands to `xl create`.
  const conn = await connect('xen:///system');
  const dom = await conn.defineXML(xml);
  t.after(async () => {
    await dom.undefine();
    await conn.close();
  }); // hooks run in the order registered
  assert.match(await dom.getXMLDesc(), /<disk type='file'>/);
  const cfg = path.join(dir, 'xc-dev.cfg');
  fs.writeFileSync(cfg, toXlConfig(loadDomainXmlCodec().parse(xml)));
  // -N: a dry run; xl parses the config and prints the libxl domain config as JSON without building anything.
  const r = spawnSync('xl', ['-N', 'create', cfg], { encoding: 'utf8', timeout: labBudget(60) });
  assert.equal(r.status, 0, `xl -N create failed: ${r.stderr}\nconfig:\n${fs.readFileSync(cfg, 'utf8')}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    disks: Array<Record<string, unknown>>;
    nics: Array<Record<string, unknown>>;
  };
  const detail = `xl's config: ${JSON.stringify({ disks: json.disks, nics: json.nics })}`;
  assert.equal(json.disks.length, 2, detail);
  assert.equal(json.disks[0]!.pdev_path, image, detail);
  assert.equal(json.disks[0]!.vdev, 'xvda', detail);
  assert.equal(json.disks[0]!.format, 'qcow2', detail);
  assert.equal(json.disks[0]!.backend, 'qdisk', detail);
  assert.equal(json.disks[0]!.readwrite, 1, detail);
  assert.equal(json.disks[1]!.vdev, 'xvdc', detail);
  assert.equal(json.disks[1]!.is_cdrom, 1, detail);
  assert.ok(!json.disks[1]!.readwrite, detail);
  assert.equal(json.nics.length, 1, detail);
  assert.equal(json.nics[0]!.mac, '00:16:3e:12:34:56', detail);
  assert.equal(json.nics[0]!.bridge, 'xenbr0', detail);
  assert.equal(json.nics[0]!.script, 'vif-bridge', detail);
  assert.equal(json.nics[0]!.ifname, 'vif-xc.0', detail);
});

labTest('xvirtd starts the autostart domains of xen:///system, logs the one that fails, and serves', 120, async (t) => {
  const dir = fs.mkdtempSync(path.join(labTmp, 'xvirtd-'));
  const conn = await connect('xen:///system');
  let daemon: ChildProcess | null = null;
  let client: Connection | null = null;
  t.after(async () => {
    // one hook: the order matters
    await client?.close();
    daemon?.kill('SIGTERM');
    spawnSync('xl', ['destroy', 'xa-ok']);
    for (const name of ['xa-ok', 'xa-bad'])
      await conn.lookupDomainByName(name).then(
        (d) => d.undefine(),
        () => undefined,
      );
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const ok = await conn.defineXML(guestXml('xa-ok', '6b6b6b6b-0000-4000-8000-0000000000a1'));
  const bad = await conn.defineXML(
    guestXml('xa-bad', '6b6b6b6b-0000-4000-8000-0000000000a2', '', '/nonexistent/kernel'),
  );
  await ok.setAutostart(true);
  await bad.setAutostart(true);
  const sock = path.join(dir, 'sock');
  fs.writeFileSync(
    path.join(dir, 'xvirtd.conf'),
    [
      `unix_sock_rw_path = "${sock}"`,
      `unix_sock_ro_path = "${sock}-ro"`,
      'default_uri = "xen:///system"',
      'log_level = 2',
    ].join('\n') + '\n',
  );
  daemon = spawn(process.execPath, [path.join(REPO, 'bin', 'xvirtd.js'), '--config', path.join(dir, 'xvirtd.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, XVIRT_XEN_STATE_DIR: stateDir },
  });
  let log = '';
  daemon.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  await waitFor(
    () => `xvirtd's autostart summary; log so far:\n${log}`,
    () =>
      /autostart on xen:\/\/\/system: \d+ started, \d+ failed/.test(log) || daemon.exitCode !== null ? true : undefined,
  );
  assert.equal(daemon.exitCode, null, `xvirtd is still running; log:\n${log}`);
  assert.match(log, /autostart on xen:\/\/\/system: 1 started, 1 failed/, log);
  assert.match(log, /info: autostart: started domain 'xa-ok' \(id \d+\)/, log);
  assert.match(log, /error: autostart: cannot start domain 'xa-bad': .*xl create failed/, log);
  const row = execFileSync('xl', ['list', 'xa-ok'], { encoding: 'utf8' });
  assert.match(row, /^xa-ok\s+\d+/m, 'xl sees the autostarted domain');

  client = await connect(`xen+unix:///system?socket=${sock}`);
  const started = await client.lookupDomainByName('xa-ok');
  const st = await started.getState();
  assert.ok(st.state === DomainState.RUNNING || st.state === DomainState.BLOCKED, `state ${st.state}`);
  assert.equal(st.reason, DomainRunningReason.BOOTED, "xvirtd's other connections know it booted it");
});
