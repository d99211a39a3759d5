// End to end: the real `node bin/xvirt.js`, each command's output, exit
// status and --json shape, against test:///default and test:///<tmp>.xml
// node files (every process has its own copy of the state, so tests that
// change it do not depend on order).
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, THREE_GUESTS, assertOneError, domainXml, nodeFileUri, requireBuild, tempDir, xvirt } from '../../support/cli';

requireBuild(t);

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

/** Runs xvirt, expects success, returns stdout. */
async function ok(t: Test, args: string[]): Promise<string> {
  const r = await xvirt(args);
  t.equal(r.code, 0, `xvirt ${args.join(' ')} exits 0 (stderr: ${r.stderr})`);
  t.equal(r.stderr, '', 'nothing on stderr');
  return r.stdout;
}

async function json(t: Test, args: string[]): Promise<unknown> {
  const out = await ok(t, [...args, '--json']);
  t.match(out, /^[^\n]*\n$/, 'one JSON document on one line');
  return JSON.parse(out);
}

t.test('list: the default URI has its running domain; text ends with a blank line like virsh', async (t) => {
  t.equal(await ok(t, ['list']), ' Id   Name   State\n----------------------\n 1    test   running\n\n');
  t.equal(await ok(t, ['-c', 'test:///default', 'list', '--all', '--name']), 'test\n\n');
  t.equal(await ok(t, ['list', '--uuid']), `${TEST_UUID}\n\n`);
  t.equal(await ok(t, ['list', '--uuid', '--name']), `${TEST_UUID} test\n\n`);
  t.equal(await ok(t, ['list', '--inactive']), ' Id   Name   State\n--------------------\n\n');
  t.equal(await ok(t, ['-q', 'list', '--name']), 'test\n', '-q drops the trailing blank line');
  t.equal(await ok(t, ['-q', 'list']), ' 1   test   running\n', '-q drops the table header, as virsh does');
  t.same(await json(t, ['list']), [{ id: 1, name: 'test', uuid: TEST_UUID, state: 'running', stateCode: 1 }]);
});

t.test('list over a node file: all states, virsh order, --inactive, --json', async (t) => {
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(await ok(t, ['-c', uri, 'list', '--all']),
    ' Id   Name   State\n-----------------------\n 1    web    running\n 2    Db     paused\n -    cold   shut off\n\n');
  t.equal(await ok(t, ['-c', uri, 'list', '--inactive', '--name']), 'cold\n\n');
  t.equal(await ok(t, ['-c', uri, 'list', '--name']), 'web\nDb\n\n');
  t.same(await json(t, ['-c', uri, 'list', '--all']), [
    { id: 1, name: 'web', uuid: THREE_GUESTS[0]!.uuid, state: 'running', stateCode: 1 },
    { id: 2, name: 'Db', uuid: THREE_GUESTS[1]!.uuid, state: 'paused', stateCode: 3 },
    { id: null, name: 'cold', uuid: THREE_GUESTS[2]!.uuid, state: 'shut off', stateCode: 5 },
  ]);
});

t.test('dominfo: same answer by id, UUID and name; --json shape', async (t) => {
  const byName = await ok(t, ['dominfo', 'test']);
  t.match(byName, /^Id: {13}1\nName: {11}test\nUUID: {11}6695eb01-f6a4-8304-79aa-97f2502e193f\n/);
  t.match(byName, /\nState: {10}running\nCPU\(s\): {9}2\n/);
  t.match(byName, /\nMax memory: {5}8388608 KiB\nUsed memory: {4}2097152 KiB\nPersistent: {5}yes\nAutostart: {6}disable\nManaged save: {3}no\n\n$/);
  const strip = (s: string): string => s.replace(/^CPU time:.*\n/m, '');
  t.equal(strip(await ok(t, ['dominfo', '1'])), strip(byName), 'by id');
  t.equal(strip(await ok(t, ['dominfo', TEST_UUID])), strip(byName), 'by UUID');
  t.equal(strip(await ok(t, ['dominfo', '--domain', TEST_UUID.replace(/-/g, '')])), strip(byName), 'by UUID without dashes');
  const info = await json(t, ['dominfo', 'test']) as Record<string, unknown>;
  t.same(Object.keys(info), ['id', 'name', 'uuid', 'osType', 'state', 'stateCode', 'cpus', 'cpuTimeNs', 'maxMemKiB', 'memoryKiB', 'persistent', 'autostart']);
  t.match(info, { id: 1, name: 'test', uuid: TEST_UUID, state: 'running', stateCode: 1, cpus: 2, maxMemKiB: 8388608, memoryKiB: 2097152, persistent: true, autostart: false });
  t.type(info.cpuTimeNs, 'number');
  t.type(info.osType, 'string');
});

t.test('a domain named like an id or a UUID is found after the id and UUID lookups miss', async (t) => {
  const uri = nodeFileUri(tempDir(t), [
    { name: '7', uuid: '41111111-2222-3333-4444-555555555555', runstate: 1 },
    { name: '51111111-2222-3333-4444-555555555555', uuid: '61111111-2222-3333-4444-555555555555', runstate: 5 },
  ]);
  t.equal(await ok(t, ['-c', uri, 'domname', '1']), '7\n\n', 'id 1 wins over a name');
  t.equal(await ok(t, ['-c', uri, 'domuuid', '7']), '41111111-2222-3333-4444-555555555555\n\n', 'no id 7: by name');
  t.equal(await ok(t, ['-c', uri, 'domname', '51111111-2222-3333-4444-555555555555']), '51111111-2222-3333-4444-555555555555\n\n', 'no such UUID: by name');
  t.equal(await ok(t, ['-c', uri, 'domname', '61111111-2222-3333-4444-555555555555']), '51111111-2222-3333-4444-555555555555\n\n', 'by UUID');
});

t.test('domstate, domid, domname, domuuid (text and --json)', async (t) => {
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(await ok(t, ['domstate', 'test']), 'running\n\n');
  t.match(await ok(t, ['-c', uri, 'domstate', 'Db', '--reason']), /^paused \([a-z -]+\)\n\n$/);
  t.same(await json(t, ['-c', uri, 'domstate', 'cold']), { state: 'shut off', stateCode: 5, reason: 'unknown', reasonCode: 0 });
  t.equal(await ok(t, ['domid', 'test']), '1\n\n');
  t.equal(await ok(t, ['-c', uri, 'domid', 'cold']), '-\n\n');
  t.same(await json(t, ['-c', uri, 'domid', 'cold']), { id: null });
  t.same(await json(t, ['domid', TEST_UUID]), { id: 1 });
  t.equal(await ok(t, ['domname', '1']), 'test\n\n');
  t.same(await json(t, ['domname', TEST_UUID]), { name: 'test' });
  t.equal(await ok(t, ['domuuid', 'test']), `${TEST_UUID}\n\n`);
  t.same(await json(t, ['domuuid', '1']), { uuid: TEST_UUID });
});

t.test('host commands: nodeinfo, version, uri, hostname, capabilities', async (t) => {
  t.equal(await ok(t, ['nodeinfo']),
    'CPU model:           i686\nCPU(s):              16\nCPU frequency:       1400 MHz\nCPU socket(s):       2\n' +
    'Core(s) per socket:  2\nThread(s) per core:  2\nNUMA cell(s):        2\nMemory size:         3145728 KiB\n\n');
  t.same(await json(t, ['nodeinfo']), { model: 'i686', cpus: 16, mhz: 1400, sockets: 2, cores: 2, threads: 2, nodes: 2, memoryKiB: 3145728 });
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  const version = await ok(t, ['version']);
  t.match(version, new RegExp(`^Compiled against library: xvirt ${pkg.version}\nUsing library: xvirt ${pkg.version}\nUsing API: \\S+ ${pkg.version}\nRunning hypervisor: \\S+ \\d+\\.\\d+\\.\\d+\n\n$`));
  const v = await json(t, ['version']) as Record<string, unknown>;
  t.same(Object.keys(v), ['library', 'libraryVersion', 'hypervisorType', 'hypervisorVersion']);
  t.match(v, { library: 'xvirt', libraryVersion: pkg.version, hypervisorType: String, hypervisorVersion: /^\d+\.\d+\.\d+$/ });
  t.equal(await ok(t, ['uri']), 'test:///default\n\n');
  t.same(await json(t, ['uri']), { uri: 'test:///default' });
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(await ok(t, ['-c', uri, 'uri']), `${uri}\n\n`);
  t.match(await ok(t, ['hostname']), /^\S+\n\n$/);
  t.match(await json(t, ['hostname']), { hostname: String });
  t.match(await ok(t, ['capabilities']), /^<capabilities>\n[\s\S]*<\/capabilities>\n\n\n$/, "virsh's extra newline after the document");
  t.match(await json(t, ['capabilities']), { xml: /^<capabilities>/ });
});

t.test('dumpxml: live and --inactive XML, --json', async (t) => {
  const live = await ok(t, ['dumpxml', 'test']);
  t.match(live, /^<domain type='test' id='1'>\n  <name>test<\/name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>\n[\s\S]*<\/domain>\n\n$/);
  const inactive = await ok(t, ['dumpxml', '--inactive', 'test']);
  t.match(inactive, /^<domain type='test'>\n/, 'the inactive definition has no id');
  t.match(await json(t, ['dumpxml', '1']), { xml: /^<domain type='test' id='1'>/ });
});

t.test('state changes report virsh sentences and reach the domain', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const c = (...args: string[]): string[] => ['-c', uri, ...args];
  t.equal(await ok(t, c('suspend', 'web')), "Domain 'web' suspended\n\n");
  t.equal(await ok(t, c('resume', 'Db')), "Domain 'Db' resumed\n\n", 'resume works on the paused guest');
  t.equal(await ok(t, c('start', 'cold')), "Domain 'cold' started\n\n");
  t.equal(await ok(t, c('destroy', '2')), "Domain 'Db' destroyed\n\n", 'by id');
  t.equal(await ok(t, c('shutdown', 'web')), "Domain 'web' is being shutdown\n\n");
  t.equal(await ok(t, c('reboot', 'web')), "Domain 'web' is being rebooted\n\n");
  t.equal(await ok(t, c('autostart', 'web')), "Domain 'web' marked as autostarted\n\n");
  t.equal(await ok(t, c('autostart', '--disable', 'web')), "Domain 'web' unmarked as autostarted\n\n");
  t.equal(await ok(t, c('undefine', 'cold')), "Domain 'cold' has been undefined\n\n");
  t.equal(await ok(t, c('setmem', 'web', '256M')), '\n', 'setmem says nothing, like virsh');
  t.equal(await ok(t, c('setvcpus', 'web', '1')), '\n');
  t.same(await json(t, c('suspend', 'web')), { action: 'suspended', domain: { id: 1, name: 'web', uuid: THREE_GUESTS[0]!.uuid } });
  t.same(await json(t, c('start', 'cold')), { action: 'started', domain: { id: 3, name: 'cold', uuid: THREE_GUESTS[2]!.uuid } },
    'the started domain has its new id');
  t.equal(await ok(t, ['-q', '-c', uri, 'suspend', 'web']), '', '-q: no sentence, no blank line');
});

t.test('define and create read XML files', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const file = path.join(dir, 'new.xml');
  fs.writeFileSync(file, domainXml({ name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' }));
  t.equal(await ok(t, ['-c', uri, 'define', file]), `Domain 'fresh' defined from ${file}\n\n`);
  t.same(await json(t, ['-c', uri, 'define', '--file', file]),
    { action: 'defined', domain: { id: null, name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' } });
  t.equal(await ok(t, ['-c', uri, 'create', file]), `Domain 'fresh' created from ${file}\n\n`);
  const piped = spawnSync('sh', ['-c', 'cat "$1" | "$2" "$3" -c "$4" define /dev/stdin', 'sh', file, process.execPath, BIN, uri], { encoding: 'utf8' });
  t.same([piped.status, piped.stdout, piped.stderr], [0, "Domain 'fresh' defined from /dev/stdin\n\n", ''], 'XML through a shell pipe');
  t.same(await json(t, ['-c', uri, 'create', file]),
    { action: 'created', domain: { id: 3, name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' } });
});

t.test('--help, help, --version need no connection', async (t) => {
  const env = { XVIRT_DEFAULT_URI: 'nope:///unreachable' };
  const r = await xvirt(['--help'], env);
  t.equal(r.code, 0);
  t.match(r.stdout, /^Usage: xvirt \[options\]\.\.\. <command> \[args\.\.\.\]\n/);
  for (const name of ['list', 'dominfo', 'domstate', 'domid', 'domname', 'domuuid', 'nodeinfo', 'version', 'uri', 'hostname',
    'capabilities', 'start', 'destroy', 'suspend', 'resume', 'shutdown', 'reboot', 'define', 'undefine', 'create', 'dumpxml',
    'autostart', 'setmem', 'setvcpus', 'event', 'help']) {
    t.match(r.stdout, new RegExp(`\n    ${name} +\\S`), `${name} is listed`);
    const help = await xvirt(['help', name], env);
    t.equal(help.code, 0);
    t.match(help.stdout, new RegExp(`^  NAME\n    ${name} - `));
  }
  const h = await xvirt(['domstate', '--help'], env);
  t.equal(h.code, 0);
  t.match(h.stdout, /\n  SYNOPSIS\n    domstate <domain> \[--reason\] \[--json\]\n/);
  t.match((await xvirt(['help', 'host'], env)).stdout, /^ Host and Hypervisor \(help keyword 'host'\):\n    nodeinfo/);
  const version = await xvirt(['--version'], env);
  t.same([version.code, version.stdout], [0, `${(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version}\n`]);
  assertOneError(t, await xvirt(['help', 'nosuch'], env), "command or command group 'nosuch' doesn't exist");
});
