/** `event`: wait for domain lifecycle events and print them as they happen. */
import type { LifecycleEvent } from '../connection';
import { domainEventDetailName, domainEventName } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { boolOption, exclusive, stringOption, usageError } from './args';
import { domainJson } from './json';
import { lookupDomain } from './lookup';
import { parseUnsigned } from './numbers';
import { printJson } from './print';
import type { CommandContext, CommandSpec } from './spec';

/** The event types xvirt's drivers report (libvirt knows more; see `event --list`). */
const EVENT_TYPES = ['lifecycle'];

/** Longest --timeout: what a 32-bit millisecond timer can hold. */
const MAX_TIMEOUT_S = Math.floor(0x7fffffff / 1000);

/** virsh's timestamp: UTC, milliseconds, written "+0000". */
export function eventTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '+0000');
}

/** virsh's line for a lifecycle event. */
export function formatLifecycleEvent(ev: LifecycleEvent): string {
  return `event 'lifecycle' for domain '${ev.domain.name}': ${domainEventName(ev.event)} ${domainEventDetailName(ev.event, ev.detail)}\n`;
}

function lifecycleEventJson(ev: LifecycleEvent, at: Date): Parameters<typeof printJson>[1] {
  return {
    event: 'lifecycle',
    domain: domainJson(ev.domain.ref),
    type: domainEventName(ev.event),
    typeCode: ev.event,
    detail: domainEventDetailName(ev.event, ev.detail),
    detailCode: ev.detail,
    timestamp: at.toISOString(),
  };
}

type EndReason = 'done' | 'timeout' | 'interrupted' | 'closed';

async function eventCommand(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  if (boolOption(o, 'list')) {
    ctx.output.out(ctx.json ? JSON.stringify(EVENT_TYPES) + '\n' : EVENT_TYPES.map((t) => t + '\n').join(''));
    return 0;
  }
  exclusive(o, 'all', 'event');
  const type = stringOption(o, 'event');
  if (!boolOption(o, 'all') && type === undefined)
    throw usageError('one of --list, --all, or --event <type> is required');
  if (type !== undefined && !EVENT_TYPES.includes(type)) {
    throw usageError(`event type '${type}' is not supported: xvirt reports ${EVENT_TYPES.join(', ')} events`);
  }
  const timeoutText = stringOption(o, 'timeout');
  const timeoutS = timeoutText === undefined ? null : parseUnsigned(timeoutText, 'timeout', MAX_TIMEOUT_S);
  if (timeoutS === 0) throw usageError('invalid timeout: it must be at least 1 second');
  const loop = boolOption(o, 'loop');
  const stamp = boolOption(o, 'timestamp');

  const conn = ctx.connection();
  const domainText = stringOption(o, 'domain');
  const only = domainText === undefined ? null : (await lookupDomain(conn, domainText)).uuid;

  const stop = new AbortController();
  let reason: EndReason = 'closed';
  const end = (why: EndReason): void => {
    if (!stop.signal.aborted) {
      reason = why;
      stop.abort();
    }
  };
  const onInterrupt = (): void => end('interrupted');
  ctx.interrupted.addEventListener('abort', onInterrupt, { once: true });
  if (ctx.interrupted.aborted) end('interrupted');
  const timer = timeoutS === null ? null : setTimeout(() => end('timeout'), timeoutS * 1000);
  // An in-process driver holds no handle of its own: without this node would
  // see nothing left to wait for and exit in the middle of the loop.
  const keepAlive = setInterval(() => undefined, MAX_TIMEOUT_S * 1000);
  let count = 0;
  try {
    const stream = await conn.lifecycleEvents({ signal: stop.signal });
    ctx.debug(`waiting for ${loop ? 'events' : 'one event'}${only ? ` of domain ${only}` : ''}`);
    for await (const ev of stream) {
      if (only !== null && ev.domain.uuid !== only) continue;
      const at = new Date();
      if (ctx.json) printJson(ctx, lifecycleEventJson(ev, at));
      else ctx.output.out((stamp ? `${eventTimestamp(at)}: ` : '') + formatLifecycleEvent(ev));
      count++;
      if (!loop) {
        end('done');
        break;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    clearInterval(keepAlive);
    ctx.interrupted.removeEventListener('abort', onInterrupt);
  }
  if (reason === 'closed') {
    throw new XvirtError(
      ErrorNumber.OPERATION_FAILED,
      ErrorDomain.NONE,
      `event loop ended: the connection closed after ${count} events`,
    );
  }
  if (!ctx.json) {
    if (reason === 'interrupted') ctx.output.out('event loop interrupted\n');
    if (reason === 'timeout') ctx.output.out('event loop timed out\n');
    ctx.output.out(`events received: ${count}\n`);
  }
  return 0;
}

export const EVENT_COMMAND: CommandSpec = {
  name: 'event',
  group: 'events',
  summary: 'Domain Events',
  description: 'List event types, or wait for domain events to occur and print them as they happen.',
  handlesInterrupt: true,
  options: [
    { name: 'domain', type: 'string', help: 'filter by domain name, id or uuid' },
    { name: 'event', type: 'string', help: 'which event type to wait for' },
    { name: 'all', type: 'bool', help: 'wait for all events instead of just one type' },
    { name: 'loop', type: 'bool', help: 'loop until timeout or interrupt, rather than one-shot' },
    { name: 'timeout', type: 'int', help: 'timeout seconds' },
    { name: 'list', type: 'bool', help: 'list valid event types' },
    { name: 'timestamp', type: 'bool', help: 'show timestamp for each printed event' },
  ],
  run: eventCommand,
};
