/**
 * The layer order of docs/architecture.md, enforced by `npm run lint:deps`
 * (part of `npm test`): a module may import from its own layer and the layers
 * listed before it, never from a later one; no import cycles (type-only
 * imports included), and the two Xen drivers share code only through
 * lib/drivers/xen-common.
 */
const LAYERS = [
  [
    'leaves',
    '^lib/(errors|constants|types|uuid|uri|atomic-file|native|native-addon|native-sockets|native-stats|errno-text|' +
      'bounded-cache|version|netstore-types|netstore-constants|typed-params|api-checks)[.]ts$',
  ],
  ['xml, xdr', '^lib/xml/|^lib/rpc/xdr(-io)?[.]ts$'],
  ['rpc', '^lib/rpc/'],
  ['auth', '^lib/auth/'],
  ['transports', '^lib/transports/'],
  ['drivers', '^lib/drivers/'],
  [
    'connection/API',
    '^lib/(connection|event-stream|event-fanout|monitoring|netstore-connection|network|storage|' +
      'host-devices|index)[.]ts$',
  ],
  ['daemon, cli', '^lib/(daemon|cli|ssh-helper)/'],
];

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-order: ${name}`,
  comment: `${name} must not import from a later layer (docs/architecture.md)`,
  severity: 'error',
  from: {
    path,
    pathNot:
      LAYERS.slice(0, i)
        .map(([, p]) => p)
        .join('|') || undefined,
  },
  to: {
    path: LAYERS.slice(i + 1)
      .map(([, p]) => p)
      .join('|'),
    pathNot: LAYERS.slice(0, i + 1)
      .map(([, p]) => p)
      .join('|'),
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'proxy-through-xen-common',
      comment: 'the proxy driver shares Xen code through lib/drivers/xen-common, never lib/drivers/xen internals',
      severity: 'error',
      from: { path: '^lib/drivers/(proxy|xen-common)/' },
      to: { path: '^lib/drivers/xen/' },
    },
    {
      name: 'xen-apart-from-proxy',
      comment: 'the direct Xen driver does not reach into the proxy driver (the registry picks one of them)',
      severity: 'error',
      from: { path: '^lib/drivers/(xen|xen-common)/' },
      to: { path: '^lib/drivers/proxy/' },
    },
    {
      name: 'no-circular',
      comment: 'import cycles, type-only ones included',
      severity: 'error',
      from: { path: '^lib/' },
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
