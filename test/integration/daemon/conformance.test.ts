/**
 * The RPC engineer's API conformance suite (test/support/api-conformance.ts),
 * run through xvirt's remote client against xvirtd over unix and TCP: the
 * same answers as libvirt 9.0's test driver, call for call.
 */
import t from 'tap';
import { connect } from '../../../lib/connection';
import { apiConformance } from '../../support/api-conformance';
import { startXvirtd } from '../../support/xvirtd';

t.test("xvirtd through xvirt's remote client", async (t) => {
  const d = await startXvirtd(t, { tcp: true });
  await apiConformance(t, { label: 'xvirtd-unix', open: (o) => connect(d.uri('unix'), o) });
  await apiConformance(t, { label: 'xvirtd-tcp', open: (o) => connect(d.uri('tcp'), o) });
});
