/**
 * Turns one CALL into one REPLY: finds the procedure's handler, applies the
 * checks libvirtd applies before any driver runs (authenticated? connection
 * open? read-only?), decodes the arguments with the RPC layer's codecs, runs
 * the handler on the Connection/Domain API and encodes its result. Every
 * failure, ours or the driver's, becomes a remote_error body with libvirt's
 * numbers.
 */
import type { Connection } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { errorReplyHeader, frameLength, replyHeader } from '../rpc/framing';
import { protocolError, remoteError, remoteErrorFrom, type MessageHeader } from '../rpc/protocol';
import {
  procedureName, procedureSpec, type CallableProcedure, type ProcedureArgs, type ProcedureRet, type ProcedureSpec,
} from '../rpc/procedures';
import { decode, encode } from '../rpc/xdr';
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
}

export interface Handler<P extends CallableProcedure> {
  /** libvirt's public API name (virDomainDestroy...), used in error messages. */
  api: string;
  /** State-changing: refused on read-only connections before anything runs. */
  write?: boolean | ((args: ProcedureArgs<P>) => boolean);
  /** May be called before CONNECT_OPEN. */
  beforeOpen?: boolean;
  /** May be called before authentication completes. */
  beforeAuth?: boolean;
  run(s: SessionControl, args: ProcedureArgs<P>): Promise<ProcedureRet<P>> | ProcedureRet<P>;
}

export type HandlerTable = { [P in CallableProcedure]?: Handler<P> };

/** Highest procedure number libvirt has assigned (NIC_MAC_CHANGE); above it a number is unknown. */
const LIBVIRT_LAST_PROCEDURE = 453;
/** Server-to-client event messages: never valid as calls. */
const EVENT_PROCEDURES = new Set([
  107, 169, 170, 171, 172, 173, 195, 224, 241, 248, 268, 269, 270, 276, 292, 311,
  ...Array.from({ length: 16 }, (_, i) => 318 + i), 339, 346, 348, 354, 359, 362, 363, 367, 379, 385, 423, 438, 453,
]);
/** Authentication procedures (AUTH_LIST, SASL, polkit): allowed before open. */
const AUTH_PROCEDURES = new Set([66, 67, 68, 69, 70]);

export function notOpenError(): XvirtError {
  return new XvirtError(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'internal error: connection not open');
}

export function noSupport(api: string, domain = ErrorDomain.DOMAIN): XvirtError {
  return XvirtError.of(ErrorNumber.NO_SUPPORT, domain, api);
}

/** libvirt's virCheckFlags error: INVALID_ARG, and (unlike most) no "invalid argument:" prefix. */
export function unsupportedFlags(flags: number, api: string): XvirtError {
  return new XvirtError(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN, `unsupported flags (0x${flags.toString(16)}) in function ${api}`);
}

/** Receives a reply: its header and its XDR payload. */
export type ReplySink = (header: MessageHeader, payload: Buffer) => void;

export class Dispatcher {
  readonly #handlers = new Map<number, Handler<CallableProcedure>>();
  /** Per served procedure, on its first call: its spec and the 'DOMAIN_GET_INFO args' label for decoding errors. */
  readonly #specs = new Map<number, { spec: ProcedureSpec; argsLabel: string }>();

  constructor(...tables: HandlerTable[]) {
    for (const table of tables) {
      for (const [n, h] of Object.entries(table)) this.#handlers.set(Number(n), h as Handler<CallableProcedure>);
    }
  }

  /**
   * Runs one call and hands the reply's header and XDR payload to `done`
   * (always exactly once, never synchronously; the payload always fits in a
   * frame). Callbacks rather than promise chains: this is the per-call hot path.
   */
  call(s: SessionControl, header: MessageHeader, payload: Buffer, done: ReplySink): void {
    const fail = (err: unknown): void => {
      if (!(err instanceof XvirtError)) s.internalError(header.procedure, err);
      done(errorReplyHeader(header), encode(remoteError, remoteErrorFrom(err), 'remote_error'));
    };
    let spec: ProcedureSpec;
    let result: unknown;
    try {
      const handler = this.#check(s, header.procedure);
      const prepared = this.#prepared(header.procedure);
      spec = prepared.spec;
      const args = decode(spec.args, payload, prepared.argsLabel) as ProcedureArgs<CallableProcedure>;
      const write = typeof handler.write === 'function' ? handler.write(args) : handler.write === true;
      if (write && s.readonly) {
        s.auth.refused(handler.api, 'read-only connection');
        throw XvirtError.of(ErrorNumber.OPERATION_DENIED, ErrorDomain.DOMAIN, `read only access prevents ${handler.api}`);
      }
      result = handler.run(s, args);
    } catch (err) {
      queueMicrotask(() => fail(err));
      return;
    }
    const finish = (ret: unknown): void => {
      let reply: Buffer;
      try {
        reply = encode(spec.ret, ret, 'ret');
        frameLength(reply.length); // too large for one message: the caller gets the RPC error instead
      } catch (err) {
        fail(err);
        return;
      }
      done(replyHeader(header), reply);
    };
    if (result instanceof Promise) result.then(finish, fail);
    else queueMicrotask(() => finish(result));
  }

  /** Built once per procedure, not once per call; only for procedures #check let through (so bounded by the handler table). */
  #prepared(proc: number): { spec: ProcedureSpec; argsLabel: string } {
    let prepared = this.#specs.get(proc);
    if (prepared === undefined) {
      prepared = { spec: procedureSpec(proc)!, argsLabel: `${procedureName(proc)} args` };
      this.#specs.set(proc, prepared);
    }
    return prepared;
  }

  /** libvirtd's order: known procedure, authenticated, connection open, implemented. */
  #check(s: SessionControl, proc: number): Handler<CallableProcedure> {
    const handler = this.#handlers.get(proc);
    const known = handler !== undefined || (proc >= 1 && proc <= LIBVIRT_LAST_PROCEDURE && !EVENT_PROCEDURES.has(proc));
    if (!known) throw protocolError(`unknown procedure: ${proc}`);
    const isAuth = AUTH_PROCEDURES.has(proc);
    if (!s.authenticated && !(handler?.beforeAuth ?? isAuth)) {
      s.auth.refused(procedureName(proc), 'not authenticated');
      throw protocolError('authentication required');
    }
    if (!s.isOpen() && !(handler?.beforeOpen ?? isAuth)) throw notOpenError();
    // Known to libvirt but not served by xvirt: NO_SUPPORT, so clients take their fallbacks.
    if (!handler) throw noSupport(procedureName(proc), ErrorDomain.RPC);
    return handler;
  }
}
