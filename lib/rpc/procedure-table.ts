/**
 * The shape of xvirt's remote procedure table (lib/rpc/procedures.ts): one
 * entry per REMOTE_PROGRAM procedure, keyed by libvirt's number, holding
 * everything the client, the daemon's dispatcher, the read-only check and
 * docs/protocol.md need to know about it. The daemon adds only each
 * procedure's `run` (lib/daemon/handlers-*.ts), typed from its entry.
 */
import type { Codec, CodecType } from './xdr';

/** libvirt's @priority: high procedures never block on a hypervisor monitor (libvirtd's priority workers run them). */
export type Priority = 'high' | 'low';
/** 'read': allowed on read-only connections; 'write': read-write clients only; or decided from the arguments. */
export type Access<A> = 'read' | 'write' | ((args: A) => 'read' | 'write');
/** call: a client's request; auth: an authentication step (allowed before auth and open); event: a server message. */
export type Kind = 'call' | 'auth' | 'event';

export interface ProcedureEntry<A = unknown, R = unknown, K extends Kind = Kind> {
  readonly kind: K;
  /** libvirt's public API name (virDomainDestroy...): error messages and the docs table. */
  readonly api: string;
  /** Arguments of a call; the message body of an event. */
  readonly args: Codec<A>;
  /** Result of a call; void for events. */
  readonly ret: Codec<R>;
  readonly access: Access<A>;
  readonly priority: Priority;
  /** Served before CONNECT_OPEN (auth steps always are). */
  readonly beforeOpen: boolean;
}

interface CallFacts<A> {
  api: string;
  access: Access<A>;
  priority: Priority;
  beforeOpen?: boolean;
}

export function call<A, R>(facts: CallFacts<A>, args: Codec<A>, ret: Codec<R>): ProcedureEntry<A, R, 'call'> {
  const { api, access, priority } = facts;
  return { kind: 'call', args, ret, api, access, priority, beforeOpen: facts.beforeOpen ?? false };
}

/** Authentication steps: callable before authentication and before CONNECT_OPEN, on any connection. */
export function auth<A, R>(
  facts: { api: string; priority: Priority },
  args: Codec<A>,
  ret: Codec<R>,
): ProcedureEntry<A, R, 'auth'> {
  return { kind: 'auth', args, ret, api: facts.api, access: 'read', priority: facts.priority, beforeOpen: true };
}

const noReply: Codec<void> = { write: () => undefined, read: () => undefined };

/** A server-to-client message (type MESSAGE); `api` names the client callback it feeds. Never valid as a call. */
export function event<M>(api: string, body: Codec<M>): ProcedureEntry<M, void, 'event'> {
  return { kind: 'event', args: body, ret: noReply, api, access: 'read', priority: 'low', beforeOpen: false };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEntry = ProcedureEntry<any, any>;
export type Table = Record<number, AnyEntry>;

/** The entries a client may call (calls and auth steps), with their types. */
export type CallsOf<T extends Table> = { [K in keyof T as T[K] extends { kind: 'event' } ? never : K]: T[K] };
/** The event entries' message bodies, by number. */
export type EventBodiesOf<T extends Table> = {
  [K in keyof T as T[K] extends { kind: 'event' } ? K : never]: T[K] extends { args: infer C } ? C : never;
};

export function callsOf<T extends Table>(table: T): CallsOf<T> {
  return Object.fromEntries(Object.entries(table).filter(([, e]) => e.kind !== 'event')) as CallsOf<T>;
}

export function eventBodiesOf<T extends Table>(table: T): EventBodiesOf<T> {
  const events = Object.entries(table).filter(([, e]) => e.kind === 'event');
  return Object.fromEntries(events.map(([n, e]) => [n, e.args])) as EventBodiesOf<T>;
}

/** Whether a call with these (decoded) arguments needs a read-write connection. */
export function needsWrite<A>(entry: ProcedureEntry<A, unknown>, args: A): boolean {
  const access = typeof entry.access === 'function' ? entry.access(args) : entry.access;
  return access === 'write';
}

export type ArgsOf<E> = E extends ProcedureEntry<infer A, unknown> ? A : never;
export type RetOf<E extends AnyEntry> = CodecType<E['ret']>;
