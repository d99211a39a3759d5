/**
 * Connection-level procedures: hypervisor and node queries, listing,
 * lookups, define/create. Each maps onto one Connection method.
 */
import type { Connection, Domain } from '../connection';
import { ListDomainsFlags } from '../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import {
  protocolError,
  REMOTE_DOMAIN_ID_LIST_MAX,
  REMOTE_DOMAIN_LIST_MAX,
  REMOTE_DOMAIN_NAME_LIST_MAX,
} from '../rpc/protocol';
import { RemoteProcedure as P } from '../rpc/procedures';
import { unsupportedFlags, type HandlerTable } from './dispatch';
import { LIBVIRT_PROTOCOL_VERSION } from '../version';

/** virDomainDefineFlags: VALIDATE is all there is, and xvirt always validates. */
const DEFINE_VALIDATE = 1;

function checkMax(n: number, max: number, what: string): number {
  if (n < 0) throw XvirtError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, `negative ${what}: ${n}`);
  if (n > max) throw protocolError(`${what} > ${max}`);
  return n;
}

async function domains(conn: Connection, flags: number, max: number): Promise<Domain[]> {
  const all = await conn.listAllDomains(flags);
  return all.slice(0, max);
}

export const CONNECT_HANDLERS: HandlerTable = {
  [P.CONNECT_GET_TYPE]: { run: async (s) => ({ type: await s.conn().getType() }) },
  [P.CONNECT_GET_VERSION]: { run: async (s) => ({ hv_ver: await s.conn().getVersion() }) },
  // The protocol's libvirt version, not xvirt's: clients gate features on it (lib/version.ts).
  [P.CONNECT_GET_LIB_VERSION]: {
    run: (s) => {
      s.conn();
      return { lib_ver: LIBVIRT_PROTOCOL_VERSION };
    },
  },
  [P.CONNECT_GET_HOSTNAME]: { run: async (s) => ({ hostname: await s.conn().getHostname() }) },
  [P.CONNECT_GET_URI]: { run: async (s) => ({ uri: await s.conn().getUri() }) },
  [P.CONNECT_GET_CAPABILITIES]: {
    run: async (s) => ({ capabilities: await s.conn().getCapabilities() }),
  },
  [P.CONNECT_GET_MAX_VCPUS]: {
    run: async (s, a) => ({ max_vcpus: await s.conn().getMaxVcpus(a.type) }),
  },
  [P.CONNECT_IS_SECURE]: { run: async (s) => ({ secure: await s.conn().isSecure() }) },
  [P.NODE_GET_INFO]: { run: (s) => s.conn().getNodeInfo() },
  // xvirt has no security driver: an empty model, which clients read as "none".
  [P.NODE_GET_SECURITY_MODEL]: {
    run: (s) => {
      s.conn();
      return { model: '', doi: '' };
    },
  },

  [P.CONNECT_LIST_ALL_DOMAINS]: {
    run: async (s, a) => {
      const list = await s.conn().listAllDomains(a.flags);
      if (list.length > REMOTE_DOMAIN_LIST_MAX)
        throw protocolError(`too many domains: ${list.length} > ${REMOTE_DOMAIN_LIST_MAX}`);
      return { domains: a.need_results ? list.map((d) => d.ref) : [], ret: list.length };
    },
  },
  [P.CONNECT_NUM_OF_DOMAINS]: {
    run: async (s) => ({ num: (await s.conn().listAllDomains(ListDomainsFlags.ACTIVE)).length }),
  },
  [P.CONNECT_LIST_DOMAINS]: {
    run: async (s, a) => {
      const max = checkMax(a.maxids, REMOTE_DOMAIN_ID_LIST_MAX, 'maxids');
      return { ids: (await domains(s.conn(), ListDomainsFlags.ACTIVE, max)).map((d) => d.id) };
    },
  },
  [P.CONNECT_NUM_OF_DEFINED_DOMAINS]: {
    run: async (s) => ({ num: (await s.conn().listAllDomains(ListDomainsFlags.INACTIVE)).length }),
  },
  [P.CONNECT_LIST_DEFINED_DOMAINS]: {
    run: async (s, a) => {
      const max = checkMax(a.maxnames, REMOTE_DOMAIN_NAME_LIST_MAX, 'maxnames');
      return { names: (await domains(s.conn(), ListDomainsFlags.INACTIVE, max)).map((d) => d.name) };
    },
  },

  [P.DOMAIN_LOOKUP_BY_ID]: {
    run: async (s, a) => ({ dom: (await s.conn().lookupDomainById(a.id)).ref }),
  },
  [P.DOMAIN_LOOKUP_BY_NAME]: {
    run: async (s, a) => ({ dom: (await s.conn().lookupDomainByName(a.name)).ref }),
  },
  [P.DOMAIN_LOOKUP_BY_UUID]: {
    run: async (s, a) => ({ dom: (await s.conn().lookupDomainByUUID(a.uuid)).ref }),
  },

  [P.DOMAIN_DEFINE_XML]: {
    run: async (s, a) => ({ dom: (await s.conn().defineXML(a.xml)).ref }),
  },
  [P.DOMAIN_DEFINE_XML_FLAGS]: {
    run: async (s, a) => {
      if (a.flags & ~DEFINE_VALIDATE) throw unsupportedFlags(a.flags, 'virDomainDefineXMLFlags');
      return { dom: (await s.conn().defineXML(a.xml)).ref };
    },
  },
  [P.DOMAIN_CREATE_XML]: {
    run: async (s, a) => ({ dom: (await s.conn().createXML(a.xml_desc, a.flags)).ref }),
  },
};
