#!/usr/bin/env node
'use strict';
// The `xvirt` command: everything lives in the compiled library.
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main\.js/.test(err.message)) {
    process.stderr.write("error: xvirt is not built: run 'npm run build' in its package directory\n");
    process.exit(1);
  }
  throw err;
}
cli.main().catch((err) => {
  process.stderr.write(`xvirt: ${(err && err.stack) || String(err)}\n`);
  process.exit(1);
});
