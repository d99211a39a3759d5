#!/usr/bin/env node
'use strict';
// The `xvirt` command: everything lives in the compiled library (npm run build).
require('../dist/cli/main.js').main();
