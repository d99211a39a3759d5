'use strict';
// temporary probe (not committed): where does the driver path's time go in PV dom0 under TCG?
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const { connect } = require(path.join(root, 'dist/index.js'));
const { XenHypervisor, DomainRecords, Slot } = require(path.join(root, 'dist/native.js'));
const N = Number(process.env.N || 30000);
async function timed(label, fn) { const t0 = process.hrtime.bigint(); await fn(); const s = Number(process.hrtime.bigint() - t0) / 1e9; console.log(`${label.padEnd(40)} ${(s / N * 1e6).toFixed(2)} us/call`); }
(async () => {
  const conn = await connect('xen:///system');
  const g = (await conn.listAllDomains(1)).filter((d) => d.id !== 0)[0];
  const hv = await XenHypervisor.open();
  const rec = new DomainRecords(1);
  const id = g.id;
  for (let r = 0; r < 2; r++) {
    await timed('addon sync', () => { for (let i = 0; i < N; i++) hv.getInfo(id, null, rec); });
    await timed('addon sync + object', () => { let x; for (let i = 0; i < N; i++) { hv.getInfo(id, null, rec); x = { a: rec.get(0, 1), b: rec.get(0, 4) }; } return x; });
    await timed('addon sync + object + bigint', () => { let x; for (let i = 0; i < N; i++) { hv.getInfo(id, null, rec); x = { a: rec.get(0, 1), b: rec.cpuTimeNs(0) }; } return x; });
    await timed('await Promise.resolve only (no hypercall)', async () => { for (let i = 0; i < N; i++) await Promise.resolve(i); });
    await timed('addon sync + await Promise.resolve', async () => { for (let i = 0; i < N; i++) { hv.getInfo(id, null, rec); await Promise.resolve(i); } });
    await timed('driver domain.getInfo awaited', async () => { for (let i = 0; i < N; i++) await g.getInfo(); });
  }
  hv.close(); await conn.close();
})();
