'use strict';
/**
 * The TypeScript test harnesses (test/support/*.ts) for the benches: compiled
 * once into a temp dir and loaded, plus the `t.teardown` stand-in they expect.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');

/**
 * Compiles test/support/<name>.ts for each of `names` (and what they import)
 * into `dir`, and returns { <name>: module }. tsc emits even when a file it
 * pulls in from lib/ has a type error; that only fails the bench if an output is missing.
 */
function compileHarness(dir, names) {
  const files = names.map((f) => path.join(REPO, 'test', 'support', `${f}.ts`));
  try {
    execFileSync(path.join(REPO, 'node_modules', '.bin', 'tsc'), ['--outDir', dir, '--rootDir', REPO, '--module', 'commonjs',
      '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node', ...files], { stdio: 'inherit' });
  } catch (err) {
    const missing = names.filter((f) => !fs.existsSync(path.join(dir, 'test', 'support', `${f}.js`)));
    if (missing.length) throw new Error(`compiling the test harness failed (${missing.join(', ')} not emitted): ${err.message}`);
  }
  // test/support/xvirtd.ts finds bin/xvirtd.js two levels above itself: point that at the repo's bin/.
  if (!fs.existsSync(path.join(dir, 'bin'))) fs.symlinkSync(path.join(REPO, 'bin'), path.join(dir, 'bin'));
  return Object.fromEntries(names.map((f) => [f, require(path.join(dir, 'test', 'support', `${f}.js`))]));
}

/** A `t` for the harnesses: `t.teardown(fn)` collects; `cleanup()` runs them, last registered first. */
function teardowns() {
  const fns = [];
  return {
    t: { teardown: (fn) => { fns.unshift(fn); } },
    async cleanup() {
      for (const fn of fns.splice(0)) await Promise.resolve().then(fn).catch(() => undefined);
    },
  };
}

module.exports = { compileHarness, teardowns };
