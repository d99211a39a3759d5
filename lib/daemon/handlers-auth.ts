/**
 * xvirtd's SASL procedures (AUTH_SASL_INIT / START / STEP), served before
 * CONNECT_OPEN and before authentication. AUTH_LIST itself stays with the
 * session handlers; it answers from SessionAuth.types().
 */
import { RemoteProcedure as P } from '../rpc/procedures';
import type { HandlerTable, SessionControl } from './dispatch';
import { authFailedError, fromWire, toWire } from '../auth/sasl-protocol';
import type { SaslStepResult } from '../auth/sasl-server';

/** Runs one SASL step; a client that used up its attempts is disconnected after this reply. */
function saslStep(
  s: SessionControl,
  step: (sasl: NonNullable<SessionControl['auth']['sasl']>) => SaslStepResult,
): { complete: boolean; nil: boolean; data: Buffer } {
  const sasl = s.auth.sasl;
  // libvirtd: a SASL call on a listener that does not use SASL is an authentication failure.
  if (!sasl) throw authFailedError();
  try {
    const result = step(sasl);
    s.auth.settle();
    return { complete: result.complete, ...toWire(result.data) };
  } catch (err) {
    if (sasl.exhausted) void s.closeAfterReply();
    throw err;
  }
}

export const AUTH_HANDLERS: HandlerTable = {
  [P.AUTH_SASL_INIT]: {
    run: (s) => {
      if (!s.auth.sasl) throw authFailedError();
      return { mechlist: s.auth.sasl.init() };
    },
  },
  [P.AUTH_SASL_START]: {
    run: (s, a) => saslStep(s, (sasl) => sasl.start(a.mech, fromWire(a))),
  },
  [P.AUTH_SASL_STEP]: {
    run: (s, a) => saslStep(s, (sasl) => sasl.step(fromWire(a))),
  },
};
