'use strict';
/**
 * Preloaded into an xvirt child by tests (NODE_OPTIONS="--require test/support/disk-module-probe.js" and
 * XVIRT_DISK_MODULE_PROBE=FILE): when the process exits it writes to FILE, one per line, the JavaScript files node
 * read from disk to load them as modules. Modules the CLI bundle holds run without being read, so they are not listed.
 */
const fs = require('node:fs');
const Module = require('node:module');

const out = process.env.XVIRT_DISK_MODULE_PROBE;
if (out) {
  const read = [];
  const loadJs = Module._extensions['.js'];
  Module._extensions['.js'] = function (module, filename) {
    read.push(filename);
    return loadJs.call(this, module, filename);
  };
  process.on('exit', () => fs.writeFileSync(out, read.join('\n') + '\n'));
}
