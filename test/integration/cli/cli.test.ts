// End to end: the real `node bin/xvirt.js`, each command's output, exit
// status and --json shape, against test:///default and test:///<tmp>.xml
// node files (every process has its own copy of the state, so tests that
// change it do not depend on order): queries here; host commands, XML,
// state changes and help in cli-host-changes.test.ts.
import t from 'tap';
import { THREE_GUESTS, nodeFileUri, requireBuild, tempDir, xvirtJson, xvirtOk } from '../../support/cli';

requireBuild(t);

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

t.test('list: the default URI has its running domain; text ends with a blank line like virsh', async (t) => {
  t.equal(await xvirtOk(t, ['list']), ' Id   Name   State\n----------------------\n 1    test   running\n\n');
  t.equal(await xvirtOk(t, ['-c', 'test:///default', 'list', '--all', '--name']), 'test\n\n');
  t.equal(await xvirtOk(t, ['list', '--uuid']), `${TEST_UUID}\n\n`);
  t.equal(await xvirtOk(t, ['list', '--uuid', '--name']), `${TEST_UUID} test\n\n`);
  t.equal(await xvirtOk(t, ['list', '--inactive']), ' Id   Name   State\n--------------------\n\n');
  t.equal(await xvirtOk(t, ['-q', 'list', '--name']), 'test\n', '-q drops the trailing blank line');
  t.equal(await xvirtOk(t, ['-q', 'list']), ' 1   test   running\n', '-q drops the table header, as virsh does');
  t.same(await xvirtJson(t, ['list']), [{ id: 1, name: 'test', uuid: TEST_UUID, state: 'running', stateCode: 1 }]);
});

t.test('list over a node file: all states, virsh order, --inactive, --json', async (t) => {
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(
    await xvirtOk(t, ['-c', uri, 'list', '--all']),
    ' Id   Name   State\n-----------------------\n 1    web    running\n 2    Db     paused\n -    cold   shut off\n\n',
  );
  t.equal(await xvirtOk(t, ['-c', uri, 'list', '--inactive', '--name']), 'cold\n\n');
  t.equal(await xvirtOk(t, ['-c', uri, 'list', '--name']), 'web\nDb\n\n');
  t.same(await xvirtJson(t, ['-c', uri, 'list', '--all']), [
    { id: 1, name: 'web', uuid: THREE_GUESTS[0]!.uuid, state: 'running', stateCode: 1 },
    { id: 2, name: 'Db', uuid: THREE_GUESTS[1]!.uuid, state: 'paused', stateCode: 3 },
    { id: null, name: 'cold', uuid: THREE_GUESTS[2]!.uuid, state: 'shut off', stateCode: 5 },
  ]);
});

t.test('dominfo: same answer by id, UUID and name; --json shape', async (t) => {
  const byName = await xvirtOk(t, ['dominfo', 'test']);
  t.match(byName, /^Id: {13}1\nName: {11}test\nUUID: {11}6695eb01-f6a4-8304-79aa-97f2502e193f\n/);
  t.match(byName, /\nState: {10}running\nCPU\(s\): {9}2\n/);
  t.match(
    byName,
    /\nMax memory: {5}8388608 KiB\nUsed memory: {4}2097152 KiB\nPersistent: {5}yes\nAutostart: {6}disable\nManaged save: {3}no\n\n$/,
  );
  const strip = (s: string): string => s.replace(/^CPU time:.*\n/m, '');
  t.equal(strip(await xvirtOk(t, ['dominfo', '1'])), strip(byName), 'by id');
  t.equal(strip(await xvirtOk(t, ['dominfo', TEST_UUID])), strip(byName), 'by UUID');
  t.equal(
    strip(await xvirtOk(t, ['dominfo', '--domain', TEST_UUID.replace(/-/g, '')])),
    strip(byName),
    'by UUID without dashes',
  );
  const info = (await xvirtJson(t, ['dominfo', 'test'])) as Record<string, unknown>;
  t.same(Object.keys(info), [
    'id',
    'name',
    'uuid',
    'osType',
    'state',
    'stateCode',
    'cpus',
    'cpuTimeNs',
    'maxMemKiB',
    'memoryKiB',
    'persistent',
    'autostart',
  ]);
  t.match(info, {
    id: 1,
    name: 'test',
    uuid: TEST_UUID,
    state: 'running',
    stateCode: 1,
    cpus: 2,
    maxMemKiB: 8388608,
    memoryKiB: 2097152,
    persistent: true,
    autostart: false,
  });
  t.type(info.cpuTimeNs, 'number');
  t.type(info.osType, 'string');
});

t.test('a domain named like an id or a UUID is found after the id and UUID lookups miss', async (t) => {
  const uri = nodeFileUri(tempDir(t), [
    { name: '7', uuid: '41111111-2222-3333-4444-555555555555', runstate: 1 },
    { name: '51111111-2222-3333-4444-555555555555', uuid: '61111111-2222-3333-4444-555555555555', runstate: 5 },
  ]);
  t.equal(await xvirtOk(t, ['-c', uri, 'domname', '1']), '7\n\n', 'id 1 wins over a name');
  t.equal(
    await xvirtOk(t, ['-c', uri, 'domuuid', '7']),
    '41111111-2222-3333-4444-555555555555\n\n',
    'no id 7: by name',
  );
  t.equal(
    await xvirtOk(t, ['-c', uri, 'domname', '51111111-2222-3333-4444-555555555555']),
    '51111111-2222-3333-4444-555555555555\n\n',
    'no such UUID: by name',
  );
  t.equal(
    await xvirtOk(t, ['-c', uri, 'domname', '61111111-2222-3333-4444-555555555555']),
    '51111111-2222-3333-4444-555555555555\n\n',
    'by UUID',
  );
});

t.test('domstate, domid, domname, domuuid (text and --json)', async (t) => {
  const uri = nodeFileUri(tempDir(t), THREE_GUESTS);
  t.equal(await xvirtOk(t, ['domstate', 'test']), 'running\n\n');
  t.match(await xvirtOk(t, ['-c', uri, 'domstate', 'Db', '--reason']), /^paused \([a-z -]+\)\n\n$/);
  t.same(await xvirtJson(t, ['-c', uri, 'domstate', 'cold']), {
    state: 'shut off',
    stateCode: 5,
    reason: 'unknown',
    reasonCode: 0,
  });
  t.equal(await xvirtOk(t, ['domid', 'test']), '1\n\n');
  t.equal(await xvirtOk(t, ['-c', uri, 'domid', 'cold']), '-\n\n');
  t.same(await xvirtJson(t, ['-c', uri, 'domid', 'cold']), { id: null });
  t.same(await xvirtJson(t, ['domid', TEST_UUID]), { id: 1 });
  t.equal(await xvirtOk(t, ['domname', '1']), 'test\n\n');
  t.same(await xvirtJson(t, ['domname', TEST_UUID]), { name: 'test' });
  t.equal(await xvirtOk(t, ['domuuid', 'test']), `${TEST_UUID}\n\n`);
  t.same(await xvirtJson(t, ['domuuid', '1']), { uuid: TEST_UUID });
});
