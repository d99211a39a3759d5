// Networks, storage, node devices and interfaces over the wire: the same
// script (test/support/netstore-script.ts) through xvirt's remote client to a
// real libvirtd 9.0 (its test driver) and to xvirtd, and in process; every
// value, error number and message, and every event must be libvirtd's.
import t, { type Test } from 'tap';
import { connect } from '../../../../lib/connection';
import { startLibvirtd } from '../../../support/libvirtd';
import { runNetStoreScript, type Transcript } from '../../../support/netstore-script';
import { startXvirtd } from '../../../support/xvirtd';

function compare(t: Test, ours: Transcript, theirs: Transcript, label: string): void {
  t.equal(ours.length, theirs.length, `${label}: as many steps`);
  for (const [i, [step, value]] of theirs.entries()) t.same(ours[i]?.[1], value, `${label}: ${step}`);
}

t.test('xvirtd and the in-process test driver answer as libvirtd', async (t) => {
  const lvd = await startLibvirtd(t);
  const xd = await startXvirtd(t);
  const run = async (uri: string, roUri: string): Promise<Transcript> => {
    const conn = await connect(uri);
    const ro = await connect(roUri, { readonly: true });
    try {
      return await runNetStoreScript(conn, ro);
    } finally {
      await conn.close();
      await ro.close();
    }
  };
  const theirs = await run(lvd.unixUri(), lvd.unixUri({ readonly: true }));
  t.ok(
    theirs.some(([step]) => step === 'pool events'),
    'libvirtd transcript complete',
  );
  compare(t, await run(xd.uri('unix'), xd.uri('unix-ro')), theirs, 'xvirtd');
  compare(t, await run('test:///default', 'test:///default'), theirs, 'in process');
});
