/**
 * The procedures xvirtd serves: every handler table in one dispatcher. The
 * daemon loads this module (and with it the connection layer the handlers
 * call) with its first call, so a daemon nobody has called yet holds none of it.
 */
import { Dispatcher } from './dispatch';
import { CONNECT_HANDLERS } from './handlers-connect';
import { DOMAIN_HANDLERS } from './handlers-domain';
import { HOST_DEVICE_HANDLERS, NETWORK_HANDLERS, STORAGE_HANDLERS } from './handlers-netstore';
import { STATS_HANDLERS } from './handlers-stats';
import { SESSION_HANDLERS } from './handlers-session';
import { AUTH_HANDLERS } from './handlers-auth';

export const DISPATCHER = new Dispatcher(
  SESSION_HANDLERS,
  CONNECT_HANDLERS,
  DOMAIN_HANDLERS,
  STATS_HANDLERS,
  AUTH_HANDLERS,
  NETWORK_HANDLERS,
  STORAGE_HANDLERS,
  HOST_DEVICE_HANDLERS,
);
