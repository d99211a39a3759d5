'use strict';
/**
 * bench/crowd.js's client: libvirt RPC in raw frames over a plain socket, so
 * one bench process can hold thousands of clients against either daemon
 * (libvirtd and xvirtd alike) with nothing per client but a socket, a
 * decoder and its pending calls. Uses the compiled codecs in dist/.
 */
const net = require('node:net');
const path = require('node:path');

const DIST = path.resolve(__dirname, '..', 'dist');
const { encodeCall, FrameDecoder } = require(path.join(DIST, 'rpc', 'framing.js'));
const { PROCEDURES, RemoteProcedure: P } = require(path.join(DIST, 'rpc', 'procedures.js'));
const { remoteError } = require(path.join(DIST, 'rpc', 'protocol.js'));
const { decode } = require(path.join(DIST, 'rpc', 'xdr.js'));

const REPLY = 1;
const MESSAGE = 2;

class RpcError extends Error {}

/** Connects a plain socket to `target` (a unix socket path, or { port } on 127.0.0.1); rejects after `timeoutMs`. */
function connectSocket(target, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const s = typeof target === 'string' ? net.connect(target) : net.connect(target.port, '127.0.0.1');
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

class RpcClient {
  constructor(socket) {
    this.socket = socket;
    this.serial = 1;
    this.pending = new Map();
    this.events = 0;
    this.closed = false;
    this.onEvent = null;
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      let messages;
      try {
        messages = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of messages) this.#handle(m);
    });
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
    });
  }

  static async connect(target, timeoutMs) {
    return new RpcClient(await connectSocket(target, timeoutMs));
  }

  #handle(m) {
    const h = m.header;
    if (h.type === MESSAGE) {
      this.events++;
      if (this.onEvent) this.onEvent(h.procedure);
      return;
    }
    if (h.type !== REPLY) return;
    const p = this.pending.get(h.serial);
    if (!p) return;
    this.pending.delete(h.serial);
    try {
      if (h.status === 0) p.resolve(decode(PROCEDURES[p.proc].ret, m.payload));
      else p.reject(new RpcError(decode(remoteError, m.payload).message ?? `procedure ${p.proc} failed`));
    } catch (err) {
      p.reject(err);
    }
  }

  /** One call; resolves with its decoded reply, rejects with RpcError (the daemon's message) or on close. */
  call(proc, args) {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const serial = this.serial++;
    this.socket.write(encodeCall(proc, serial, PROCEDURES[proc].args, args));
    return new Promise((resolve, reject) => this.pending.set(serial, { proc, resolve, reject }));
  }

  /** AUTH_LIST then CONNECT_OPEN, as a libvirt client starts. */
  async open(uri = 'test:///default') {
    await this.call(P.AUTH_LIST, undefined);
    await this.call(P.CONNECT_OPEN, { name: uri, flags: 0 });
    return this;
  }

  destroy() {
    this.socket.destroy();
  }
}

/** A minimal domain for the test driver (both daemons accept it). */
function domainXml(name) {
  return (
    `<domain type='test'><name>${name}</name><memory>8192</memory><vcpu>1</vcpu>` + '<os><type>hvm</type></os></domain>'
  );
}

/** Resolves with `promise`'s value, or rejects once `ms` pass. */
function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** p-th percentile (0..100) of `values` (sorted in place). */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
}

module.exports = { connectSocket, domainXml, P, percentile, RpcClient, RpcError, within };
