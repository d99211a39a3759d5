// xvirtd's log outputs: libvirt's log_outputs syntax (the stderr and file
// subset), per-output levels beside log_level, files appended in order.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger, LogLevel, openLogOutputs, parseLogOutputs } from '../../../lib/daemon/log';
import { parseConfig } from '../../../lib/daemon/config';

t.test('parseLogOutputs takes stderr and file entries', async (t) => {
  t.same(parseLogOutputs(' 1:file:/var/log/xvirt/xvirtd.log   3:stderr '), [
    { level: LogLevel.DEBUG, target: { file: '/var/log/xvirt/xvirtd.log' } },
    { level: LogLevel.WARNING, target: 'stderr' },
  ]);
  t.throws(() => parseLogOutputs(''), /at least one output/);
  t.throws(() => parseLogOutputs('3:syslog:xvirtd'), /'3:syslog:xvirtd': expected LEVEL:stderr .*not supported/);
  t.throws(() => parseLogOutputs('5:stderr'), /LEVEL 1-4/);
  t.throws(() => parseLogOutputs('1:file:relative.log'), /absolute path/);
});

t.test('log_outputs in the config file: errors name file, line and key', async (t) => {
  t.throws(() => parseConfig('log_outputs = "2:journald"', 'x.conf'), /^x\.conf:1: log_outputs: '2:journald'/);
  t.throws(() => parseConfig('log_outputs = 3', 'x.conf'), /x\.conf:1: log_outputs: expected a "quoted string"/);
});

t.test('each output writes what passes log_level and its own level, in order', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const all = path.join(dir, 'sub', 'all.log');
  const errors = path.join(dir, 'errors.log');
  fs.writeFileSync(errors, 'earlier line\n');
  const log = new Logger(LogLevel.INFO, openLogOutputs(parseLogOutputs(`1:file:${all} 4:file:${errors}`)));
  log.debug('client 1: below log_level');
  log.info('client 1: opened');
  log.warn('client 2: slow reader');
  log.error('client 2: dropped');
  log.close();
  const lines = fs.readFileSync(all, 'utf8').trim().split('\n');
  t.equal(lines.length, 3);
  t.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z xvirtd\[\d+\] info: client 1: opened$/);
  t.match(lines[2], /error: client 2: dropped$/);
  t.equal(fs.statSync(all).mode & 0o777, 0o600, 'log files are private');
  const kept = fs.readFileSync(errors, 'utf8').split('\n');
  t.equal(kept[0], 'earlier line', 'files are appended to');
  t.match(kept[1], /error: client 2: dropped$/);
  t.equal(kept.length, 3);
});

t.test('an output that cannot be opened throws (the daemon then refuses to start)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-log-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'plain'), '');
  t.throws(() => openLogOutputs(parseLogOutputs(`3:stderr 1:file:${dir}/plain/xvirtd.log`)), {
    code: /^(ENOTDIR|EEXIST)$/,
  });
});
