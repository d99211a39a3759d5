#!/usr/bin/env -S node --max-semi-space-size=1 --interrupt-budget=1081344
'use strict';
// xvirtd: the compiled daemon lives in dist/ (npm run build). The node flags above (also in
// packaging/xvirtd.service; test/support/xvirtd.ts reads them from this line) keep the young generation at 1 MiB
// and let V8's optimising compiler wait for 16x more work than its default before it first runs, so loading the
// daemon's modules does not bring the compiler's code into an idle daemon's memory: see docs/xvirtd.md.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'daemon', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write(`xvirtd: ${main} is missing; run 'npm run build' first\n`);
  process.exit(1);
}
const { main: run } = require(main);
run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything of ours is closed by now; do not wait on handles a driver may have left behind.
    setImmediate(() => process.exit(code));
  },
  (err) => {
    process.stderr.write(`xvirtd: ${(err && err.stack) || String(err)}\n`);
    process.exit(1);
  },
);
