// xvirt against the real virsh, line for line: the same commands on the same
// URIs (test:///default and a libvirt test-driver node file both read) must
// print the same lines, except the ones only virsh can know: CPU time (the
// libvirt test driver derives it from the wall clock), its security driver
// lines, and the library names in `version`. Fails if virsh is missing.
import t, { type Test } from 'tap';
import { THREE_GUESTS, nodeFileUri, requireBuild, tempDir, xvirt, type RunResult } from '../../support/cli';
import { runVirsh, virshPath } from '../../support/virsh';

requireBuild(t);

/** Lines both tools know: virsh-only lines removed. */
function comparable(stdout: string): string[] {
  return stdout.split('\n').filter((line) => !/^(CPU time:|Security (model|DOI|label):)/.test(line));
}

async function compare(t: Test, uri: string, args: string[]): Promise<void> {
  const [theirs, ours]: RunResult[] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
  const what = `${args.join(' ')} on ${uri}`;
  t.equal(ours.code, theirs.code, `${what}: same exit status (virsh stderr: ${theirs.stderr})`);
  t.same(comparable(ours.stdout), comparable(theirs.stdout), `${what}: same lines`);
  t.equal(ours.stderr, theirs.stderr, `${what}: same stderr`);
}

t.test('virsh is installed (scripts/install-test-deps)', async (t) => {
  t.doesNotThrow(() => virshPath(), 'the comparison runs against the real virsh; it never skips');
});

t.test('test:///default: dominfo, nodeinfo, list --all, domstate print what virsh prints', async (t) => {
  virshPath();
  const uri = 'test:///default';
  for (const args of [
    ['dominfo', 'test'],
    ['dominfo', '1'],
    ['dominfo', '6695eb01-f6a4-8304-79aa-97f2502e193f'],
    ['nodeinfo'],
    ['list', '--all'],
    ['list'],
    ['list', '--inactive'],
    ['list', '--all', '--name'],
    ['list', '--uuid'],
    ['list', '--name', '--uuid'],
    ['domstate', 'test'],
    ['domstate', 'test', '--reason'],
    ['domid', 'test'],
    ['domname', '1'],
    ['domuuid', 'test'],
    ['uri'],
    ['hostname'],
    ['dominfo', 'nope'],
    ['domstate', 'nope'],
    ['dumpxml', 'test'],
    ['dumpxml', '--inactive', '1'],
    ['capabilities'],
  ])
    await compare(t, uri, args);
});

t.test('a node file with running, paused and shut off guests', async (t) => {
  virshPath();
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  for (const args of [
    ['list', '--all'],
    ['list'],
    ['list', '--inactive'],
    ['list', '--all', '--name'],
    ['list', '--all', '--uuid', '--name'],
    ['-q', 'list', '--all'],
    ['-q', 'dominfo', 'Db'],
    ['-q', 'suspend', 'web'],
    ['-q', 'dominfo', 'nope'],
    ['list', '--all', '--id'],
    ['list', '--id', '--name'],
    ['list', '--all', '--name', '--id', '--uuid'],
    ['list', '--inactive', '--id'],
    ['list', '--all', '--table'],
    ['list', '--table', '--id'],
    ['list', '--name', '--table'],
    ['dominfo', 'web'],
    ['dominfo', '2'],
    ['dominfo', 'cold'],
    ['nodeinfo'],
    ['domstate', 'web'],
    ['domstate', 'Db'],
    ['domstate', 'cold'],
    ['domstate', 'cold', '--reason'],
    ['domid', 'cold'],
    ['domid', 'Db'],
    ['uri'],
  ])
    await compare(t, uri, args);
});

t.test('version: same layout, xvirt naming its own library', async (t) => {
  virshPath();
  const [theirs, ours] = await Promise.all([
    runVirsh(['-c', 'test:///default', 'version']),
    xvirt(['-c', 'test:///default', 'version']),
  ]);
  t.equal(ours.code, theirs.code);
  const shape = (s: string): string =>
    s
      .replace(/(libvirt|xvirt) \d+\.\d+\.\d+/g, 'LIBRARY VERSION')
      .replace(/^(Using API: \S+) \d+\.\d+\.\d+$/m, '$1 VERSION');
  t.equal(shape(ours.stdout), shape(theirs.stdout), 'same lines, hypervisor type and version included');
});

t.test('state changes print what virsh prints', async (t) => {
  virshPath();
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  for (const args of [
    ['suspend', 'web'],
    ['resume', 'Db'],
    ['start', 'cold'],
    ['destroy', 'web'],
    ['shutdown', 'web'],
    ['reboot', 'web'],
    ['autostart', 'web'],
    ['autostart', 'web', '--disable'],
    ['undefine', 'cold'],
    ['setmem', 'web', '128M'],
    ['setvcpus', 'web', '1'],
    ['start', 'web'],
    ['dominfo', 'nope'],
    ['suspend', 'Db'],
    ['resume', 'web'],
    ['destroy', 'cold'],
    ['setvcpus', 'web', '0'],
    ['setmem', 'web', 'lots'],
    ['frobnicate'],
    ['dominfo'],
    ['list', '--bogus'],
    ['dominfo', 'web', 'extra'],
  ]) {
    const [theirs, ours] = await Promise.all([runVirsh(['-c', uri, ...args]), xvirt(['-c', uri, ...args])]);
    t.equal(ours.code, theirs.code, `${args.join(' ')}: same exit status`);
    t.equal(ours.stdout, theirs.stdout, `${args.join(' ')}: same output`);
    // virsh explains a failure on two lines ("Failed to X", then why); xvirt joins them into one.
    const [theirFirst = ''] = theirs.stderr.split('\n');
    t.ok(
      ours.stderr.startsWith(theirFirst),
      `${args.join(' ')}: xvirt's error line starts with virsh's first one: ${JSON.stringify([ours.stderr, theirs.stderr])}`,
    );
    if (theirs.stderr === '') t.equal(ours.stderr, '');
  }
});

t.test('names wider or narrower than their characters: table columns measured in terminal columns', async (t) => {
  virshPath();
  const uri = nodeFileUri(tempDir(t), [
    { name: '测试机', uuid: '11111111-2222-3333-4444-555555555555', runstate: 1 },
    { name: 'cafe\u0301', uuid: '21111111-2222-3333-4444-555555555555', runstate: 5 },
    { name: 'x', uuid: '31111111-2222-3333-4444-555555555555', runstate: 3 },
  ]);
  // virsh measures widths only in a UTF-8 locale.
  const [theirs, ours] = await Promise.all([
    runVirsh(['-c', uri, 'list', '--all'], { LC_ALL: 'C.UTF-8' }),
    xvirt(['-c', uri, 'list', '--all']),
  ]);
  t.equal(theirs.code, 0, theirs.stderr);
  t.equal(ours.stdout, theirs.stdout);
});
