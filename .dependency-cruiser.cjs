/**
 * The layer order of docs/architecture.md, enforced by `npm run lint:deps`
 * (part of `npm test`): a module may import from its own layer and the layers
 * listed before it, never from a later one; no import cycles (type-only
 * imports included). KNOWN_CYCLES lists the files of cycles still being
 * broken (issue 14), so any new cycle fails.
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

/** Files in import cycles still to be broken. */
const KNOWN_CYCLES = [
  'lib/drivers/registry.ts',
  'lib/drivers/xen/index.ts', 'lib/drivers/test/index.ts', 'lib/drivers/proxy/index.ts',
];

const exact = (files) => files.map((f) => `^${f.replace(/[.]/g, '[.]')}$`).join('|');
const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-order: ${name}`,
  comment: `${name} must not import from a later layer (docs/architecture.md)`,
  severity: 'error',
  from: { path, pathNot: LAYERS.slice(0, i).map(([, p]) => p).join('|') || undefined },
  to: {
    path: LAYERS.slice(i + 1).map(([, p]) => p).join('|'),
    pathNot: LAYERS.slice(0, i + 1).map(([, p]) => p).join('|'),
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'xen-common-only',
      comment: 'the proxy driver shares Xen code through lib/drivers/xen-common, never lib/drivers/xen internals',
      severity: 'error',
      from: { path: '^lib/drivers/(proxy|xen-common)/' },
      to: { path: '^lib/drivers/xen/' },
    },
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
