/**
 * Turns one CALL into one REPLY: finds the procedure's handler, applies the
 * checks libvirtd applies before any driver runs (authenticated? connection
 * open? read-only?), decodes the arguments with the RPC layer's codecs, runs
 * the handler on the Connection/Domain API and encodes its result. Every
 * failure, ours or the driver's, becomes a remote_error body with libvirt's
 * numbers.
 */
import type { Duplex } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import type { Connection } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { errorReplyHeader, frameLength, replyHeader } from '../rpc/framing';
import { protocolError, remoteError, remoteErrorFrom, type MessageHeader } from '../rpc/protocol';
import { isLibvirtCall } from '../rpc/libvirt-procedures';
import { needsWrite, type AnyEntry } from '../rpc/procedure-table';
import {
  procedureName,
  procedureSpec,
  type CallableProcedure,
  type ProcedureArgs,
  type ProcedureRet,
} from '../rpc/procedures';
import { decode, encode, encodeWith } from '../rpc/xdr';
import type { EventRegistrations } from './events';
import type { NetStoreEventRegistrations } from './netstore-events';
import type { SessionAuth } from '../auth/session-auth';

/** What handlers may do to the client session that called them. */
export interface SessionControl {
  readonly readonly: boolean;
  readonly authenticated: boolean;
  /** Authentication state and peer identity (lib/auth/session-auth.ts). */
  readonly auth: SessionAuth;
  /** The auth schemes this client's listener offers (remote_auth_type numbers). */
  authTypes(): number[];
  /** The open connection; throws libvirt's "connection not open" otherwise. */
  conn(): Connection;
  isOpen(): boolean;
  open(name: string | null, flags: number): Promise<void>;
  /** Closes the connection; the socket is ended once the reply is out. */
  closeAfterReply(): Promise<void>;
  startKeepalive(): void;
  /** A handler failed with something other than an XvirtError: a bug worth logging. */
  internalError(procedure: number, err: unknown): void;
  readonly events: EventRegistrations;
  /** Network and storage pool event registrations. */
  readonly netstoreEvents: NetStoreEventRegistrations;
  closeCallbackRegistered: boolean;
  /**
   * Receives a call's reply: its header and XDR payload (the dispatcher calls it once per call, never
   * synchronously). The payload is valid only during the call: copy what you keep.
   */
  reply(header: MessageHeader, payload: Buffer): void;
  /** `source` is the stream the call `call` opens: its data flows once the call's reply is out. */
  openStream(call: MessageHeader, source: Duplex): void;
}

/**
 * What the daemon adds to a procedure's table entry (lib/rpc/procedures.ts):
 * how to run it. Its API name, access class, kind and codecs come from the entry.
 */
export interface Handler<P extends CallableProcedure> {
  /** `call`: the header of the call being served (a stream procedure's stream is identified by it). */
  run(
    this: void,
    s: SessionControl,
    args: ProcedureArgs<P>,
    call: MessageHeader,
  ): Promise<ProcedureRet<P>> | ProcedureRet<P>;
}

/** Handlers keyed by the table's numbers: naming a procedure the table lacks is a type error. */
export type HandlerTable = { [P in CallableProcedure]?: Handler<P> };

export function notOpenError(): XvirtError {
  return new XvirtError(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'internal error: connection not open');
}

export function noSupport(api: string, domain = ErrorDomain.DOMAIN): XvirtError {
  return XvirtError.of(ErrorNumber.NO_SUPPORT, domain, api);
}

/** libvirt's virCheckFlags error: INVALID_ARG, and (unlike most) no "invalid argument:" prefix. */
export function unsupportedFlags(flags: number, api: string): XvirtError {
  return new XvirtError(
    ErrorNumber.INVALID_ARG,
    ErrorDomain.DOMAIN,
    `unsupported flags (0x${flags.toString(16)}) in function ${api}`,
  );
}

/**
 * bin/xvirtd.js starts node with V8's tier-up budget raised (`--interrupt-budget`, 16x) so that loading the
 * daemon's modules leaves the optimising compiler out of a daemon nobody uses. A client whose calls have
 * reached this serial is polling: from then on V8 tiers up at its own pace (67584, its default in node 20),
 * which the dashboard poll needs (bench/stats.js: ~0.65x -> ~0.5x of libvirtd's time), and which a crowd of
 * idle clients, each a handful of calls, never triggers. A forged serial only brings that moment forward.
 */
const BUSY_CLIENT_SERIAL = 256;
const V8_INTERRUPT_BUDGET = 67584;
let tieringRestored = !process.execArgv.some((a) => a.startsWith('--interrupt-budget='));

function restoreTiering(): void {
  tieringRestored = true;
  setFlagsFromString(`--interrupt-budget=${V8_INTERRUPT_BUDGET}`);
}

/** A served procedure: its table entry, the 'DOMAIN_GET_INFO args' label for decoding errors, its run. */
interface Served {
  entry: AnyEntry;
  argsLabel: string;
  run: Handler<CallableProcedure>['run'];
}

export class Dispatcher {
  readonly #handlers = new Map<number, Served>();

  constructor(...tables: HandlerTable[]) {
    for (const table of tables) {
      for (const [n, h] of Object.entries(table)) {
        const entry = procedureSpec(Number(n))!;
        const argsLabel = `${procedureName(Number(n))} args`;
        this.#handlers.set(Number(n), { entry, argsLabel, run: (h as Handler<CallableProcedure>).run });
      }
    }
  }

  /**
   * Runs one call and hands the reply's header and XDR payload to `s.reply`
   * (always exactly once, never synchronously; the payload always fits in a
   * frame). Callbacks rather than promise chains: this is the per-call hot path.
   */
  call(s: SessionControl, header: MessageHeader, payload: Buffer): void {
    if (!tieringRestored && header.serial >= BUSY_CLIENT_SERIAL) restoreTiering();
    const fail = (err: unknown): void => {
      if (!(err instanceof XvirtError)) s.internalError(header.procedure, err);
      s.reply(errorReplyHeader(header), encode(remoteError, remoteErrorFrom(err), 'remote_error'));
    };
    let served: Served;
    let result: unknown;
    try {
      served = this.#check(s, header.procedure);
      const { entry } = served;
      const args = decode(entry.args, payload, served.argsLabel) as ProcedureArgs<CallableProcedure>;
      if (s.readonly && needsWrite(entry, args)) {
        s.auth.refused(entry.api, 'read-only connection');
        throw XvirtError.of(ErrorNumber.OPERATION_DENIED, ErrorDomain.DOMAIN, `read only access prevents ${entry.api}`);
      }
      result = served.run(s, args, header);
    } catch (err) {
      queueMicrotask(() => fail(err));
      return;
    }
    const finish = (ret: unknown): void => {
      // The reply is handed over as a view of the encoder's buffer (the sink copies it into its frame).
      let encoded = false;
      try {
        encodeWith(served.entry.ret, ret, 'ret', (reply) => {
          frameLength(reply.length); // too large for one message: the caller gets the RPC error instead
          encoded = true;
          s.reply(replyHeader(header), reply);
        });
      } catch (err) {
        if (encoded) throw err;
        fail(err);
      }
    };
    if (result instanceof Promise) result.then(finish, fail);
    else queueMicrotask(() => finish(result));
  }

  /** libvirtd's order: known procedure, authenticated, connection open, implemented. */
  #check(s: SessionControl, proc: number): Served {
    const handler = this.#handlers.get(proc);
    if (handler === undefined && !isLibvirtCall(proc)) throw protocolError(`unknown procedure: ${proc}`);
    // Numbers libvirt knows but xvirt's table lacks are plain calls: after authentication and open.
    const entry = procedureSpec(proc);
    if (!s.authenticated && entry?.kind !== 'auth') {
      s.auth.refused(procedureName(proc), 'not authenticated');
      throw protocolError('authentication required');
    }
    if (!s.isOpen() && !(entry?.beforeOpen ?? false)) throw notOpenError();
    // Known to libvirt but not served by xvirt: NO_SUPPORT, so clients take their fallbacks.
    if (!handler) throw noSupport(procedureName(proc), ErrorDomain.RPC);
    return handler;
  }
}
