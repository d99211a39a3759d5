// The connection URI parser: libvirt's URI shapes, the names a remote client
// sends, canonical formatting, and clear INVALID_ARG errors for bad input.
import t from 'tap';
import { ErrorDomain, ErrorNumber } from '../../lib/errors';
import { formatUri, isRemoteUri, parseUri, serverSideName, uriParam } from '../../lib/uri';

t.test('parses libvirt URI shapes', async (t) => {
  t.same(parseUri('test:///default'), {
    text: 'test:///default',
    driver: 'test',
    transport: null,
    user: null,
    host: null,
    port: null,
    path: '/default',
    params: [],
  });
  t.same(parseUri('qemu+ssh://root@host.example:2222/system?keyfile=/k&no_verify=1'), {
    text: 'qemu+ssh://root@host.example:2222/system?keyfile=/k&no_verify=1',
    driver: 'qemu',
    transport: 'ssh',
    user: 'root',
    host: 'host.example',
    port: 2222,
    path: '/system',
    params: [
      ['keyfile', '/k'],
      ['no_verify', '1'],
    ],
  });
  const v6 = parseUri('xen+tls://[fe80::1]:16514/');
  t.same(
    [v6.driver, v6.transport, v6.host, v6.port, v6.path],
    ['xen', 'tls', 'fe80::1', 16514, '/'],
    'IPv6 host without brackets',
  );
  t.same([parseUri('xen://').path, parseUri('xen://').host], ['', null], 'no path, no host');
  t.equal(parseUri('remote:///').driver, 'remote');
  t.equal(parseUri('TEST:///default').driver, 'test', 'the driver name is case-insensitive');
  t.equal(parseUri('qemu+UNIX:///system').transport, 'unix');
  t.equal(parseUri('test:///default#frag').path, '/default', 'a fragment is ignored');
  t.equal(parseUri('test://host/').port, null);
  t.equal(parseUri('test://host:/x').port, null, 'an empty port is no port');
});

t.test('decodes percent-encoding and query parameters', async (t) => {
  const u = parseUri('test:///tmp/my%20node.xml?a=1;b=x%26y&a=2&flag');
  t.equal(u.path, '/tmp/my node.xml');
  t.same(
    u.params,
    [
      ['a', '1'],
      ['b', 'x&y'],
      ['a', '2'],
      ['flag', ''],
    ],
    "'&' and ';' both separate; order kept",
  );
  t.equal(uriParam(u, 'a'), '2', 'a repeated parameter: the last one wins, as in libvirt');
  t.equal(uriParam(u, 'missing'), undefined);
  t.equal(parseUri('qemu+ssh://us%40er@h/system').user, 'us@er');
});

t.test('bad URIs are INVALID_ARG naming the problem', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['', /empty URI/],
    [undefined, /empty URI/],
    ['test:///has space', /spaces or control characters/],
    ['test:///tab\there', /spaces or control characters/],
    ['test', /expected 'driver:\/\/\.\.\.'/],
    ['://x', /expected 'driver/],
    ['1abc:///x', /bad scheme '1abc'/],
    ['qemu+pigeon://h/system', /unknown transport 'pigeon'/],
    ['qemu+ssh://h:0/system', /port '0' out of range/],
    ['qemu+ssh://h:65536/system', /port '65536' out of range/],
    ['qemu+ssh://h:abc/system', /bad host part 'h:abc'/],
    ['test:///bad%zzpath', /bad percent-encoding in path/],
    ['qemu+unix://host/system', /transport 'unix' cannot connect to a host \('host'\)/],
    ['test:///x?=v', /empty query parameter name/],
    [`test:///${'a'.repeat(5000)}`, /longer than 4096 characters/],
  ];
  for (const [text, message] of cases) {
    t.throws(
      () => parseUri(text as string),
      { name: 'XvirtError', number: ErrorNumber.INVALID_ARG, domain: ErrorDomain.URI, message },
      String(text).slice(0, 40),
    );
  }
});

t.test('remote or local', async (t) => {
  t.equal(isRemoteUri(parseUri('test:///default')), false);
  t.equal(isRemoteUri(parseUri('xen:///system')), false);
  t.equal(isRemoteUri(parseUri('xen+unix:///system')), true, 'a transport means a daemon');
  t.equal(isRemoteUri(parseUri('qemu://host/system')), true, 'a host means a daemon');
  t.equal(isRemoteUri(parseUri('remote:///')), true);
});

t.test('formats canonically and round-trips', async (t) => {
  for (const text of [
    'test:///default',
    'qemu+ssh://root@host.example:2222/system?keyfile=%2Fk&no_verify=1',
    'xen+tls://[fe80::1]:16514/',
    'test:///tmp/my%20node.xml',
  ]) {
    const u = parseUri(text);
    t.equal(formatUri(u), text, text);
    t.same(parseUri(formatUri(u)), { ...u, text: formatUri(u) }, `${text} parses back the same`);
  }
});

t.test('the name a remote client sends drops client-only parts', async (t) => {
  t.equal(
    serverSideName(parseUri('qemu+ssh://root@h:22/system?keyfile=/k&mode=legacy&foo=bar')),
    'qemu:///system?foo=bar',
  );
  t.equal(serverSideName(parseUri('test+tcp://h/default')), 'test:///default');
  t.equal(serverSideName(parseUri('xen+tls://h/?name=xen:///custom')), 'xen:///custom', '?name= overrides');
  t.equal(serverSideName(parseUri('remote+unix:///')), '', "for 'remote' the server chooses");
});
