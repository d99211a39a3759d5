/**
 * The remote driver's save, restore and managed save calls, made as
 * libvirt's remote driver makes them: without flags, the original
 * procedures every server knows (DOMAIN_SAVE, DOMAIN_RESTORE); with flags,
 * their _FLAGS forms. xvirt's API has no replacement definition (dxml) for
 * the image, so none is sent.
 */
import { RemoteProcedure as P } from '../../rpc/procedures';
import type { DomainRef } from '../../types';
import { RemoteMonitoring } from './monitoring';

/** Extends the monitoring calls' base: the remote driver is one class chain over one RPC client. */
export abstract class RemoteSaveDriver extends RemoteMonitoring {
  async domainSave(dom: DomainRef, file: string, flags: number): Promise<void> {
    if (flags === 0) await this.rpc().call(P.DOMAIN_SAVE, { dom, to: file });
    else await this.rpc().call(P.DOMAIN_SAVE_FLAGS, { dom, to: file, dxml: null, flags });
  }

  /** The reply names no domain (libvirt's protocol): the caller looks it up. */
  async domainRestore(file: string, flags: number): Promise<void> {
    if (flags === 0) await this.rpc().call(P.DOMAIN_RESTORE, { from: file });
    else await this.rpc().call(P.DOMAIN_RESTORE_FLAGS, { from: file, dxml: null, flags });
  }

  async domainManagedSave(dom: DomainRef, flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_MANAGED_SAVE, { dom, flags });
  }

  async domainHasManagedSaveImage(dom: DomainRef, flags: number): Promise<boolean> {
    return (await this.rpc().call(P.DOMAIN_HAS_MANAGED_SAVE_IMAGE, { dom, flags })).result;
  }

  async domainManagedSaveRemove(dom: DomainRef, flags: number): Promise<void> {
    await this.rpc().call(P.DOMAIN_MANAGED_SAVE_REMOVE, { dom, flags });
  }
}
