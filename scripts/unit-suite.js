#!/usr/bin/env node
// `npm run test:unit` hands this file to tap as its one test file: it runs
// every unit test transpiled by scripts/build-unit-tests.js (build/unit/) as
// a plain `node` child, two at a time, each child one subtest named after its
// source file. tap's runner would start every test file with its own module
// hooks (--import of its mock and processinfo loaders, each registering a
// loader thread): about 0.8 s of CPU per file, more than most unit tests take.
// The assertions and their count are the same as `tap test/unit`'s.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const t = require('tap');

const ROOT = path.join(__dirname, '..');
const COMPILED = path.join(ROOT, 'build', 'unit', 'test', 'unit');
/** tap's per-file limit (.taprc `timeout`), per unit test file here. */
const FILE_TIMEOUT_MS = 300_000;

function testFiles(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) testFiles(full, found);
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run node scripts/build-unit-tests.js first`);
// The children are plain node: without tap's processinfo loader, kept only if the user set NODE_OPTIONS themselves.
const nodeOptions = (process.env.NODE_OPTIONS ?? '')
  .split(/\s+/)
  .filter((o) => o && !o.includes('@tapjs/'))
  .join(' ');
const env = { ...process.env, NODE_OPTIONS: nodeOptions };
t.jobs = 2;
for (const file of testFiles(COMPILED).sort()) {
  const name = path.join('test', 'unit', path.relative(COMPILED, file)).replace(/\.js$/, '.ts');
  void t.spawn(
    process.execPath,
    ['--enable-source-maps', file],
    { env, buffered: true, timeout: FILE_TIMEOUT_MS },
    name,
  );
}
