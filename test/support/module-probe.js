'use strict';
/**
 * Preloaded into an xvirtd child by tests (NODE_OPTIONS="--require test/support/module-probe.js" and
 * XVIRT_MODULE_PROBE=FILE): on SIGUSR2 it writes the modules the daemon has loaded so far to FILE, one per line
 * (node's built-ins as `node:NAME`, files as their paths), so a test can check what an idle daemon holds.
 */
const fs = require('node:fs');

const out = process.env.XVIRT_MODULE_PROBE;
if (out) {
  process.on('SIGUSR2', () => {
    const builtins = process.moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `node:${m.slice('NativeModule '.length)}`);
    fs.writeFileSync(`${out}.tmp`, [...builtins, ...Object.keys(require.cache)].join('\n') + '\n');
    fs.renameSync(`${out}.tmp`, out);
  });
}
