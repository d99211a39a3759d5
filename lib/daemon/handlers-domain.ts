/**
 * Domain procedures. The wire carries the domain's identity (name, UUID,
 * id) as libvirtd's virGetDomain does; the driver resolves it on each call.
 */
import { Domain } from '../connection';
import { ErrorDomain, ErrorNumber, XvirtError } from '../errors';
import { RemoteProcedure as P } from '../rpc/procedures';
import type { DomainRef } from '../types';
import { unsupportedFlags, type HandlerTable, type SessionControl } from './dispatch';

/** virDomainDestroyFlags GRACEFUL: a plain destroy is already as graceful as xvirt's drivers get. */
const DESTROY_GRACEFUL = 1;
function domain(s: SessionControl, ref: DomainRef): Domain {
  return new Domain(s.conn(), ref);
}

function noFlags(flags: number, api: string): void {
  if (flags !== 0) throw unsupportedFlags(flags, api);
}

/**
 * A replacement definition for a save image (dxml): no xvirt driver takes
 * one, and libvirt's test and libxl drivers refuse it the same way, after
 * their flag check (no save or restore flag is supported either).
 */
function refuseXmlChange(dxml: string | null, flags: number, api: string): void {
  if (dxml === null) return;
  noFlags(flags, api);
  throw XvirtError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, ErrorDomain.DOMAIN, 'xml modification unsupported');
}

/** For queries about features xvirt lacks: still fail like libvirt when the domain does not exist. */
async function existing(s: SessionControl, ref: DomainRef): Promise<Domain> {
  const d = domain(s, ref);
  await d.isActive();
  return d;
}

export const DOMAIN_HANDLERS: HandlerTable = {
  [P.DOMAIN_GET_INFO]: { run: (s, a) => domain(s, a.dom).getInfo() },
  [P.DOMAIN_GET_STATE]: {
    run: (s, a) => {
      noFlags(a.flags, 'virDomainGetState');
      return domain(s, a.dom).getState();
    },
  },
  [P.DOMAIN_GET_OS_TYPE]: { run: async (s, a) => ({ type: await domain(s, a.dom).getOSType() }) },
  [P.DOMAIN_GET_MAX_MEMORY]: {
    run: async (s, a) => ({ memory: await domain(s, a.dom).getMaxMemory() }),
  },
  [P.DOMAIN_GET_AUTOSTART]: {
    run: async (s, a) => ({ autostart: await domain(s, a.dom).getAutostart() }),
  },
  [P.DOMAIN_IS_ACTIVE]: { run: async (s, a) => ({ active: await domain(s, a.dom).isActive() }) },
  [P.DOMAIN_IS_PERSISTENT]: {
    run: async (s, a) => ({ persistent: await domain(s, a.dom).isPersistent() }),
  },
  [P.DOMAIN_GET_XML_DESC]: {
    run: async (s, a) => ({ xml: await domain(s, a.dom).getXMLDesc(a.flags) }),
  },
  // A driver without managed save has no image to report.
  [P.DOMAIN_HAS_MANAGED_SAVE_IMAGE]: {
    run: async (s, a) => {
      const d = await existing(s, a.dom);
      const result = await d.hasManagedSaveImage(a.flags).catch((e: unknown) => {
        if (!(e instanceof XvirtError) || e.number !== ErrorNumber.NO_SUPPORT) throw e;
        noFlags(a.flags, 'virDomainHasManagedSaveImage');
        return false;
      });
      return { result };
    },
  },
  // No snapshots, security labels or messages in xvirt: the honest answers are "none".
  [P.DOMAIN_SNAPSHOT_NUM]: {
    run: async (s, a) => {
      await existing(s, a.dom);
      return { num: 0 };
    },
  },
  [P.DOMAIN_GET_SECURITY_LABEL]: {
    run: async (s, a) => {
      await existing(s, a.dom);
      return { label: '', enforcing: 0 };
    },
  },
  [P.DOMAIN_GET_MESSAGES]: {
    run: async (s, a) => {
      await existing(s, a.dom);
      return { msgs: [] };
    },
  },

  [P.DOMAIN_SAVE]: { run: (s, a) => domain(s, a.dom).save(a.to) },
  [P.DOMAIN_SAVE_FLAGS]: {
    run: (s, a) => {
      refuseXmlChange(a.dxml, a.flags, 'virDomainSaveFlags');
      return domain(s, a.dom).save(a.to, a.flags);
    },
  },
  [P.DOMAIN_RESTORE]: { run: (s, a) => s.conn().restore(a.from) },
  [P.DOMAIN_RESTORE_FLAGS]: {
    run: (s, a) => {
      refuseXmlChange(a.dxml, a.flags, 'virDomainRestoreFlags');
      return s.conn().restore(a.from, a.flags);
    },
  },
  [P.DOMAIN_MANAGED_SAVE]: { run: (s, a) => domain(s, a.dom).managedSave(a.flags) },
  [P.DOMAIN_MANAGED_SAVE_REMOVE]: { run: (s, a) => domain(s, a.dom).managedSaveRemove(a.flags) },
  [P.DOMAIN_CREATE]: { run: (s, a) => domain(s, a.dom).create(0) },
  [P.DOMAIN_CREATE_WITH_FLAGS]: {
    run: async (s, a) => {
      const d = domain(s, a.dom);
      await d.create(a.flags);
      return { dom: d.ref };
    },
  },
  [P.DOMAIN_DESTROY]: { run: (s, a) => domain(s, a.dom).destroy() },
  [P.DOMAIN_DESTROY_FLAGS]: {
    run: (s, a) => {
      if (a.flags & ~DESTROY_GRACEFUL) throw unsupportedFlags(a.flags, 'virDomainDestroyFlags');
      return domain(s, a.dom).destroy();
    },
  },
  [P.DOMAIN_SUSPEND]: { run: (s, a) => domain(s, a.dom).suspend() },
  [P.DOMAIN_RESUME]: { run: (s, a) => domain(s, a.dom).resume() },
  [P.DOMAIN_SHUTDOWN]: { run: (s, a) => domain(s, a.dom).shutdown() },
  [P.DOMAIN_SHUTDOWN_FLAGS]: {
    run: (s, a) => {
      noFlags(a.flags, 'virDomainShutdownFlags');
      return domain(s, a.dom).shutdown();
    },
  },
  [P.DOMAIN_REBOOT]: { run: (s, a) => domain(s, a.dom).reboot(a.flags) },
  [P.DOMAIN_UNDEFINE]: { run: (s, a) => domain(s, a.dom).undefine(0) },
  [P.DOMAIN_UNDEFINE_FLAGS]: {
    run: (s, a) => domain(s, a.dom).undefine(a.flags),
  },
  [P.DOMAIN_SET_AUTOSTART]: {
    run: (s, a) => domain(s, a.dom).setAutostart(a.autostart),
  },
  [P.DOMAIN_SET_MEMORY]: { run: (s, a) => domain(s, a.dom).setMemory(a.memory) },
  [P.DOMAIN_SET_VCPUS]: { run: (s, a) => domain(s, a.dom).setVcpus(a.nvcpus) },
  // libvirtd's remoteDispatchDomainOpenConsole: the console's bytes become this call's stream.
  [P.DOMAIN_OPEN_CONSOLE]: {
    run: async (s, a, call) => {
      s.openStream(call, await domain(s, a.dom).openConsole(a.dev_name, a.flags));
    },
  },
};
