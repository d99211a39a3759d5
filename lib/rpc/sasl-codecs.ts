/**
 * Wire types of libvirt's SASL procedures (remote_auth_sasl_*), in the RPC
 * layer so the procedure table needs nothing from lib/auth. The data is
 * declared `char data<REMOTE_AUTH_SASL_DATA_MAX>` in remote_protocol.x, so
 * rpcgen sends every byte as a 4-byte XDR char (sign-extended); there is no
 * NUL terminator, and `nil = 1` means "no data" as distinct from empty.
 */
import { intBool, string, struct, xdrError, xdrVoid, type Codec } from './xdr';
import { REMOTE_STRING_MAX } from './protocol';

export const REMOTE_AUTH_SASL_DATA_MAX = 65536;

/** `char x<max>` carrying raw bytes. */
export function saslBytes(max: number): Codec<Buffer> {
  return {
    write: (w, v, f) => {
      if (!Buffer.isBuffer(v)) throw xdrError(f, 'expected a Buffer');
      if (v.length > max) throw xdrError(f, `${v.length} bytes exceed maximum ${max}`);
      w.uint32(v.length);
      for (const byte of v) w.int32(byte > 127 ? byte - 256 : byte);
    },
    read: (r, f) => {
      const n = r.uint32(f);
      if (n > max) throw xdrError(f, `char count ${n} exceeds maximum ${max}`);
      if (n * 4 > r.remaining) throw xdrError(f, `${n} chars cannot fit in ${r.remaining} bytes`);
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        const c = r.int32(f);
        if (c < -128 || c > 255) throw xdrError(f, `char value ${c} out of range`);
        out[i] = c & 0xff;
      }
      return out;
    },
  };
}

const data = saslBytes(REMOTE_AUTH_SASL_DATA_MAX);

export const AUTH_SASL_INIT = { args: xdrVoid, ret: struct({ mechlist: string(REMOTE_STRING_MAX) }) };
export const AUTH_SASL_START = {
  args: struct({ mech: string(REMOTE_STRING_MAX), nil: intBool, data }),
  ret: struct({ complete: intBool, nil: intBool, data }),
};
export const AUTH_SASL_STEP = {
  args: struct({ nil: intBool, data }),
  ret: struct({ complete: intBool, nil: intBool, data }),
};
