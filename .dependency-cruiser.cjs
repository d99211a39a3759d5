/**
 * The layer order of docs/architecture.md, enforced by `npm run lint:deps`
 * (part of `npm test`): a module may import from its own layer and the layers
 * listed before it, never from a later one; no import cycles (type-only
 * imports included). KNOWN_* list the violations still being removed
 * (issue 14), each as exact files, so any new violation fails.
 */
const LAYERS = [
  ['leaves', '^lib/(errors|constants|types|uuid|uri|atomic-file|native|native-sockets|native-stats|errno-text|' +
    'bounded-cache|version|netstore-types|netstore-constants|typed-params|api-checks)[.]ts$'],
  ['xml, xdr', '^lib/xml/|^lib/rpc/xdr(-io)?[.]ts$'],
  ['rpc', '^lib/rpc/'],
  ['auth', '^lib/auth/'],
  ['transports', '^lib/transports/'],
  ['drivers', '^lib/drivers/'],
  ['connection/API', '^lib/(connection|event-stream|event-fanout|monitoring|netstore-connection|network|storage|' +
    'host-devices|index)[.]ts$'],
  ['daemon, cli', '^lib/(daemon|cli|ssh-helper)/'],
];

/** Imports against the order that are still to be removed: importing file -> imported files. */
const KNOWN_UPWARD = {
  'lib/transports/register.ts': ['lib/drivers/remote/transport.ts'],
  'lib/transports/ssh.ts': ['lib/drivers/remote/transport.ts'],
};
/** Files in import cycles still to be broken. */
const KNOWN_CYCLES = [
  'lib/connection.ts', 'lib/event-stream.ts', 'lib/event-fanout.ts', 'lib/netstore-connection.ts', 'lib/native.ts',
  'lib/native-stats.ts', 'lib/drivers/xen/domain-config.ts', 'lib/drivers/xen/domain-xml.ts', 'lib/drivers/registry.ts',
  'lib/drivers/xen/index.ts', 'lib/drivers/test/index.ts', 'lib/drivers/proxy/index.ts',
];

const exact = (files) => files.map((f) => `^${f.replace(/[.]/g, '[.]')}$`).join('|');
const knownFrom = Object.keys(KNOWN_UPWARD);

const layerRules = LAYERS.slice(0, -1).flatMap(([name, path], i) => {
  const rule = (from, allowed) => ({
    name: `layer-order: ${name}`,
    comment: `${name} must not import from a later layer (docs/architecture.md)`,
    severity: 'error',
    from,
    to: {
      path: LAYERS.slice(i + 1).map(([, p]) => p).join('|'),
      pathNot: LAYERS.slice(0, i + 1).map(([, p]) => p).concat(allowed).join('|'),
    },
  });
  const own = knownFrom.filter((f) => new RegExp(path).test(f));
  return [
    rule({ path, pathNot: LAYERS.slice(0, i).map(([, p]) => p).concat(own.length ? [exact(own)] : []).join('|') || undefined },
      []),
    ...own.map((f) => rule({ path: exact([f]) }, [exact(KNOWN_UPWARD[f])])),
  ];
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'import cycles, type-only ones included',
      severity: 'error',
      from: { path: '^lib/', pathNot: exact(KNOWN_CYCLES) },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
