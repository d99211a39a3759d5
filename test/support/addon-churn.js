'use strict';
/**
 * Worker-thread churn for the addon (test/integration/native/addon-teardown.test.ts):
 *   node addon-churn.js ADDON.node ROUNDS WORKERS
 * Each round starts WORKERS threads that load the addon and keep calls going (hypervisor opens,
 * pause/unpause/destroy on the libuv pool, getInfo/list/vcpus on their own thread, proxy channel
 * exchanges against a helper that never answers), and terminates each at a random moment while
 * they are in flight. Then the main thread checks its own descriptors and connections are back
 * where they were, uses the addon itself, and prints one JSON line.
 * Without /dev/xen/privcmd (the regular build on a host) opens fail on the pool: the failure path
 * is then the one in flight.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const REQUEST_LEN = 32; // XP_REQUEST_LEN
const VCPU_RECORDS = 4;

/** Keeps every kind of call going until the thread is terminated. */
async function churn(addon, socketPath) {
  const rec = new Float64Array(addon.RECORD_STRIDE * 8);
  const uuids = new Uint8Array(16 * 8);
  const vcpus = new Float64Array(addon.VCPU_STRIDE * VCPU_RECORDS);
  const req = Buffer.alloc(REQUEST_LEN * 2);
  const out = Buffer.alloc(64);
  const channel = new addon.ProxyChannel();
  const calls = [];
  let announced = false;
  for (;;) {
    const opening = addon.openHypervisor().then(
      (hv) => {
        // Left in flight on purpose: the pool is busy with them when the thread ends. Only ever against the
        // fake hypervisor: on a real dom0 this stays read-only.
        if (hv.info().transport.startsWith('fake hypervisor')) {
          for (let d = 1; d <= 3; d++)
            calls.push(
              hv.pause(d).catch(() => null),
              hv.destroy(d).catch(() => null),
            );
        }
        hv.getInfo(1, null, rec);
        hv.list(rec, uuids);
        hv.vcpus(0, null, vcpus);
        if (Math.random() < 0.3) hv.close();
      },
      () => null,
    );
    calls.push(opening);
    if (channel.connect(socketPath, 5) === 0) {
      try {
        channel.exchange(req, req.length, out); // the helper never answers: a timeout, thrown
      } catch {
        // expected: PC_ETIMEOUT
      }
    }
    if (!announced) {
      announced = true;
      parentPort.postMessage('busy');
    }
    if (calls.length > 200) calls.splice(0, 100);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function openFds() {
  return fs.readdirSync('/proc/self/fd').length;
}

function settle(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One worker: started, terminated 0-20 ms after it reports its calls are going. */
function oneWorker(addonPath, socketPath) {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { addonPath, socketPath } });
    let terminated = false;
    w.on('message', () => {
      setTimeout(() => {
        terminated = true;
        w.terminate().catch(reject);
      }, Math.random() * 20);
    });
    w.on('error', reject);
    w.on('exit', (code) => (terminated ? resolve() : reject(new Error(`worker exited on its own (${code})`))));
  });
}

async function main() {
  const [addonPath, roundsArg, workersArg] = process.argv.slice(2);
  const rounds = Number(roundsArg);
  const perRound = Number(workersArg);
  const addon = require(addonPath);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xvirt-churn-'));
  const socketPath = path.join(dir, 'helper.sock');
  const open = new Set();
  const helper = net.createServer((c) => {
    open.add(c);
    c.on('data', () => undefined); // reads requests, never answers
    c.on('error', () => undefined);
    c.on('close', () => open.delete(c));
  });
  await new Promise((resolve) => helper.listen(socketPath, resolve));
  await settle(50);
  const before = openFds();

  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: perRound }, () => oneWorker(addonPath, socketPath)));
  }
  // The helper side of each channel closes once the worker's end of it is closed.
  for (let i = 0; i < 100 && open.size > 0; i++) await settle(50);
  await settle(100);
  const after = openFds();
  const helperConnectionsLeft = open.size;

  // The main thread's addon still works.
  const channel = new addon.ProxyChannel();
  const connected = channel.connect(socketPath, 5);
  channel.close();
  let hypervisor = 'no /dev/xen/privcmd';
  try {
    const hv = await addon.openHypervisor();
    const rec = new Float64Array(addon.RECORD_STRIDE);
    if (hv.info().transport.startsWith('fake hypervisor')) await hv.pause(1);
    hypervisor = `${hv.info().transport}: getInfo(1) = ${hv.getInfo(1, null, rec)}, domid ${rec[0]}`;
    hv.close();
  } catch (err) {
    if (err.code !== 'XC_ENOPRIVCMD') throw err;
  }
  helper.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const summary = { workers: rounds * perRound, fdsBefore: before, fdsAfter: after, helperConnectionsLeft };
  console.log(JSON.stringify({ ...summary, mainConnect: connected, hypervisor }));
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  void churn(require(workerData.addonPath), workerData.socketPath); // ends only by terminate()
}
