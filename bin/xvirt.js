#!/usr/bin/env node
'use strict';
// The `xvirt` command: everything lives in the compiled library. dist/cli-bundle.js (scripts/build-cli-bundle.js)
// holds the start-up modules in one file, which starts faster than loading them from dist/ one by one; without it
// (or with XVIRT_CLI_UNBUNDLED=1, which the tests use to compare the two) the same modules load from dist/.

/** The module `file`, or null if that file does not exist (a missing module it needs is still an error). */
function optional(file) {
  try {
    return require(file);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && err.message.startsWith(`Cannot find module '${file}'`)) return null;
    throw err;
  }
}
const cli =
  (process.env.XVIRT_CLI_UNBUNDLED !== '1' && optional('../dist/cli-bundle.js')) || optional('../dist/cli/main.js');
if (!cli) {
  process.stderr.write("error: xvirt is not built: run 'npm run build' in its package directory\n");
  process.exit(1);
}
cli.main().catch((err) => {
  process.stderr.write(`xvirt: ${(err && err.stack) || String(err)}\n`);
  process.exit(1);
});
