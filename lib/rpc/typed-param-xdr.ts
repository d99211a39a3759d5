/**
 * remote_typed_param on the wire: { remote_nonnull_string field; union
 * switch (int type) { INT int; UINT uint; LLONG hyper; ULLONG uhyper;
 * DOUBLE double; BOOLEAN int; STRING remote_nonnull_string } }, in arrays
 * bounded by each procedure's limit. Names longer than libvirt's field
 * (79 bytes + NUL) are refused both ways, as libvirt's deserializer refuses them.
 */
import { TYPED_PARAM_FIELD_LENGTH, TypedParamType as T, type TypedParam } from '../typed-params';
import { nonnullString } from './protocol';
import { array, hyper, int, uhyper, uint, xdrError, type Codec } from './xdr';

/** XDR double: IEEE 754 binary64, big-endian. */
const double: Codec<number> = {
  write: (w, v, f) => {
    if (typeof v !== 'number') throw xdrError(f, `expected a number, got ${typeof v}`);
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(v);
    w.bytes(b);
  },
  read: (r, f) => r.view(8, f).readDoubleBE(0),
};

const boolInt: Codec<boolean> = {
  write: (w, v, f) => {
    if (typeof v !== 'boolean') throw xdrError(f, `expected a boolean, got ${typeof v}`);
    w.int32(v ? 1 : 0);
  },
  read: (r, f) => r.int32(f) !== 0,
};

const VALUE_CODECS: Record<T, Codec<unknown>> = {
  [T.INT]: int,
  [T.UINT]: uint,
  [T.LLONG]: hyper,
  [T.ULLONG]: uhyper,
  [T.DOUBLE]: double,
  [T.BOOLEAN]: boolInt,
  [T.STRING]: nonnullString,
};

function checkName(name: unknown, f: string): string {
  if (typeof name !== 'string') throw xdrError(f, 'parameter name must be a string');
  if (Buffer.byteLength(name, 'utf8') >= TYPED_PARAM_FIELD_LENGTH) {
    throw xdrError(f, `parameter name '${name.slice(0, 100)}' longer than ${TYPED_PARAM_FIELD_LENGTH - 1} bytes`);
  }
  return name;
}

export const typedParam: Codec<TypedParam> = {
  write: (w, v, f) => {
    const codec = VALUE_CODECS[v.type];
    if (!codec) throw xdrError(f, `unknown typed parameter type ${String(v.type)}`);
    nonnullString.write(w, checkName(v.name, `${f}.field`), `${f}.field`);
    w.int32(v.type);
    codec.write(w, v.value, `${f}.value`);
  },
  // Labels are built only on failure: this runs for every parameter of every poll.
  read: (r, f) => {
    const name = checkName(nonnullString.read(r, f), f);
    const type = r.int32(f) as T;
    const codec = VALUE_CODECS[type];
    if (!codec) throw xdrError(f, `typed parameter '${name}' has unknown type ${type}`);
    return { name, type, value: codec.read(r, f) } as TypedParam;
  },
};

/** `remote_typed_param params<max>` */
export function typedParams(max: number): Codec<TypedParam[]> {
  return array(typedParam, max);
}
