/**
 * remote_domain_stats_record<>: the reply of the dashboard poll, written the
 * fast way. A poller asks for the same domains and the same parameter names
 * over and over, so each domain's encoded identity and each parameter name's
 * encoded bytes are kept and copied in; values are written directly. The
 * bytes are exactly those of the generic codecs (and they decode the reply).
 * Reading, names and UUIDs seen before are found by their bytes, not decoded again.
 */
import { BoundedCache, DecodedBytesCache } from '../bounded-cache';
import { TYPED_PARAM_FIELD_LENGTH, TypedParamType as T, type TypedParam } from '../typed-params';
import type { DomainRef, DomainStatsRecord } from '../types';
import { nonnullDomain, REMOTE_STRING_MAX } from './protocol';
import { uuidFromBytes } from '../uuid';
import { typedParam } from './typed-param-xdr';
import { encode, xdrError, type Codec, type XdrReader, type XdrWriter } from './xdr';

/** A domain's encoded remote_nonnull_domain, with what it was made from (refs are compared, never trusted). */
interface EncodedDomain {
  ref: DomainRef;
  name: string;
  uuid: string;
  id: number;
  bytes: Buffer;
}
const domains = new WeakMap<DomainRef, EncodedDomain>();
/** Parameter names, encoded as remote_nonnull_string (length, bytes, padding). */
const names = new BoundedCache<string, Buffer>(8192);

/** `record`'s parameter `param` of the list `f`: built only for an error, never per parameter of a poll. */
function paramLabel(f: string, record: number, param: number): string {
  return `${f}[${record}].params[${param}]`;
}

function domainBytes(ref: DomainRef, f: string, record: number): Buffer {
  const hit = typeof ref === 'object' && ref !== null ? domains.get(ref) : undefined;
  if (hit && hit.name === ref.name && hit.uuid === ref.uuid && hit.id === ref.id) return hit.bytes;
  const bytes = encode(nonnullDomain, ref, `${f}[${record}].dom`);
  domains.set(ref, { ref, name: ref.name, uuid: ref.uuid, id: ref.id, bytes });
  return bytes;
}

function nameBytes(name: unknown, f: string, record: number, param: number): Buffer {
  const hit = typeof name === 'string' ? names.peek(name) : undefined;
  if (hit) return hit;
  if (typeof name !== 'string' || Buffer.byteLength(name) >= TYPED_PARAM_FIELD_LENGTH) {
    throw xdrError(
      paramLabel(f, record, param),
      `parameter name must be a string shorter than ${TYPED_PARAM_FIELD_LENGTH} bytes`,
    );
  }
  const text = Buffer.from(name, 'utf8');
  const out = Buffer.alloc(4 + ((text.length + 3) & ~3));
  out.writeUInt32BE(text.length, 0);
  text.copy(out, 4);
  return names.set(name, out);
}

const U64_MAX = (1n << 64n) - 1n;

/** The common value types straight to the writer; the rest through the generic typed-param codec. */
function writeParam(w: XdrWriter, p: TypedParam, f: string, record: number, param: number): void {
  if (p.type === T.ULLONG && typeof p.value === 'bigint' && p.value >= 0n && p.value <= U64_MAX) {
    w.bytes(nameBytes(p.name, f, record, param));
    w.int32(T.ULLONG);
    w.uint64(p.value);
  } else if (p.type === T.INT && Number.isInteger(p.value) && p.value >= -0x80000000 && p.value <= 0x7fffffff) {
    w.bytes(nameBytes(p.name, f, record, param));
    w.int32(T.INT);
    w.int32(p.value as number);
  } else {
    typedParam.write(w, p, paramLabel(f, record, param));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A remote_nonnull_string of at most `max` bytes. Names are ASCII nearly
 * always, and latin1 decoding of ASCII is UTF-8's and much cheaper for short
 * strings; anything else goes through the strict UTF-8 decoder.
 */
function readText(r: XdrReader, max: number, f: string): string {
  const n = r.uint32(f);
  if (n > max) throw xdrError(f, `string of ${n} bytes exceeds maximum ${max}`);
  return r.cached(n, f, texts, (b) => {
    for (let i = 0; i < n; i++) {
      if (b[i]! >= 0x80) {
        try {
          return utf8.decode(b);
        } catch {
          throw xdrError(f, 'string is not valid UTF-8');
        }
      }
    }
    return b.toString('latin1');
  });
}

/** Decoded names (parameter and domain names) and UUIDs: a poller gets the same ones in every reply. */
const texts = new DecodedBytesCache<string>(8192);
const uuids = new DecodedBytesCache<string>(8192);

/** One typed parameter; the common types read directly, the rest through the generic codec's value readers. */
function readParam(r: XdrReader, f: string): TypedParam {
  const name = readText(r, TYPED_PARAM_FIELD_LENGTH - 1, f);
  const type = r.int32(f);
  switch (type) {
    case T.INT:
      return { name, type, value: r.int32(f) };
    case T.UINT:
      return { name, type, value: r.uint32(f) };
    case T.LLONG:
      return { name, type, value: r.int64(f) };
    case T.ULLONG:
      return { name, type, value: r.uint64(f) };
    case T.BOOLEAN:
      return { name, type, value: r.int32(f) !== 0 };
    case T.DOUBLE:
      return { name, type, value: r.view(8, f).readDoubleBE(0) };
    case T.STRING:
      return { name, type, value: readText(r, REMOTE_STRING_MAX, f) };
    default:
      throw xdrError(f, `typed parameter '${name}' has unknown type ${type}`);
  }
}

/**
 * `remote_domain_stats_record retStats<maxRecords>`, each with at most
 * `maxParams` parameters. Records are in the drivers' shape (the wire's `dom`
 * is `domain`), so neither xvirtd nor the remote client copies a poll's records
 * into another shape.
 */
export function statsRecords(maxRecords: number, maxParams: number): Codec<DomainStatsRecord[]> {
  return {
    // The generic readers' checks, with one field label per list rather than one built per element.
    read: (r, f) => {
      const n = r.uint32(f);
      if (n > maxRecords) throw xdrError(f, `${n} records exceed maximum ${maxRecords}`);
      if (n * 28 > r.remaining) throw xdrError(f, `${n} records cannot fit in ${r.remaining} bytes`);
      const out = new Array<DomainStatsRecord>(n);
      for (let i = 0; i < n; i++) {
        const name = readText(r, REMOTE_STRING_MAX, f);
        const domain = { name, uuid: r.cached(16, f, uuids, uuidFromBytes), id: r.int32(f) };
        const count = r.uint32(`${f}.params`);
        if (count > maxParams) throw xdrError(`${f}.params`, `${count} parameters exceed maximum ${maxParams}`);
        if (count * 12 > r.remaining) {
          throw xdrError(`${f}.params`, `${count} parameters cannot fit in ${r.remaining} bytes`);
        }
        const params = new Array<TypedParam>(count);
        for (let j = 0; j < count; j++) params[j] = readParam(r, f);
        out[i] = { domain, params };
      }
      return out;
    },
    write: (w, records, f) => {
      if (!Array.isArray(records)) throw xdrError(f, 'expected an array');
      if (records.length > maxRecords) throw xdrError(f, `${records.length} records exceed maximum ${maxRecords}`);
      w.uint32(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        w.bytes(domainBytes(r.domain, f, i));
        const params = r.params;
        if (!Array.isArray(params) || params.length > maxParams) {
          throw xdrError(`${f}[${i}].params`, `at most ${maxParams} parameters`);
        }
        w.uint32(params.length);
        for (let j = 0; j < params.length; j++) writeParam(w, params[j]!, f, i, j);
      }
    },
  };
}
