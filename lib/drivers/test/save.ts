/**
 * Save and managed save on the test driver, as libvirt's test driver does
 * them: a save writes the running definition to an image and stops the
 * domain (STOPPED/SAVED), a restore runs it again (STARTED/RESTORED); a
 * managed save keeps no image, only a mark the next start (a plain boot,
 * STARTED/BOOTED, as in libvirt's test driver) drops. No flag is accepted.
 * The image code (files, atomic writes) loads with the first save or restore.
 */
import { formatDomainXml } from '../../xml/domain-format';
import type { TestDomain } from './domain';
import { checkFlags } from './errors';
import { createDomain, managedSaveDomain, requireActive, savedDomain } from './lifecycle';
import type { DomainDefinition } from '../../xml';
import type { TestState } from './state';

export async function saveDomain(state: TestState, dom: TestDomain, file: string, flags: number): Promise<void> {
  checkFlags(flags, 0, 'testDomainSaveFlags');
  requireActive(dom);
  const { writeSaveImage } = await import('./save-images');
  await writeSaveImage(file, dom.name, formatDomainXml(dom.def, { inactive: true }));
  try {
    // Another connection may have stopped it while the image was written.
    savedDomain(state, dom);
  } catch (err) {
    await (await import('node:fs/promises')).rm(file, { force: true });
    throw err;
  }
}

/** Runs the definition saved in `file` (parsed by `parse`, the test driver's XML rules). */
export async function restoreDomain(
  state: TestState,
  file: string,
  flags: number,
  parse: (xml: string) => Promise<DomainDefinition>,
): Promise<void> {
  checkFlags(flags, 0, 'testDomainRestoreFlags');
  const { readSaveImage } = await import('./save-images');
  createDomain(state, await parse(await readSaveImage(file)), false, true);
}

export function managedSave(state: TestState, dom: TestDomain, flags: number): void {
  checkFlags(flags, 0, 'testDomainManagedSave');
  managedSaveDomain(state, dom);
}

export function hasManagedSaveImage(dom: TestDomain, flags: number): boolean {
  checkFlags(flags, 0, 'testDomainHasManagedSaveImage');
  return dom.managedSave;
}

export function managedSaveRemove(dom: TestDomain, flags: number): void {
  checkFlags(flags, 0, 'testDomainManagedSaveRemove');
  dom.managedSave = false;
}
