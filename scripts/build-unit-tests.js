#!/usr/bin/env node
// Transpiles lib/, test/unit/ and test/support/ to build/unit/ (same layout)
// for `npm run test:unit`, which runs the unit tests as plain JavaScript: tap
// no longer loads a TypeScript compiler into each of their processes (that
// was most of the suite's time). Transpile only, one file at a time, like
// tap's own TypeScript loader; type errors are `npm run typecheck`'s job.
// A file is redone only when its source is newer than its output; outputs
// whose source is gone are removed, so a deleted test can never run.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outRoot = path.join(root, 'build', 'unit');
const SOURCE_DIRS = ['lib', 'test/unit', 'test/support'];
const TSCONFIG = path.join(root, 'tsconfig.json');

/** TypeScript and the compiler options, loaded only when some file is out of date (~0.5 s). */
let compiler = null;
function loadCompiler() {
  const ts = require('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(
    TSCONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const options = {
    ...config.options,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    declaration: false,
  };
  const diagnosticHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  return { ts, options, diagnosticHost };
}

/** Files under `dir` whose names end in `ext` (not .d.ts). */
function walk(dir, ext, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, ext, found);
    else if (entry.name.endsWith(ext) && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

const mtime = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};
/** Outputs older than the compiler settings or this script are redone too. */
const settingsTime = Math.max(mtime(TSCONFIG), mtime(__filename));

let built = 0;
const expected = new Set();
for (const dir of SOURCE_DIRS) {
  for (const source of walk(path.join(root, dir), '.ts')) {
    const rel = path.relative(root, source);
    const output = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
    expected.add(output);
    if (mtime(output) >= Math.max(mtime(source), settingsTime)) continue;
    compiler ??= loadCompiler();
    const { ts, options: compilerOptions, diagnosticHost } = compiler;
    const text = fs.readFileSync(source, 'utf8');
    // Source maps point at the .ts file itself, so stack traces and tap name the real source line.
    // (Map sources are relative to tsconfig's rootDir, the repository root.)
    const sourceRoot = `${path.relative(path.dirname(output), root)}/`;
    const options = { compilerOptions: { ...compilerOptions, sourceRoot }, fileName: source, reportDiagnostics: true };
    const result = ts.transpileModule(text, options);
    if (result.diagnostics.length > 0) {
      process.stderr.write(ts.formatDiagnostics(result.diagnostics, diagnosticHost));
      process.exit(1);
    }
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, result.outputText);
    built++;
  }
}
let removed = 0;
for (const dir of SOURCE_DIRS) {
  for (const output of walk(path.join(outRoot, dir), '.js')) {
    if (!expected.has(output)) {
      fs.rmSync(output);
      removed++;
    }
  }
}

const upToDate = expected.size - built;
process.stderr.write(`build/unit: ${built} file(s) transpiled, ${upToDate} up to date, ${removed} stale removed\n`);
