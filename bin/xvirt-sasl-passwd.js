#!/usr/bin/env node
'use strict';
// xvirt-sasl-passwd: manages xvirtd's SASL (SCRAM-SHA-256) user database; see lib/auth/sasl-passwd.ts.
const path = require('node:path');
const { main } = require(path.join(__dirname, '..', 'dist', 'auth', 'sasl-passwd.js'));
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`xvirt-sasl-passwd: ${(err && err.stack) || String(err)}\n`);
    process.exit(1);
  },
);
