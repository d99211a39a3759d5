/**
 * The client side of libvirt's authentication step (after AUTH_LIST): picks
 * the scheme the server offers and, for SASL, runs SCRAM-SHA-256 through
 * AUTH_SASL_INIT / START / STEP. It always verifies the server's final
 * signature (mutual authentication), even when the server says it is done.
 */
import { AuthType } from '../rpc/protocol';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { uriParam, type ConnectionUri } from '../uri';
import { credentialsFromFile, locateAuthFile, type SaslCredentials } from './auth-file';
import { fromWire, toWire, type AUTH_SASL_INIT, type AUTH_SASL_START } from './sasl-protocol';
import { SCRAM_SHA_256, ScramClient } from './scram';
import type { CodecType } from '../rpc/xdr';
import { RemoteProcedure } from '../rpc/procedures';

/** Makes one RPC call of REMOTE_PROGRAM (the remote driver's RpcClient). */
export interface AuthCaller {
  call(procedure: number, args: unknown): Promise<unknown>;
}

type InitRet = CodecType<typeof AUTH_SASL_INIT.ret>;
type StepRet = CodecType<typeof AUTH_SASL_START.ret>;

export interface ClientAuthOptions {
  /** Credentials for SASL; otherwise taken from libvirt's auth.conf. */
  credentials?: SaslCredentials;
}

function authError(detail: string): XvirtError {
  return XvirtError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.AUTH, detail);
}

/** Which of the server's schemes to use: `?auth=sasl[.MECH]` or the first offered (libvirt's rule). */
export function chooseAuthType(offered: readonly number[], uri: ConnectionUri): { type: number; mech: string | null } {
  const wanted = uriParam(uri, 'auth');
  if (offered.length === 0) return { type: AuthType.NONE, mech: null };
  if (wanted === undefined) return { type: offered[0]!, mech: null };
  const [name, mech] = wanted.split('.', 2) as [string, string | undefined];
  const type =
    name === 'sasl' ? AuthType.SASL : name === 'polkit' ? AuthType.POLKIT : name === 'none' ? AuthType.NONE : -1;
  if (type < 0)
    throw XvirtError.of(
      ErrorNumber.INVALID_ARG,
      ErrorDomain.URI,
      `unknown auth type '${wanted}' (sasl, sasl.MECH, polkit, none)`,
    );
  if (!offered.includes(type)) throw authError(`requested authentication type ${wanted} rejected`);
  return { type, mech: mech ?? null };
}

/** Runs the authentication the server asked for; resolves once authenticated. */
export async function authenticate(
  caller: AuthCaller,
  offered: readonly number[],
  uri: ConnectionUri,
  options: ClientAuthOptions = {},
): Promise<void> {
  const { type, mech } = chooseAuthType(offered, uri);
  if (type === AuthType.NONE) return;
  if (type === AuthType.POLKIT) throw authError('the server wants polkit authentication, which xvirt does not support');
  if (type !== AuthType.SASL) throw authError(`unknown authentication type ${type} from the server`);
  await authenticateSasl(caller, uri, mech, options);
}

function findCredentials(uri: ConnectionUri, options: ClientAuthOptions): SaslCredentials {
  if (options.credentials) return options.credentials;
  const file = locateAuthFile(uri);
  const found = file ? credentialsFromFile(file, uri.host ?? 'localhost') : null;
  if (!found) {
    throw authError(
      `the server requires SASL authentication: give credentials, or put them in libvirt's auth.conf${file ? ` (${file} has none for '${uri.host ?? 'localhost'}')` : ''}`,
    );
  }
  return found;
}

async function authenticateSasl(
  caller: AuthCaller,
  uri: ConnectionUri,
  wantedMech: string | null,
  options: ClientAuthOptions,
): Promise<void> {
  const { mechlist } = (await caller.call(RemoteProcedure.AUTH_SASL_INIT, undefined)) as InitRet;
  const offered = mechlist.split(/[ ,]+/).filter(Boolean);
  const mech = wantedMech ?? SCRAM_SHA_256;
  if (mech !== SCRAM_SHA_256 || !offered.includes(mech)) {
    throw authError(
      `no common SASL mechanism: the server offers ${offered.join(', ') || 'none'}; xvirt speaks ${SCRAM_SHA_256}`,
    );
  }
  const creds = findCredentials(uri, options);
  const scram = new ScramClient(creds.username, creds.password);
  const first = (await caller.call(RemoteProcedure.AUTH_SASL_START, {
    mech,
    ...toWire(Buffer.from(scram.first(), 'utf8')),
  })) as StepRet;
  let serverData = fromWire(first);
  if (first.complete || serverData === null || serverData.length === 0) {
    throw authError('SASL server did not answer client-first with a challenge');
  }
  const final = (await caller.call(
    RemoteProcedure.AUTH_SASL_STEP,
    toWire(Buffer.from(await scram.final(serverData.toString('utf8')), 'utf8')),
  )) as StepRet;
  serverData = fromWire(final);
  if (serverData === null) throw authError('SASL server sent no final message');
  scram.verifyServer(serverData.toString('utf8'));
  if (!final.complete) throw authError('SASL server did not complete after a verified final message');
}
