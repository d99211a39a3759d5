// Bad input to the real `xvirt`: each case exits non-zero with exactly one
// `error: ...` line on stderr (virsh's wording where virsh has one) and no
// stack trace.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { THREE_GUESTS, assertOneError, domainXml, nodeFileUri, requireBuild, tempDir, xvirt } from '../../support/cli';

requireBuild(t);

t.test('connection: malformed URI, unknown driver, unreadable node file', async (t) => {
  assertOneError(
    t,
    await xvirt(['-c', 'bad uri', 'list']),
    /^error: failed to connect to the hypervisor: .*malformed URI 'bad uri'/,
  );
  assertOneError(
    t,
    await xvirt(['-c', 'test//default', 'list']),
    /^error: failed to connect to the hypervisor: .*malformed URI/,
  );
  assertOneError(
    t,
    await xvirt(['-c', 'nosuchdriver:///x', 'list']),
    /^error: failed to connect to the hypervisor: .*nosuchdriver/,
  );
  assertOneError(t, await xvirt(['list'], { XVIRT_DEFAULT_URI: 'bad uri' }), /malformed URI 'bad uri'/);
  const dir = tempDir(t);
  assertOneError(
    t,
    await xvirt(['-c', `test://${dir}/missing.xml`, 'list']),
    /^error: failed to connect to the hypervisor: .*missing\.xml/,
  );
  fs.writeFileSync(path.join(dir, 'junk.xml'), 'not xml at all\n');
  assertOneError(
    t,
    await xvirt(['-c', `test://${dir}/junk.xml`, 'list']),
    /^error: failed to connect to the hypervisor: .*junk\.xml/,
  );
});

t.test('command line: unknown command, options, missing and extra arguments', async (t) => {
  assertOneError(t, await xvirt(['frobnicate']), "unknown command: 'frobnicate'");
  assertOneError(t, await xvirt([]), "no command given; see 'xvirt --help'");
  assertOneError(t, await xvirt(['-x', 'list']), "unsupported option '-x'. See --help.");
  assertOneError(t, await xvirt(['-c']), "option '-c' requires an argument. See --help.");
  assertOneError(t, await xvirt(['dominfo']), "command 'dominfo' requires <domain> option");
  assertOneError(t, await xvirt(['setmem', 'test']), "command 'setmem' requires <size> option");
  assertOneError(t, await xvirt(['define']), "command 'define' requires <file> option");
  assertOneError(t, await xvirt(['dominfo', 'test', 'extra']), "unexpected data 'extra'");
  assertOneError(t, await xvirt(['list', 'extra']), "unexpected data 'extra'");
  assertOneError(t, await xvirt(['list', '--foo']), "command 'list' doesn't support option --foo");
  assertOneError(t, await xvirt(['dominfo', '--domain', 'a', '--domain', 'b']), 'option --domain already seen');
  assertOneError(t, await xvirt(['dominfo', '--domain']), 'expected syntax: --domain <string>');
  assertOneError(t, await xvirt(['list', '--json=yes']), 'option --json takes no value');
});

t.test('numbers: malformed, negative, out of range, zero vCPUs', async (t) => {
  assertOneError(
    t,
    await xvirt(['setmem', 'test', 'abc']),
    "Scaled numeric value 'abc' for <size> option is malformed or out of range",
  );
  assertOneError(
    t,
    await xvirt(['setmem', 'test', '-5']),
    "Scaled numeric value '-5' for <size> option is malformed or out of range",
  );
  assertOneError(
    t,
    await xvirt(['setmem', 'test', '1.5G']),
    "Scaled numeric value '1.5G' for <size> option is malformed or out of range",
  );
  assertOneError(
    t,
    await xvirt(['setvcpus', 'test', 'abc']),
    "Numeric value 'abc' for <count> option is malformed or out of range",
  );
  assertOneError(
    t,
    await xvirt(['setvcpus', 'test', '99999999999']),
    "Numeric value '99999999999' for <count> option is malformed or out of range",
  );
  assertOneError(t, await xvirt(['setvcpus', 'test', '0']), "Can't set 0 processors for a VM");
  assertOneError(
    t,
    await xvirt(['event', '--all', '--timeout', 'soon']),
    "Numeric value 'soon' for <timeout> option is malformed or out of range",
  );
  assertOneError(t, await xvirt(['event', '--all', '--timeout', '0']), /^error: invalid timeout/);
  // Well-formed numbers the domain cannot take: the driver's refusal, still one line.
  assertOneError(t, await xvirt(['setmem', 'test', '64G']), /^error: .*memory/);
  assertOneError(t, await xvirt(['setvcpus', 'test', '999']), /^error: .*(vcpu|cpu|CPU)/);
});

t.test('unknown domains, by any spelling', async (t) => {
  for (const name of ['nope', '42', '00000000-0000-0000-0000-000000000000', "it's"]) {
    const r = await xvirt(['dominfo', name]);
    assertOneError(t, r, `failed to get domain '${name}'`);
    t.equal(r.stdout, '\n', 'virsh still prints its blank line');
  }
  assertOneError(t, await xvirt(['start', '1']), "failed to get domain '1'");
  assertOneError(t, await xvirt(['suspend', 'nope']), "failed to get domain 'nope'");
  assertOneError(
    t,
    await xvirt(['event', '--all', '--domain', 'nope', '--timeout', '1']),
    "failed to get domain 'nope'",
  );
});

t.test('state changes the domain cannot make', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const c = (...args: string[]): string[] => ['-c', uri, ...args];
  const file = path.join(dir, 'new.xml');
  fs.writeFileSync(file, domainXml({ name: 'fresh', uuid: '71111111-2222-3333-4444-555555555555' }));
  assertOneError(t, await xvirt(c('suspend', 'Db')), /^error: Failed to suspend domain 'Db': .+/);
  assertOneError(t, await xvirt(c('resume', 'web')), /^error: Failed to resume domain 'web': .+/);
  assertOneError(t, await xvirt(c('start', 'web')), 'Domain is already active');
  assertOneError(t, await xvirt(c('destroy', 'cold')), /^error: Failed to destroy domain 'cold': .+/);
  assertOneError(t, await xvirt(c('shutdown', 'cold')), /^error: Failed to shutdown domain 'cold': .+/);
  assertOneError(
    t,
    await xvirt(['-r', ...c('suspend', 'web')]),
    /^error: Failed to suspend domain 'web': operation forbidden: read only access prevents virDomainSuspend$/,
  );
  assertOneError(
    t,
    await xvirt(['-r', ...c('define', file)]),
    `Failed to define domain from ${file}: operation forbidden: read only access prevents virDomainDefineXML`,
  );
  assertOneError(
    t,
    await xvirt(['-r', ...c('setmem', 'web', '1M')]),
    'operation forbidden: read only access prevents virDomainSetMemory',
  );
  assertOneError(t, await xvirt(['-r', 'dumpxml', '--security-info', 'test']), /operation forbidden/);
});

t.test('define and create: missing files, directories, files that are not domain XML', async (t) => {
  const dir = tempDir(t);
  const uri = nodeFileUri(dir, THREE_GUESTS);
  const c = (...args: string[]): string[] => ['-c', uri, ...args];
  const missing = path.join(dir, 'missing.xml');
  assertOneError(t, await xvirt(c('define', missing)), `Failed to open file '${missing}': No such file or directory`);
  assertOneError(t, await xvirt(c('create', dir)), `Failed to open file '${dir}': Is a directory`);
  assertOneError(
    t,
    await xvirt(c('define', '/dev/zero')),
    "Failed to open file '/dev/zero': larger than 10485760 bytes",
  );
  assertOneError(t, await xvirt(c('define', '/dev/null')), /^error: Failed to define domain from \/dev\/null: .+/);
  const notXml = path.join(dir, 'hello.txt');
  fs.writeFileSync(notXml, 'hello\n');
  assertOneError(t, await xvirt(c('define', notXml)), new RegExp(`^error: Failed to define domain from ${notXml}: .+`));
  assertOneError(t, await xvirt(c('create', notXml)), new RegExp(`^error: Failed to create domain from ${notXml}: .+`));
  const truncated = path.join(dir, 'truncated.xml');
  fs.writeFileSync(truncated, "<domain type='test'>\n  <name>half</name>\n");
  assertOneError(t, await xvirt(c('define', truncated)), /^error: Failed to define domain from .*truncated\.xml: .+/);
  const notDomain = path.join(dir, 'node.xml');
  assertOneError(t, await xvirt(c('define', notDomain)), /^error: Failed to define domain from .*node\.xml: .+/);
});

t.test('event needs a type, and knows only lifecycle', async (t) => {
  assertOneError(t, await xvirt(['event', '--timeout', '1']), 'one of --list, --all, or --event <type> is required');
  assertOneError(t, await xvirt(['event', '--event', 'reboot']), /^error: event type 'reboot' is not supported/);
  assertOneError(
    t,
    await xvirt(['event', '--all', '--event', 'lifecycle']),
    'Options --all and --event are mutually exclusive',
  );
});
