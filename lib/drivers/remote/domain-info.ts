/**
 * DOMAIN_GET_INFO's reply, decoded without the generic combinators: the call
 * a UI polls, whose reply is always 32 bytes (remote_domain_get_info_ret:
 * int state, uhyper maxMem, uhyper memory, int nrVirtCpu, uhyper cpuTime).
 * The struct codec walks its fields generically and reads both memory sizes
 * as BigInts before narrowing them; here they are read as two 32-bit halves.
 * Anything this fast path does not accept (another length, a value out of
 * range) goes to the generic codec, so errors are exactly the codec's.
 */
import type { ReplyDecoder } from '../../rpc/client';
import { PROCEDURES, RemoteProcedure as P } from '../../rpc/procedures';
import { decode } from '../../rpc/xdr';
import type { DomainInfo } from '../../types';

const REPLY_SIZE = 32;
/** The high 32 bits of a uhyper at most 2^53-1 (the codec's limit for sizes carried as numbers). */
const MAX_SAFE_HIGH_WORD = 0x1fffff;
const TWO_POW_32 = 2 ** 32;

export const decodeDomainInfoReply: ReplyDecoder<DomainInfo> = (payload, what) => {
  if (payload.length === REPLY_SIZE) {
    const state = payload.readInt32BE(0);
    const maxMemHigh = payload.readUInt32BE(4);
    const memoryHigh = payload.readUInt32BE(12);
    const nrVirtCpu = payload.readInt32BE(20);
    if (
      state >= 0 &&
      state <= 255 &&
      nrVirtCpu >= 0 &&
      nrVirtCpu <= 65535 &&
      maxMemHigh <= MAX_SAFE_HIGH_WORD &&
      memoryHigh <= MAX_SAFE_HIGH_WORD
    ) {
      return {
        state,
        maxMemKiB: maxMemHigh * TWO_POW_32 + payload.readUInt32BE(8),
        memoryKiB: memoryHigh * TWO_POW_32 + payload.readUInt32BE(16),
        nrVirtCpu,
        cpuTimeNs: payload.readBigUInt64BE(24),
      };
    }
  }
  return decode(PROCEDURES[P.DOMAIN_GET_INFO].ret, payload, what);
};
