// vCPU pinning through xen:///system against the real Xen 4.17 (dom0, as
// root), checked with `xl vcpu-list`: LIVE pins through the API and
// `xvirt vcpupin` move the hard affinity only, CONFIG pins reach a guest
// started afterwards (xl's cpus=), refusals change nothing. The shared guest
// g1 is unpinned again whatever happens.
import { labBudget, labTest } from '../support/lab';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect } from '../../lib/connection';
import { DomainVcpuFlags as Vcpu } from '../../lib/constants';
import { ErrorNumber } from '../../lib/errors';

const labTmp = process.env.XVIRT_LAB_TMP ?? '/tmp/xvirt-lab';
const stateDir = fs.mkdtempSync(path.join(labTmp, 'xen-vcpupin-state-'));
process.env.XVIRT_XEN_STATE_DIR = stateDir;
const BIN = path.resolve(__dirname, '..', '..', 'bin', 'xvirt.js');

const xl = (...args: string[]) => execFileSync('xl', args, { encoding: 'utf8' });

/** `xl vcpu-list NAME` rows: the hard and soft affinity columns per vCPU, as xl prints them. */
function xlAffinity(name: string): { hard: string; soft: string }[] {
  return xl('vcpu-list', name)
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const cols = l.trim().split(/\s+/); // Name ID VCPU CPU State Time(s) Hard / Soft
      return { hard: cols[6]!, soft: cols[8]! };
    });
}

/** xl's affinity text ("all", "1", "0-1") as a map over `width` CPUs. */
function xlMap(text: string, width: number): boolean[] {
  if (text === 'all') return new Array<boolean>(width).fill(true);
  const map = new Array<boolean>(width).fill(false);
  for (const part of text.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    for (let c = from; c <= to!; c++) map[c] = true;
  }
  return map;
}

const only = (width: number, cpu: number) => Array.from({ length: width }, (_, c) => c === cpu);

labTest('LIVE pins through the API and xvirt vcpupin show in xl vcpu-list, soft affinity untouched', 180, async (t) => {
  const c = await connect('xen:///system');
  t.after(async () => {
    spawnSync('xl', ['vcpu-pin', 'g1', 'all', 'all']);
    await c.close();
  });
  const g1 = await c.lookupDomainByName('g1');
  const width = (await c.getCPUMap()).cpumap.length;
  assert.ok(width >= 2, `the lab host has ${width} CPUs`);
  const before = xlAffinity('g1');

  await g1.pinVcpuFlags(0, only(width, 1), Vcpu.LIVE);
  let now = xlAffinity('g1');
  assert.equal(now[0]!.hard, '1', 'pinned to CPU 1 in Xen');
  assert.equal(now[0]!.soft, before[0]!.soft, 'soft affinity as it was');
  assert.deepEqual(
    await g1.getVcpuPinInfo(Vcpu.LIVE),
    now.map((a) => xlMap(a.hard, width)),
  );
  assert.deepEqual((await g1.getVcpus())[0]!.cpumap, only(width, 1));

  await g1.pinVcpu(0, only(width, 0));
  assert.equal(xlAffinity('g1')[0]!.hard, '0', 'virDomainPinVcpu: the running guest');

  // The CLI, as virsh: `vcpupin DOMAIN VCPU CPULIST` on a running domain pins it live.
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, '-c', 'xen:///system', 'vcpupin', ...args], {
      encoding: 'utf8',
      env: process.env,
      timeout: labBudget(60),
    });
  const cli = run('g1', '0', '0-1');
  assert.equal(cli.status, 0, cli.stderr);
  now = xlAffinity('g1');
  assert.equal(now[0]!.hard, 'all', 'both CPUs of the host: xl says all');
  assert.equal(now[0]!.soft, before[0]!.soft);
  const shown = run('g1');
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /^\s*0\s+0-1\s*$/m, `xvirt vcpupin g1 lists the pin:\n${shown.stdout}`);

  const bad = run('g1', String(before.length), '0');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /invalid argument: vcpu '\d+' is not active/);
  await assert.rejects(g1.pinVcpuFlags(0, [false, false, false, false, false, false, false, false, true], 0), {
    number: ErrorNumber.INVALID_ARG,
  });
  assert.equal(xlAffinity('g1')[0]!.hard, 'all', 'refusals left the pin as it was');
});

labTest('CONFIG pins are in the definition and a started guest runs pinned', 240, async (t) => {
  const name = 'xp-pin';
  const xml =
    `<domain type='xen'><name>${name}</name><uuid>6b6b6b6b-0000-4000-8000-0000000000c1</uuid>` +
    "<memory unit='MiB'>16</memory><vcpu>2</vcpu>" +
    `<os><type>xen</type><kernel>/guest/tinypv.elf</kernel><cmdline>xvirt_lab_guest=${name}</cmdline></os>` +
    '<on_poweroff>preserve</on_poweroff><on_crash>preserve</on_crash><devices></devices></domain>';
  const c = await connect('xen:///system');
  const dom = await c.defineXML(xml);
  t.after(async () => {
    spawnSync('xl', ['destroy', name]);
    await dom.undefine().catch(() => undefined);
    await c.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });
  const width = (await c.getCPUMap()).cpumap.length;
  await assert.rejects(dom.pinVcpuFlags(0, only(width, 1), Vcpu.LIVE), { number: ErrorNumber.OPERATION_INVALID });
  await dom.pinVcpuFlags(0, only(width, 1), Vcpu.CONFIG);
  await dom.pinVcpuFlags(1, only(width, 0), 0); // CURRENT of an inactive domain: CONFIG
  assert.match(await dom.getXMLDesc(), /<vcpupin vcpu='0' cpuset='1'\/>\s*<vcpupin vcpu='1' cpuset='0'\/>/);
  assert.deepEqual(await dom.getVcpuPinInfo(Vcpu.CONFIG), [only(width, 1), only(width, 0)]);

  await dom.create();
  const rows = xlAffinity(name);
  assert.deepEqual(
    rows.map((r) => r.hard),
    ['1', '0'],
    'xl vcpu-list: each vCPU where the definition pinned it',
  );
  assert.deepEqual(await dom.getVcpuPinInfo(Vcpu.LIVE), [only(width, 1), only(width, 0)]);
  await dom.pinVcpuFlags(0, only(width, 0), Vcpu.LIVE); // vCPU 0: the one a tiny guest surely brought online
  assert.equal(xlAffinity(name)[0]!.hard, '0');
  assert.deepEqual((await dom.getVcpuPinInfo(Vcpu.CONFIG))[0], only(width, 1), 'LIVE left the definition alone');
});
