// xvirtd's node flags live on bin/xvirtd.js's #! line; the systemd unit (packaging/xvirtd.service) must run the
// daemon with the same ones, or an installed daemon would not behave as the one the benches measured.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../../lib/native';

const flagsOf = (line: string): string[] => line.split(/\s+/).filter((word) => word.startsWith('--'));

t.test('the systemd unit runs node with the flags of bin/xvirtd.js', async (t) => {
  const shebang = fs.readFileSync(path.join(packageRoot(), 'bin/xvirtd.js'), 'utf8').split('\n', 1)[0]!;
  t.match(shebang, /^#!\/usr\/bin\/env -S node /, 'env -S passes the flags to node');
  const unit = fs.readFileSync(path.join(packageRoot(), 'packaging/xvirtd.service'), 'utf8');
  const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='));
  t.ok(execStart, 'the unit has an ExecStart line');
  const beforeScript = execStart!.split('@XVIRTD@')[0]!;
  t.same(flagsOf(beforeScript), flagsOf(shebang));
  t.ok(flagsOf(shebang).includes('--max-semi-space-size=1'), 'the young generation is capped');
});
