// packaging/xvirtd.conf lists every key the parser knows (so it cannot drift
// from lib/daemon/config.ts), each commented out, and uncommented it parses.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_KEYS, parseConfig } from '../../../lib/daemon/config';
import { packageRoot } from '../../../lib/native';

const file = path.join(packageRoot(), 'packaging/xvirtd.conf');
const text = fs.readFileSync(file, 'utf8');
const keyLine = /^#([a-z_]+) = /;

t.test('every parser key is in the sample, commented out, once', async (t) => {
  const keys = text
    .split('\n')
    .map((l) => keyLine.exec(l)?.[1])
    .filter((k): k is string => k !== undefined);
  t.same([...keys].sort(), [...CONFIG_KEYS].sort());
  t.same(
    text.split('\n').filter((l) => /^\s*[a-z_]+\s*=/.test(l)),
    [],
    'no key is set',
  );
});

t.test('uncommented, the sample parses', async (t) => {
  const uncommented = text
    .split('\n')
    .map((l) => (keyLine.test(l) ? l.slice(1) : l))
    .join('\n');
  const cfg = parseConfig(uncommented, 'xvirtd.conf (uncommented)');
  t.same(cfg.logOutputs, [
    { level: 1, target: { file: '/var/log/xvirt/xvirtd.log' } },
    { level: 3, target: 'stderr' },
  ]);
});
