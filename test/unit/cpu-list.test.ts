// CPU lists as libvirt writes and reads them (virBitmapFormat / virBitmapParse).
import t from 'tap';
import { cpuListText, parseCpuList } from '../../lib/cpu-list';

t.test('parse and format round trip, negation, refusals', async (t) => {
  const map = parseCpuList('0-3,^2,5, 7 - 8', 1024)!;
  t.same(map, [true, true, false, true, false, true, false, true, true]);
  t.equal(cpuListText(map), '0-1,3,5,7-8');
  t.equal(cpuListText(map, 4), '0-1,3', 'cut at a width');
  t.same(parseCpuList('^1', 1024), [false, false], 'only cleared: no CPU set');
  for (const bad of ['', 'x', '0,,1', '3-1', '1024', '^1-2', '-1', '1-'])
    t.equal(parseCpuList(bad, 1024), null, `'${bad}' refused`);
});
