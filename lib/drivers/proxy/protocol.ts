/**
 * xvirt-proxy's wire protocol, client side (pure: no I/O). Must match
 * native/proxy/xp_protocol.h; docs/proxy.md describes the layout.
 * Little-endian, fixed 32-byte requests, replies = 16-byte header + payload.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { XenNodeMemory, XenVcpu } from '../../native';

export const PROTO_VERSION = 1;
export const REQUEST_LEN = 32;
export const REPLY_HEADER_LEN = 16;
export const RECORD_LEN = 72;
export const VCPU_LEN = 16;
export const NODE_LEN = 24;
/** Widest VCPU_AFFINITY map (XP_AFFINITY_MAP_LEN, the C core's XC_CPUMAP_MAX). */
export const AFFINITY_MAP_MAX = 448;
/** Largest reply payload the server sends (XP_REPLY_MAX). */
export const REPLY_MAX = 4 << 20;

export enum Command {
  HELLO = 1,
  CAPABILITIES = 2,
  NODE_INFO = 3,
  LIST = 4,
  LOOKUP_ID = 5,
  LOOKUP_UUID = 6,
  GET_INFO = 7,
  VCPUS = 8,
  CPU_IDLE = 9,
  NODE_MEMORY = 10,
  VCPU_AFFINITY = 11,
}

export const FLAG_CHECK_UUID = 1;

/** Reply status: 0, the C core's xc_status values, or the proxy's own. */
export enum Status {
  OK = 0,
  ENOPRIVCMD = 1,
  EACCESS = 2,
  EUNSUPPORTED = 3,
  ENODOMAIN = 4,
  EHYPERCALL = 5,
  ESYSTEM = 6,
  EINVAL = 7,
  ENOXENSTORE = 100,
  ETOOBIG = 101,
}

export interface Request {
  command: Command;
  serial: number;
  domid?: number;
  flags?: number;
  uuid?: Uint8Array;
}

/** Writes one request at `offset` of `buf` (which must have REQUEST_LEN bytes there); `serial` overrides req.serial. */
export function encodeRequest(
  buf: Buffer,
  offset: number,
  req: Omit<Request, 'serial'> & { serial?: number },
  serial = req.serial ?? 0,
): void {
  // Field by field, no fill() or views: this is the getInfo hot path.
  buf.writeUInt16LE(PROTO_VERSION, offset);
  buf.writeUInt16LE(req.command, offset + 2);
  buf.writeUInt32LE(serial >>> 0, offset + 4);
  buf.writeUInt32LE(req.domid ?? 0, offset + 8);
  buf.writeUInt32LE(req.flags ?? 0, offset + 12);
  const uuid = req.uuid;
  if (uuid && uuid.length === 16) {
    buf.set(uuid, offset + 16);
    return;
  }
  for (let i = 16; i < REQUEST_LEN; i += 4) buf.writeUInt32LE(0, offset + i);
  if (uuid) buf.set(uuid.subarray(0, 16), offset + 16);
}

/** One reply's header; its payload is bytes [start, end) of the data it was decoded from. */
export interface Reply {
  command: number;
  serial: number;
  status: number;
  start: number;
  end: number;
}

function protocolError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.RPC, ErrorDomain.PROXY, `xvirt-proxy sent ${detail}`);
}

/**
 * The replies in `data`, which must hold whole replies and nothing else (the
 * channel reads until every reply of a batch is in). Payloads are located,
 * not copied or viewed. Throws on a malformed header or a truncated reply.
 */
export function decodeReplies(data: Buffer): Reply[] {
  const out: Reply[] = [];
  for (let off = 0; off < data.length;) {
    if (data.length - off < REPLY_HEADER_LEN)
      throw protocolError(`a truncated reply header (${data.length - off} bytes)`);
    const version = data.readUInt16LE(off);
    const length = data.readUInt32LE(off + 12);
    if (version !== PROTO_VERSION) throw protocolError(`a reply with protocol version ${version}`);
    if (length > REPLY_MAX) throw protocolError(`a reply of ${length} bytes`);
    const end = off + REPLY_HEADER_LEN + length;
    if (end > data.length) throw protocolError(`a truncated reply (${data.length - off} of ${end - off} bytes)`);
    out.push({
      command: data.readUInt16LE(off + 2),
      serial: data.readUInt32LE(off + 4),
      status: data.readUInt32LE(off + 8),
      start: off + REPLY_HEADER_LEN,
      end,
    });
    off = end;
  }
  return out;
}

export interface Hello {
  major: number;
  minor: number;
  sysctlInterface: number;
  domctlInterface: number;
  extraversion: string;
}

export interface Physinfo {
  threadsPerCore: number;
  coresPerSocket: number;
  cpus: number;
  nodes: number;
  cpuKhz: number;
  capabilities: number;
  totalPages: bigint;
  freePages: bigint;
}

/** One domain as the hypervisor reports it (the C core's struct xc_dominfo). */
export interface DomainRecord {
  domid: number;
  flags: number;
  xenState: number;
  state: number;
  reason: number;
  shutdownCode: number;
  onlineVcpus: number;
  maxVcpus: number;
  totPages: bigint;
  maxPages: bigint;
  cpuTimeNs: bigint;
  uuid: Buffer;
}

export interface NamedRecord extends DomainRecord {
  /** xenstore's /local/domain/<id>/name; '' when unset. */
  name: string;
}

function need(payload: Buffer, off: number, len: number, what: string): void {
  if (payload.length < off + len) throw protocolError(`a truncated ${what} (${payload.length} bytes)`);
}

export function decodeHello(p: Buffer): Hello {
  need(p, 0, 32, 'HELLO reply');
  const extra = p.subarray(16, 32);
  const nul = extra.indexOf(0);
  return {
    major: p.readUInt32LE(0),
    minor: p.readUInt32LE(4),
    sysctlInterface: p.readUInt32LE(8),
    domctlInterface: p.readUInt32LE(12),
    extraversion: extra.subarray(0, nul < 0 ? 16 : nul).toString('latin1'),
  };
}

export function decodeNodeInfo(p: Buffer): Physinfo {
  need(p, 0, 40, 'NODE_INFO reply');
  return {
    threadsPerCore: p.readUInt32LE(0),
    coresPerSocket: p.readUInt32LE(4),
    cpus: p.readUInt32LE(8),
    nodes: p.readUInt32LE(12),
    cpuKhz: p.readUInt32LE(16),
    capabilities: p.readUInt32LE(20),
    totalPages: p.readBigUInt64LE(24),
    freePages: p.readBigUInt64LE(32),
  };
}

export function decodeRecord(p: Buffer, off = 0): DomainRecord {
  need(p, off, RECORD_LEN, 'domain record');
  return {
    domid: p.readUInt32LE(off),
    flags: p.readUInt32LE(off + 4),
    xenState: p.readUInt32LE(off + 8),
    state: p.readUInt32LE(off + 12),
    reason: p.readUInt32LE(off + 16),
    shutdownCode: p.readUInt32LE(off + 20),
    onlineVcpus: p.readUInt32LE(off + 24),
    maxVcpus: p.readUInt32LE(off + 28),
    totPages: p.readBigUInt64LE(off + 32),
    maxPages: p.readBigUInt64LE(off + 40),
    cpuTimeNs: p.readBigUInt64LE(off + 48),
    uuid: Buffer.from(p.subarray(off + 56, off + 72)),
  };
}

/** A named record at `off`; returns it and the offset after it. */
export function decodeNamed(p: Buffer, off = 0): { record: NamedRecord; next: number } {
  const rec = decodeRecord(p, off);
  need(p, off + RECORD_LEN, 4, 'domain name length');
  const len = p.readUInt32LE(off + RECORD_LEN);
  need(p, off + RECORD_LEN + 4, len, 'domain name');
  const start = off + RECORD_LEN + 4;
  return { record: { ...rec, name: p.subarray(start, start + len).toString('utf8') }, next: start + len };
}

export function decodeList(p: Buffer): NamedRecord[] {
  need(p, 0, 4, 'LIST reply');
  const count = p.readUInt32LE(0);
  const out: NamedRecord[] = [];
  let off = 4;
  for (let i = 0; i < count; i++) {
    const { record, next } = decodeNamed(p, off);
    out.push(record);
    off = next;
  }
  if (off !== p.length) throw protocolError(`${p.length - off} stray bytes after a LIST reply`);
  return out;
}

/** A counted array payload: u32 count, then count records of `len` bytes, and nothing after them. */
function counted<T>(p: Buffer, len: number, what: string, decode: (off: number, i: number) => T): T[] {
  need(p, 0, 4, `${what} reply`);
  const count = p.readUInt32LE(0);
  if (p.length !== 4 + count * len) throw protocolError(`a ${what} reply of ${p.length} bytes for ${count} records`);
  return Array.from({ length: count }, (_, i) => decode(4 + i * len, i));
}

/** VCPUS: per vCPU u8 present, online, blocked, running; u32 cpu; u64 cpu_time_ns. */
export function decodeVcpus(p: Buffer): XenVcpu[] {
  return counted(p, VCPU_LEN, 'VCPUS', (o, id) => ({
    id,
    present: p[o] === 1,
    online: p[o + 1] === 1,
    blocked: p[o + 2] === 1,
    running: p[o + 3] === 1,
    cpu: p.readUInt32LE(o + 4),
    cpuTimeNs: p.readBigUInt64LE(o + 8),
  }));
}

/**
 * VCPU_AFFINITY: u32 count, u32 map length (1 .. 448 bytes: XP_AFFINITY_MAP_LEN),
 * then one hard affinity map per vCPU id, bit c set when it may run on CPU c.
 * Returns copies (the payload's buffer is the channel's).
 */
export function decodeVcpuAffinity(p: Buffer): Uint8Array[] {
  need(p, 0, 8, 'VCPU_AFFINITY reply');
  const count = p.readUInt32LE(0);
  const len = p.readUInt32LE(4);
  if (len < 1 || len > AFFINITY_MAP_MAX) throw protocolError(`a VCPU_AFFINITY map of ${len} bytes`);
  if (p.length !== 8 + count * len) throw protocolError(`a VCPU_AFFINITY reply of ${p.length} bytes for ${count} maps`);
  return Array.from({ length: count }, (_, i) => Uint8Array.from(p.subarray(8 + i * len, 8 + (i + 1) * len)));
}

/** CPU_IDLE: u64 idle ns per physical CPU id. */
export function decodeCpuIdle(p: Buffer): bigint[] {
  return counted(p, 8, 'CPU_IDLE', (o) => p.readBigUInt64LE(o));
}

/** NODE_MEMORY: per node u32 online, u32 zero, u64 size and free bytes (reported in KiB, as the direct path). */
export function decodeNodeMemory(p: Buffer): XenNodeMemory[] {
  return counted(p, NODE_LEN, 'NODE_MEMORY', (o, node) => ({
    node,
    online: p.readUInt32LE(o) === 1,
    sizeKiB: Number(p.readBigUInt64LE(o + 8) / 1024n),
    freeKiB: Number(p.readBigUInt64LE(o + 16) / 1024n),
  }));
}
