// The package as a user gets it: `npm pack` (which builds the prebuilds), then
// `npm install` of the tarball into an empty project whose PATH has node and
// npm but no python3, make or C/C++ compiler. There the README's example runs
// as ESM and CommonJS, `npx xvirt list --all` works, the types compile under
// --strict --exactOptionalPropertyTypes with and without @types/node in the
// project's own types, and the prebuilt addon loads. A second project gets
// the tarball without prebuilds: installing still succeeds and xen:/// says
// how to build the addon. Dependencies come from npm's cache (--prefer-offline).
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(__dirname, '../../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-package-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

/** A PATH holding node and npm only (besides sh builtins): what a machine without build tools offers. */
function toolessPath(): string {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const npmCli = path.join(path.dirname(fs.realpathSync(process.execPath)), '..', 'lib/node_modules/npm/bin');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs scripts with sh
  fs.symlinkSync(path.join(npmCli, 'npm-cli.js'), path.join(bin, 'npm'));
  fs.symlinkSync(path.join(npmCli, 'npx-cli.js'), path.join(bin, 'npx'));
  return bin;
}
const PATH = toolessPath();
const env = {
  ...process.env,
  PATH,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

function project(name: string, tarball: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  run(path.join(PATH, 'npm'), ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
  return dir;
}

t.test('tools hidden', async (t) => {
  for (const tool of ['python3', 'make', 'cc', 'c++', 'gcc', 'g++']) {
    t.throws(
      () => execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' }),
      `${tool} is not on PATH`,
    );
  }
});

// npm pack's prepack step is scripts/prebuild; here it runs host-only (the arm64 cross build would double the time)
// on the dist/ that `npm test` just built, then npm pack skips the scripts it has already stood in for.
t.equal(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.prepack, 'scripts/prebuild');
// node-gyp reads the headers' location from npm's config (as it does under npm pack).
const nodedir = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).trim();
// The checkout's own addon: tests running beside this one (and their daemons) have it loaded.
const checkoutAddon = path.join(root, 'build', 'Release', 'xvirt_xen.node');
const addonBefore = fs.statSync(checkoutAddon);
execFileSync(path.join(root, 'scripts/prebuild'), [], {
  cwd: root,
  env: {
    ...process.env,
    XVIRT_PREBUILD_ARM64: '0',
    ...(nodedir && nodedir !== 'undefined' ? { npm_config_nodedir: nodedir } : {}),
  },
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 300_000,
});
t.teardown(() => fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true }));
const addonAfter = fs.statSync(checkoutAddon, { throwIfNoEntry: false });

t.test("the prebuild leaves the checkout's build alone", async (t) => {
  // Rebuilding there would remove the addon for a compile's length and strip rewrites a fresh one in place,
  // crashing a process that loaded it (CI saw a test's xvirtd die so).
  t.ok(addonAfter, 'build/Release/xvirt_xen.node is still there');
  t.equal(addonAfter?.ino, addonBefore.ino, 'the same file');
  t.equal(addonAfter?.mtimeMs, addonBefore.mtimeMs, 'unmodified');
});
const packOut = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  timeout: 120_000,
});
const packed = JSON.parse(packOut) as Array<{ filename: string; files: Array<{ path: string }> }>;
const tarball = path.join(work, packed[0]!.filename);
const files = packed[0]!.files.map((f) => f.path);

t.test('tarball contents', async (t) => {
  t.ok(files.includes('prebuilds/linux-x64/xvirt.glibc.node'), 'linux-x64 prebuild');
  for (const f of [
    'LICENSE',
    'README.md',
    'CHANGELOG.md',
    'binding.gyp',
    'dist/index.js',
    'dist/index.mjs',
    'dist/index.d.ts',
    'dist/index.d.mts',
    'dist/cli-bundle.js',
    'dist/cli-bundle-code.js',
    'dist/cli-bundle.cache',
    'bin/xvirt.js',
    'native/addon.cc',
    'docs/xvirtd.md',
    'scripts/install-proxy',
  ]) {
    t.ok(files.includes(f), `has ${f}`);
  }
  const unwanted = files.filter(
    (f) =>
      /^(build|lib|test|bench|fixtures|native\/(test|bench)|native\/proxy\/(test|build))\//.test(f) ||
      f.endsWith('.map') ||
      f.endsWith('.o') ||
      /bench_socket_loop/.test(f),
  );
  t.same(unwanted, [], 'no sources of tests, fuzzers or benches, no build outputs');
  // Every document the README points users at ships (its scripts/ mentions are for developing in a clone).
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const linked = [...readme.matchAll(/`(docs\/[\w./-]+)`|\]\((docs\/[\w./-]+)\)/g)].map((m) => (m[1] ?? m[2])!);
  t.ok(linked.length > 0, 'the README points at docs');
  t.same(
    linked.filter((l) => !files.includes(l)),
    [],
    'README docs ship',
  );
});

const user = project('user', tarball);
const xvirt = path.join(user, 'node_modules/xvirt');

t.test('README example, ESM and CommonJS', async (t) => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = /## Using it\s+```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  fs.writeFileSync(path.join(user, 'example.mjs'), example);
  const cjs = example.replace(/^import \{([^}]+)\} from 'xvirt';$/m, "const {$1} = require('xvirt');");
  t.not(cjs, example, 'the example imports from xvirt');
  fs.writeFileSync(
    path.join(user, 'example.cjs'),
    `(async () => {\n${cjs}\n})().catch((e) => { console.error(e); process.exit(1); });\n`,
  );
  for (const file of ['example.mjs', 'example.cjs']) {
    const out = run(path.join(PATH, 'node'), [file], user);
    t.match(out, /^test running$/m, `${file} lists the test domain`);
    t.match(out, /^test \d+ \d+$/m, `${file} sees its suspend event`);
  }
  const shared = run(
    path.join(PATH, 'node'),
    [
      '--input-type=module',
      '-e',
      "import * as esm from 'xvirt'; import { createRequire } from 'node:module';" +
        "const cjs = createRequire(process.cwd() + '/')('xvirt');" +
        'console.log(JSON.stringify([esm.XvirtError === cjs.XvirtError, Object.keys(cjs).filter((k) => !(k in esm))]));',
    ],
    user,
  );
  t.same(JSON.parse(shared), [true, []], 'ESM re-exports every CommonJS name from the one instance');
  t.throws(
    () => run(path.join(PATH, 'node'), ['-e', "require('xvirt/dist/connection.js')"], user),
    'internal modules are not importable',
  );
});

t.test('npx xvirt list --all, started from the CLI bundle', async (t) => {
  t.match(run(path.join(PATH, 'npx'), ['--offline', 'xvirt', 'list', '--all'], user), /^\s*1\s+test\s+running\s*$/m);
  const probe = path.join(work, 'modules-read');
  execFileSync(path.join(PATH, 'node'), [path.join(xvirt, 'bin/xvirt.js'), 'list', '--all'], {
    cwd: user,
    env: {
      ...env,
      NODE_OPTIONS: `--require ${path.join(root, 'test/support/disk-module-probe.js')}`,
      XVIRT_DISK_MODULE_PROBE: probe,
    },
    stdio: 'ignore',
  });
  const read = fs
    .readFileSync(probe, 'utf8')
    .split('\n')
    .filter((f) => f.startsWith(xvirt + path.sep));
  t.same(
    read.map((f) => path.relative(xvirt, f)),
    ['bin/xvirt.js', 'dist/cli-bundle.js'],
    'the installed CLI reads its start-up modules from the bundle',
  );
});

t.test('prebuilt addon loads: xen:///system reaches the privcmd check', async (t) => {
  t.notOk(fs.existsSync(path.join(xvirt, 'build')), 'nothing was compiled');
  const out = run(
    path.join(PATH, 'node'),
    [
      '-e',
      "require('xvirt').connect('xen:///system').then(() => console.log('opened'), (e) => console.log(e.code, e.message))",
    ],
    user,
  );
  t.notMatch(out, /addon is missing/);
  t.match(out, /opened|privcmd/);
  // The CLI, started from its bundle, finds the same prebuild.
  let cli: string;
  try {
    cli = run(path.join(PATH, 'npx'), ['--offline', 'xvirt', '-c', 'xen:///system', 'list'], user);
  } catch (err) {
    cli = String((err as { stderr?: unknown }).stderr);
  }
  t.notMatch(cli, /addon is missing/);
  t.match(cli, /Id\s+Name\s+State|privcmd/);
});

t.test('types: --strict --exactOptionalPropertyTypes, with and without @types/node', async (t) => {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  fs.writeFileSync(
    path.join(user, 'use.mts'),
    [
      "import { connect, XvirtError, ErrorNumber, type Connection } from 'xvirt';",
      "const conn: Connection = await connect('test:///default', { signal: undefined, readonly: undefined });",
      'const events = await conn.lifecycleEvents({ signal: undefined });',
      'events.close();',
      "try { await conn.lookupDomainByName('nope'); } catch (e) { if (e instanceof XvirtError) console.log(e.number === ErrorNumber.NO_DOMAIN); }",
      'await conn.close();',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(user, 'use.cts'),
    "import xvirt = require('xvirt');\nexport const opened: Promise<xvirt.Connection> = xvirt.connect(undefined, { signal: undefined });\n",
  );
  for (const types of [[], ['node']]) {
    fs.writeFileSync(
      path.join(user, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          module: 'nodenext',
          target: 'es2022',
          types,
        },
        files: ['use.mts', 'use.cts'],
      }),
    );
    t.doesNotThrow(() => run(path.join(PATH, 'node'), [tsc, '-p', '.'], user), `types: ${JSON.stringify(types)}`);
  }
  t.notMatch(
    fs.readFileSync(path.join(xvirt, 'dist/connection.d.ts'), 'utf8'),
    /@internal|driver\(\)|writable\(/,
    'no internal members in the declarations',
  );
});

t.test('no prebuild and no compiler: install succeeds, xen:/// explains', async (t) => {
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
  fs.rmSync(path.join(unpacked, 'package/prebuilds'), { recursive: true });
  const bare = path.join(work, 'xvirt-bare.tgz');
  execFileSync('tar', ['czf', bare, '-C', unpacked, 'package']);
  const dir = project('bare', bare);
  const out = run(
    path.join(PATH, 'node'),
    ['-e', "require('xvirt').connect('xen:///system').catch((e) => console.log(e.name, e.code, e.message))"],
    dir,
  );
  t.match(out, /^XvirtError NO_SUPPORT [^\n]*the native Xen addon is missing: [\s\S]*npx node-gyp rebuild/);
  t.match(run(path.join(PATH, 'npx'), ['--offline', 'xvirt', 'list', '--all'], dir), /test\s+running/);
});
