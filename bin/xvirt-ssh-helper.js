#!/usr/bin/env node
'use strict';
// xvirt-ssh-helper: run by sshd on the daemon's host; bridges ssh's stdio to xvirtd's unix socket.
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'ssh-helper', 'helper.js');
let helper;
try {
  helper = require(main);
} catch (err) {
  process.stderr.write(`xvirt-ssh-helper: cannot load ${main} (run 'npm run build'): ${err.message}\n`);
  process.exit(1);
}
helper.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`xvirt-ssh-helper: ${(err && err.stack) || String(err)}\n`);
    process.exit(1);
  },
);
