/**
 * xvirt's remote client against a real libvirtd (interop), plus the
 * client's behaviour when the server misbehaves, stalls or dies, driven by
 * a scripted server built on the same framing code.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import t, { type Test } from 'tap';
import { connect } from '../lib/connection';
import { CloseReason } from '../lib/constants';
import { ErrorDomain, ErrorNumber } from '../lib/errors';
import { openRemoteDriver } from '../lib/drivers/remote';
import { DEFAULT_SOCKET, DEFAULT_SOCKET_RO, transportOf, unixSocketPath } from '../lib/drivers/remote/transport';
import { encodeEvent, encodeKeepalive, encodeMessage, encodeReply, FrameDecoder, encodeErrorReply, isKeepalive, type Message } from '../lib/rpc/framing';
import { EVENT_MESSAGES, PROCEDURES, RemoteProcedure as P, type CallableProcedure, type ProcedureRet } from '../lib/rpc/procedures';
import { KeepaliveProcedure, remoteErrorFrom } from '../lib/rpc/protocol';
import { parseUri } from '../lib/uri';
import { XvirtError } from '../lib/errors';
import { apiConformance, DEFAULT_DOMAIN } from './support/api-conformance';
import { startLibvirtd } from './support/libvirtd';

t.test('API conformance: in-process test:///default', async (t) => {
  await apiConformance(t, { label: 'inproc', open: (o) => connect('test:///default', o) });
});

t.test('API conformance: real libvirtd over unix and tcp', async (t) => {
  const lvd = await startLibvirtd(t, { tcp: true });
  await apiConformance(t, { label: 'libvirtd-unix', open: (o) => connect(lvd.unixUri({ readonly: o?.readonly }), o) });
  await apiConformance(t, { label: 'libvirtd-tcp', open: (o) => connect(lvd.tcpUri(), o) });
});
