// End to end: the real `node bin/xvirt.js` (as cli.test.ts): host commands,
// dumpxml, state changes, define/create from XML files and help, each
// process with its own copy of the state.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BIN,
  THREE_GUESTS,
  assertOneError,
  domainXml,
  nodeFileUri,
  requireBuild,
  tempDir,
  xvirt,
  xvirtJson,
  xvirtOk,
} from '../../support/cli';

requireBuild(t);

t.test('host commands: nodeinfo, version, uri, hostname, capabilities', async (t) => {
  t.equal(
    await xvirtOk(t, ['nodeinfo']),
    'CPU model:           i686\nCPU(s):              16\nCPU frequency:       1400 MHz\nCPU socket(s):       2\n' +
      'Core(s) per socket:  2\nThread(s) per core:  2\nNUMA cell(s):        2\nMemory size:         3145728 KiB\n\n',
  );
  t.same(await xvirtJson(t, ['nodeinfo']), {
    model: 'i686',
    cpus: 16,
    mhz: 1400,
    sockets: 2,
    cores: 2,
    threads: 2,
    nodes: 2,
    memoryKiB: 3145728,
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const version = await xvirtOk(t, ['version']);
  t.match(
    version,
    new RegExp(
      `^Compiled against library: xvirt ${pkg.version}\nUsing library: xvirt ${pkg.version}\nUsing API: \\S+ ${pkg.version}\nRunning hypervisor: \\S+ \\d+\\.\\d+\\.\\d+\n\n$`,
    ),
  );
  const v = (await xvirtJson(t, ['version'])) as Record<string, unknown>;
  t.same(Object.keys(v), ['library', 'libraryVersion', 'hypervisorType', 'hypervisorVersion']);
  t.match(v, {
    library: 'xvirt',
    libraryVersion: pkg.version,
    hypervisorType: String,
    hypervisorVersion: /^\d+\.\d+\.\d+$/,
  });
  t.equal(await xvirtOk(t, ['uri']), 'test:///default\n\n');
  t.same(await xvirtJson(t, ['uri']), { uri: 'test:///default' });
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(await xvirtOk(t, ['-c', uri, 'uri']), `${uri}\n\n`);
  t.match(await xvirtOk(t, ['hostname']), /^\S+\n\n$/);
  t.match(await xvirtJson(t, ['hostname']), { hostname: String });
  t.match(
    await xvirtOk(t, ['capabilities']),
    /^<capabilities>\n[\s\S]*<\/capabilities>\n\n\n$/,
    "virsh's extra newline after the document",
  );
  t.match(await xvirtJson(t, ['capabilities']), { xml: /^<capabilities>/ });
});

t.test('dumpxml: live and --inactive XML, --json', async (t) => {
  const live = await xvirtOk(t, ['dumpxml', 'test']);
  t.match(
    live,
    /^<domain type='test' id='1'>\n  <name>test<\/name>\n  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f<\/uuid>\n[\s\S]*<\/domain>\n\n$/,
  );
  const inactive = await xvirtOk(t, ['dumpxml', '--inactive', 'test']);
  t.match(inactive, /^<domain type='test'>\n/, 'the inactive definition has no id');
  t.match(await xvirtJson(t, ['dumpxml', '1']), { xml: /^<domain type='test' id='1'>/ });
});

t.test('state changes report virsh sentences and reach the domain', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const c = (...args: string[]): string[] => ['-c', uri, ...args];
  t.equal(await xvirtOk(t, c('suspend', 'web')), "Domain 'web' suspended\n\n");
  t.equal(await xvirtOk(t, c('resume', 'Db')), "Domain 'Db' resumed\n\n", 'resume works on the paused guest');
  t.equal(await xvirtOk(t, c('start', 'cold')), "Domain 'cold' started\n\n");
  t.equal(await xvirtOk(t, c('destroy', '2')), "Domain 'Db' destroyed\n\n", 'by id');
  t.equal(await xvirtOk(t, c('shutdown', 'web')), "Domain 'web' is being shutdown\n\n");
  t.equal(await xvirtOk(t, c('reboot', 'web')), "Domain 'web' is being rebooted\n\n");
  t.equal(await xvirtOk(t, c('autostart', 'web')), "Domain 'web' marked as autostarted\n\n");
  t.equal(await xvirtOk(t, c('autostart', '--disable', 'web')), "Domain 'web' unmarked as autostarted\n\n");
  t.equal(await xvirtOk(t, c('undefine', 'cold')), "Domain 'cold' has been undefined\n\n");
  t.equal(await xvirtOk(t, c('setmem', 'web', '256M')), '\n', 'setmem says nothing, like virsh');
  t.equal(await xvirtOk(t, c('setvcpus', 'web', '1')), '\n');
  t.same(await xvirtJson(t, c('suspend', 'web')), {
    action: 'suspended',
    domain: { id: 1, name: 'web', uuid: THREE_GUESTS[0]!.uuid },
  });
  t.same(
    await xvirtJson(t, c('start', 'cold')),
    { action: 'started', domain: { id: 3, name: 'cold', uuid: THREE_GUESTS[2]!.uuid } },
    'the started domain has its new id',
  );
  t.equal(await xvirtOk(t, ['-q', '-c', uri, 'suspend', 'web']), '', '-q: no sentence, no blank line');
});

t.test('define and create read XML files', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const file = path.join(dir, 'new.xml');
  fs.writeFileSync(file, domainXml({ name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' }));
  t.equal(await xvirtOk(t, ['-c', uri, 'define', file]), `Domain 'fresh' defined from ${file}\n\n`);
  t.same(await xvirtJson(t, ['-c', uri, 'define', '--file', file]), {
    action: 'defined',
    domain: { id: null, name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' },
  });
  t.equal(await xvirtOk(t, ['-c', uri, 'create', file]), `Domain 'fresh' created from ${file}\n\n`);
  const piped = spawnSync(
    'sh',
    ['-c', 'cat "$1" | "$2" "$3" -c "$4" define /dev/stdin', 'sh', file, process.execPath, BIN, uri],
    { encoding: 'utf8' },
  );
  t.same(
    [piped.status, piped.stdout, piped.stderr],
    [0, "Domain 'fresh' defined from /dev/stdin\n\n", ''],
    'XML through a shell pipe',
  );
  t.same(await xvirtJson(t, ['-c', uri, 'create', file]), {
    action: 'created',
    domain: { id: 3, name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' },
  });
});

t.test('--help, help, --version need no connection', async (t) => {
  const env = { XVIRT_DEFAULT_URI: 'nope:///unreachable' };
  const r = await xvirt(['--help'], env);
  t.equal(r.code, 0);
  t.match(r.stdout, /^Usage: xvirt \[options\]\.\.\. <command> \[args\.\.\.\]\n/);
  for (const name of [
    'list',
    'dominfo',
    'domstate',
    'domid',
    'domname',
    'domuuid',
    'nodeinfo',
    'version',
    'uri',
    'hostname',
    'capabilities',
    'start',
    'destroy',
    'suspend',
    'resume',
    'shutdown',
    'reboot',
    'define',
    'undefine',
    'create',
    'dumpxml',
    'autostart',
    'setmem',
    'setvcpus',
    'event',
    'help',
  ]) {
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
  t.same(
    [version.code, version.stdout],
    [
      0,
      `${(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version}\n`,
    ],
  );
  assertOneError(t, await xvirt(['help', 'nosuch'], env), "command or command group 'nosuch' doesn't exist");
});
