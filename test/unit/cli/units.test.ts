// The CLI's pure parts: argument parsing, numbers, virsh's text layouts, the
// JSON serializer. Expected layouts are virsh 9.0's output, captured with
// `virsh -c test:///default ...` (bytes as printed, blank trailer excluded).
import t, { type Test } from 'tap';
import { DomainState } from '../../../lib/constants';
import { XvirtError } from '../../../lib/errors';
import { listOption, parseCommandArgs, parseGlobalOptions } from '../../../lib/cli/args';
import { findCommand } from '../../../lib/cli/commands';
import {
  compareListRows,
  displayWidth,
  formatDomainInfo,
  formatDomainTable,
  formatNodeInfo,
  formatSeconds,
  formatVersionReport,
} from '../../../lib/cli/format';
import { toJsonLine } from '../../../lib/cli/json';
import { parseScaledKiB, parseUnsigned } from '../../../lib/cli/numbers';
import { commandHelp } from '../../../lib/cli/help';

/** The message of the XvirtError `fn` throws (fails the test if it throws something else or nothing). */
function errorOf(t: Test, fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    t.type(err, XvirtError);
    return (err as Error).message;
  }
  t.fail('expected an error');
  return '';
}

t.test('global options come before the command', async (t) => {
  const g = parseGlobalOptions(['-c', 'test:///x.xml', '-r', '--quiet', 'list', '--all', '-c', 'y']);
  t.equal(g.uri, 'test:///x.xml');
  t.equal(g.readonly, true);
  t.equal(g.quiet, true);
  t.same(g.rest, ['list', '--all', '-c', 'y']);
  t.equal(parseGlobalOptions(['--connect=test:///default', 'uri']).uri, 'test:///default');
  t.equal(parseGlobalOptions(['-d', '0', 'uri']).debugLevel, 0);
  t.equal(parseGlobalOptions(['--version']).version, true);
  t.equal(parseGlobalOptions(['-V']).version, true, '-V as xvirtd takes it');
  t.same(parseGlobalOptions([]).rest, []);
  t.equal(
    errorOf(t, () => parseGlobalOptions(['-x', 'list'])),
    "unsupported option '-x'. See --help.",
  );
  t.equal(
    errorOf(t, () => parseGlobalOptions(['-c'])),
    "option '-c' requires an argument. See --help.",
  );
  t.match(
    errorOf(t, () => parseGlobalOptions(['-d', '9', 'list'])),
    /debug level '9'/,
  );
});

t.test('command options: positional data, --name value, --name=value, virsh errors', async (t) => {
  const dominfo = (await findCommand('dominfo'))!;
  t.equal(parseCommandArgs(dominfo, ['test']).values.get('domain'), 'test');
  t.equal(parseCommandArgs(dominfo, ['--domain', 'test']).values.get('domain'), 'test');
  t.equal(parseCommandArgs(dominfo, ['--domain=a=b']).values.get('domain'), 'a=b');
  t.equal(parseCommandArgs(dominfo, ['--', '--odd-name']).values.get('domain'), '--odd-name');
  t.equal(parseCommandArgs(dominfo, ['test', '--json']).values.get('json'), true);
  t.equal(parseCommandArgs(dominfo, ['--help']).help, true, '--help needs no domain');
  t.equal(
    errorOf(t, () => parseCommandArgs(dominfo, [])),
    "command 'dominfo' requires <domain> option",
  );
  t.equal(
    errorOf(t, () => parseCommandArgs(dominfo, ['test', 'extra'])),
    "unexpected data 'extra'",
  );
  t.equal(
    errorOf(t, () => parseCommandArgs(dominfo, ['--domain', 'a', '--domain', 'b'])),
    'option --domain already seen',
  );
  t.equal(
    errorOf(t, () => parseCommandArgs(dominfo, ['--domain'])),
    'expected syntax: --domain <string>',
  );
  const list = (await findCommand('list'))!;
  t.equal(
    errorOf(t, () => parseCommandArgs(list, ['--foo'])),
    "command 'list' doesn't support option --foo",
  );
  t.equal(
    errorOf(t, () => parseCommandArgs(list, ['--all=yes'])),
    'option --all takes no value',
  );
  const domstats = (await findCommand('domstats'))!;
  t.same(
    listOption(parseCommandArgs(domstats, ['a', '--raw', 'b', '--domain', 'c', '--', '--d']).values, 'domain'),
    ['a', 'b', 'c', '--d'],
    'a repeated option takes every word and --name value, in order',
  );
  t.same(listOption(parseCommandArgs(domstats, ['--raw']).values, 'domain'), [], 'none given');
  const setmemCommand = (await findCommand('setmem'))!;
  const setmem = parseCommandArgs(setmemCommand, ['test', '1G']).values;
  t.same([setmem.get('domain'), setmem.get('size')], ['test', '1G']);
  t.equal(
    errorOf(t, () => parseCommandArgs(setmemCommand, ['test'])),
    "command 'setmem' requires <size> option",
  );
});

t.test('numbers: virsh wording for malformed values, scaled sizes in KiB', async (t) => {
  t.equal(parseUnsigned('4', 'count'), 4);
  for (const bad of ['abc', '-1', '1.5', '', '4294967296', '0x10', ' 1']) {
    t.equal(
      errorOf(t, () => parseUnsigned(bad, 'count')),
      `Numeric value '${bad}' for <count> option is malformed or out of range`,
    );
  }
  t.equal(parseScaledKiB('1024', 'size'), 1024, 'no suffix is KiB');
  t.equal(parseScaledKiB('1M', 'size'), 1024);
  t.equal(parseScaledKiB('1MiB', 'size'), 1024);
  t.equal(parseScaledKiB('2G', 'size'), 2 * 1024 * 1024);
  t.equal(parseScaledKiB('1MB', 'size'), 977, 'MB is 10^6 bytes, rounded up to KiB');
  t.equal(parseScaledKiB('1b', 'size'), 1, 'bytes round up');
  t.equal(parseScaledKiB('4096bytes', 'size'), 4);
  for (const bad of ['abc', '-5', '1X', '1.5G', '99999999999E']) {
    t.equal(
      errorOf(t, () => parseScaledKiB(bad, 'size')),
      `Scaled numeric value '${bad}' for <size> option is malformed or out of range`,
    );
  }
});

t.test('list table: vshTable widths, virsh sort order', async (t) => {
  // virsh 9.0, `list --all` after defining t2 next to the running test domain.
  t.equal(
    formatDomainTable([
      { id: 1, name: 'test', state: DomainState.RUNNING },
      { id: -1, name: 't2', state: DomainState.SHUTOFF },
    ]),
    ' Id   Name   State\n' + '-----------------------\n' + ' 1    test   running\n' + ' -    t2     shut off\n',
  );
  // virsh 9.0, `virsh -q list --all`: no header, widths from the rows alone.
  t.equal(formatDomainTable([{ id: 1, name: 'test', state: DomainState.RUNNING }], false), ' 1   test   running\n');
  // virsh 9.0, `list --inactive` with none: the rule spans the headers only.
  t.equal(formatDomainTable([]), ' Id   Name   State\n--------------------\n');
  const rows = [
    { id: -1, name: 'beta', state: 5 },
    { id: 12, name: 'z', state: 1 },
    { id: -1, name: 'Alpha', state: 5 },
    { id: 3, name: 'y', state: 3 },
  ];
  t.same(
    rows.sort(compareListRows).map((r) => r.name),
    ['y', 'z', 'Alpha', 'beta'],
  );
  t.same(['abc', '测试', 'cafe\u0301', '\u{1F600}', ''].map(displayWidth), [3, 4, 4, 2, 0], 'terminal columns');
  t.equal(
    formatDomainTable([{ id: 1234567, name: 'a-much-longer-name', state: DomainState.PAUSED }]),
    ' Id        Name                 State\n' +
      '----------------------------------------\n' +
      ' 1234567   a-much-longer-name   paused\n',
  );
});

t.test('dominfo layout (virsh 9.0, without its CPU time and security lines)', async (t) => {
  const text = formatDomainInfo({
    id: 1,
    name: 'test',
    uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
    osType: 'linux',
    info: { state: DomainState.RUNNING, maxMemKiB: 8388608, memoryKiB: 2097152, nrVirtCpu: 2, cpuTimeNs: 0n },
    persistent: true,
    autostart: false,
  });
  t.equal(
    text,
    'Id:             1\n' +
      'Name:           test\n' +
      'UUID:           6695eb01-f6a4-8304-79aa-97f2502e193f\n' +
      'OS Type:        linux\n' +
      'State:          running\n' +
      'CPU(s):         2\n' +
      'Max memory:     8388608 KiB\n' +
      'Used memory:    2097152 KiB\n' +
      'Persistent:     yes\n' +
      'Autostart:      disable\n' +
      'Managed save:   no\n',
  );
  const inactive = formatDomainInfo({
    id: -1,
    name: 't2',
    uuid: 'f57ed5e8-f76c-45ec-b74b-20de30773144',
    osType: null,
    info: {
      state: DomainState.SHUTOFF,
      maxMemKiB: 0xffffffff,
      memoryKiB: 0,
      nrVirtCpu: 1,
      cpuTimeNs: 1795620554_850_000_000n,
    },
    persistent: null,
    autostart: null,
  });
  t.match(inactive, /^Id: {13}-\n/);
  t.match(inactive, /\nCPU time: {7}1795620554\.9s\n/);
  t.match(inactive, /\nMax memory: {5}no limit\n/);
  t.match(inactive, /\nPersistent: {5}unknown\n/);
  t.notMatch(inactive, /OS Type|Autostart/, 'lines the driver could not answer are left out');
  t.equal(formatSeconds(0n), '0.0');
  t.equal(formatSeconds(49_999_999n), '0.0');
  t.equal(formatSeconds(50_000_000n), '0.1');
  t.equal(formatSeconds(2n ** 64n - 1n), '18446744073.7', 'exact for the full 64-bit range');
});

t.test('nodeinfo and version layouts (virsh 9.0)', async (t) => {
  t.equal(
    formatNodeInfo({
      model: 'i686',
      cpus: 16,
      mhz: 1400,
      sockets: 2,
      cores: 2,
      threads: 2,
      nodes: 2,
      memoryKiB: 3145728,
    }),
    'CPU model:           i686\n' +
      'CPU(s):              16\n' +
      'CPU frequency:       1400 MHz\n' +
      'CPU socket(s):       2\n' +
      'Core(s) per socket:  2\n' +
      'Thread(s) per core:  2\n' +
      'NUMA cell(s):        2\n' +
      'Memory size:         3145728 KiB\n',
  );
  t.notMatch(
    formatNodeInfo({ model: 'x', cpus: 1, mhz: 0, sockets: 1, cores: 1, threads: 1, nodes: 1, memoryKiB: 1 }),
    /frequency/,
  );
  t.equal(
    formatVersionReport({
      libraryVersion: 1_002_003,
      hypervisorType: 'Test',
      hypervisorVersion: 2_000_000,
      daemonVersion: null,
    }),
    'Compiled against library: xvirt 1.2.3\nUsing library: xvirt 1.2.3\nUsing API: Test 1.2.3\nRunning hypervisor: Test 2.0.0\n',
  );
  t.match(
    formatVersionReport({ libraryVersion: 1, hypervisorType: 'Xen', hypervisorVersion: 0, daemonVersion: null }),
    /\nCannot extract running Xen hypervisor version\n$/,
  );
  t.match(
    formatVersionReport({ libraryVersion: 1, hypervisorType: 'TEST', hypervisorVersion: 2, daemonVersion: 9_000_000 }),
    /\nRunning hypervisor: TEST 0\.0\.2\nRunning against daemon: 9\.0\.0\n$/,
  );
});

t.test('JSON lines keep 64-bit counters exact and strings intact', async (t) => {
  const line = toJsonLine({
    cpuTimeNs: 2n ** 64n - 1n,
    small: 5n,
    neg: -3n,
    s: 'a\n"\u0000',
    list: [1n, null, true, 1.5],
    o: {},
  });
  t.equal(
    line,
    '{"cpuTimeNs":18446744073709551615,"small":5,"neg":-3,"s":"a\\n\\"\\u0000","list":[1,null,true,1.5],"o":{}}\n',
  );
  // 2 ** 64: the double nearest 2^64 - 1, which is what JSON.parse reads.
  t.same(JSON.parse(line), {
    cpuTimeNs: 2 ** 64,
    small: 5,
    neg: -3,
    s: 'a\n"\u0000',
    list: [1, null, true, 1.5],
    o: {},
  });
});

t.test('command help reads like virsh', async (t) => {
  t.equal(
    commandHelp((await findCommand('domstate'))!),
    '  NAME\n    domstate - domain state\n\n' +
      '  SYNOPSIS\n    domstate <domain> [--reason] [--json]\n\n' +
      '  DESCRIPTION\n    Returns state about a domain.\n\n' +
      '  OPTIONS\n' +
      '    [--domain] <string>  domain name, id or uuid\n' +
      '    --reason         also print reason for the state\n' +
      '    --json           print the result as JSON (see docs/cli.md)\n',
  );
});
