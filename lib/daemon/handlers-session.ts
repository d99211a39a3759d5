/**
 * Procedures about the client's session rather than the hypervisor: open and
 * close, authentication, feature probes, event (de)registration and the
 * close callback.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { DrvFeature } from '../rpc/protocol';
import { RemoteProcedure as P } from '../rpc/procedures';
import { notOpenError, type HandlerTable, type SessionControl } from './dispatch';

/** Features the remote layer itself answers; everything else is a driver feature xvirt lacks (0). */
const REMOTE_FEATURES = new Set<number>([
  DrvFeature.PROGRAM_KEEPALIVE,
  DrvFeature.REMOTE_EVENT_CALLBACK,
  DrvFeature.REMOTE_CLOSE_CALLBACK,
]);

/** One close callback per connection, as in libvirt's remote driver. */
function setCloseCallback(s: SessionControl, on: boolean): void {
  s.conn();
  if (s.closeCallbackRegistered === on) {
    throw XvirtError.of(
      ErrorNumber.OPERATION_INVALID,
      ErrorDomain.RPC,
      on ? 'a close callback is already registered' : 'no close callback is registered',
    );
  }
  s.closeCallbackRegistered = on;
}

export const SESSION_HANDLERS: HandlerTable = {
  [P.CONNECT_OPEN]: {
    run: async (s, a) => {
      await s.open(a.name, a.flags);
    },
  },
  [P.CONNECT_CLOSE]: {
    run: (s) => s.closeAfterReply(),
  },
  [P.AUTH_LIST]: {
    run: (s) => ({ types: s.authTypes() }),
  },
  [P.CONNECT_SUPPORTS_FEATURE]: {
    // Only the keepalive probe may precede CONNECT_OPEN (virsh sends it first).
    run: (s, a) => {
      if (a.feature === DrvFeature.PROGRAM_KEEPALIVE) {
        s.startKeepalive();
        return { supported: true };
      }
      if (!s.isOpen()) throw notOpenError();
      return { supported: REMOTE_FEATURES.has(a.feature) };
    },
  },
  [P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY]: {
    run: async (s, a) => ({ callbackID: await s.events.registerCallback(s.conn(), a.eventID, a.dom) }),
  },
  [P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY]: {
    run: (s, a) => s.events.deregisterCallback(s.conn(), a.callbackID),
  },
  [P.CONNECT_DOMAIN_EVENT_REGISTER_ANY]: {
    run: (s, a) => s.events.registerLegacy(s.conn(), a.eventID),
  },
  [P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY]: {
    run: (s, a) => s.events.deregisterLegacy(s.conn(), a.eventID),
  },
  [P.CONNECT_DOMAIN_EVENT_REGISTER]: {
    run: async (s) => {
      await s.events.registerLegacy(s.conn(), 0);
      return { cb_registered: true };
    },
  },
  [P.CONNECT_DOMAIN_EVENT_DEREGISTER]: {
    run: async (s) => {
      await s.events.deregisterLegacy(s.conn(), 0);
      return { cb_registered: false };
    },
  },
  [P.CONNECT_REGISTER_CLOSE_CALLBACK]: {
    run: (s) => setCloseCallback(s, true),
  },
  [P.CONNECT_UNREGISTER_CLOSE_CALLBACK]: {
    run: (s) => setCloseCallback(s, false),
  },
};
