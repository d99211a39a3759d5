'use strict';
/**
 * What the benches share: the TypeScript test harnesses (test/support/*.ts),
 * compiled once into a temp dir and loaded, the `t.teardown` stand-in they
 * expect, libvirt's C client (bench/getinfo-libvirt.c), and alternating slices.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');

/**
 * Compiles test/support/<name>.ts for each of `names` (and the test/support
 * files they import) into `dir`, and returns { <name>: module }. Each file is
 * only transpiled (no type checking: `npx tsc -p tsconfig.json --noEmit` does
 * that), and their imports of ../../lib/ resolve to the compiled library in
 * dist/, which the benches measure anyway: this takes a fraction of a second
 * where compiling lib/ again took seconds.
 */
function compileHarness(dir, names) {
  const ts = require(path.join(REPO, 'node_modules', 'typescript'));
  const support = path.join(dir, 'test', 'support');
  fs.mkdirSync(support, { recursive: true });
  const pending = [...names];
  const done = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (done.has(name)) continue;
    done.add(name);
    const source = fs.readFileSync(path.join(REPO, 'test', 'support', `${name}.ts`), 'utf8');
    for (const m of source.matchAll(/from '\.\/([\w-]+)'/g)) pending.push(m[1]);
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: `${name}.ts`,
    });
    fs.writeFileSync(path.join(support, `${name}.js`), outputText);
  }
  // ../../lib/X from test/support is dist/X; test/support/xvirtd.ts finds bin/xvirtd.js two levels up.
  for (const [link, target] of [
    ['lib', 'dist'],
    ['bin', 'bin'],
  ]) {
    if (!fs.existsSync(path.join(dir, link))) fs.symlinkSync(path.join(REPO, target), path.join(dir, link));
  }
  return Object.fromEntries(names.map((f) => [f, require(path.join(support, `${f}.js`))]));
}

/** A `t` for the harnesses: `t.teardown(fn)` collects; `cleanup()` runs them, last registered first. */
function teardowns() {
  const fns = [];
  return {
    t: {
      teardown: (fn) => {
        fns.unshift(fn);
      },
    },
    cleanup: async () => {
      for (const fn of fns.splice(0))
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
    },
  };
}

/**
 * Compiles bench/<name>.c (default getinfo-libvirt.c: libvirt's side of every
 * getInfo bench, one program with modes) into `dir`; returns the binary's path. Throws with
 * the reason when libvirt-dev or cc is missing.
 */
function buildLibvirtClient(dir, name = 'getinfo-libvirt') {
  let flags;
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libvirt'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split(/\s+/);
  } catch {
    throw new Error('libvirt-dev is missing (pkg-config libvirt failed): run scripts/install-test-deps as root');
  }
  const bin = path.join(dir, name);
  execFileSync(
    'cc',
    ['-O2', '-Wall', '-Wextra', '-Werror', '-pthread', '-o', bin, path.join(__dirname, `${name}.c`), ...flags],
    { stdio: 'inherit' },
  );
  return bin;
}

/**
 * Runs the libvirt client: `mode` is 'interleaved' (`calls` in all, over
 * `threads` threads) or 'rounds' (`calls` rounds of one call per guest, by 1
 * thread or 3). Resolves with { calls, seconds } (calls: the getInfo calls made).
 */
function runLibvirtClient(bin, uri, calls, mode, threads) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [uri, String(calls), mode, String(threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('close', (code) => {
      let result;
      try {
        result = JSON.parse(out);
      } catch {
        /* reported below */
      }
      if (code !== 0 || !result)
        reject(new Error(`libvirt client (${uri}, ${mode} ${threads}) failed (${code}): ${err.trim()}`));
      else resolve({ calls: result.total, seconds: result.elapsedNs / 1e9 });
    });
  });
}

/**
 * Runs each measurement in `slices` alternating slices (A, B, A, B...) of
 * `count` in all and sums them: on a shared machine, load that comes and goes
 * then hits every side alike instead of whichever ran during the busy minute.
 * Each run takes a slice's count and resolves with { calls, seconds }.
 */
async function paired(slices, count, ...runs) {
  const totals = runs.map(() => ({ calls: 0, seconds: 0 }));
  const slice = Math.ceil(count / slices);
  for (let done = 0; done < count; done += slice) {
    const n = Math.min(slice, count - done);
    for (let i = 0; i < runs.length; i++) {
      const r = await runs[i](n);
      totals[i].calls += r.calls;
      totals[i].seconds += r.seconds;
    }
  }
  return totals;
}

module.exports = { buildLibvirtClient, compileHarness, paired, runLibvirtClient, teardowns };
