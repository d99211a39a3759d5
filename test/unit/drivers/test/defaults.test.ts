// test:///default's domain is built as data (no XML parsing at start-up): it
// must be exactly what its formatted XML parses back to, so dumpxml and every
// other view of it stay what the parser-built definition gave.
import t from 'tap';
import { defaultDomain } from '../../../../lib/drivers/test/defaults';
import { formatDomainXml, parseDomainXml } from '../../../../lib/xml';

t.test('the default domain round-trips through its XML', async (t) => {
  const dom = defaultDomain();
  t.same(parseDomainXml(formatDomainXml(dom, { inactive: true })), dom);
  t.same(parseDomainXml(formatDomainXml(dom, { id: 1 })), dom);
});

t.test('each call gives a fresh definition', async (t) => {
  const a = defaultDomain();
  a.os.boot.push('cdrom');
  t.same(defaultDomain().os.boot, ['hd']);
});
