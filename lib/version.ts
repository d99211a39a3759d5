/**
 * Versions are encoded the libvirt way: major * 1,000,000 + minor * 1,000 + release. Here, not in constants.ts
 * (which re-exports both), so an idle daemon that only names its version does not load every constant table.
 */
export function encodeVersion(major: number, minor: number, release: number): number {
  return major * 1_000_000 + minor * 1_000 + release;
}

export function formatVersion(version: number): string {
  const major = Math.floor(version / 1_000_000);
  const minor = Math.floor((version % 1_000_000) / 1_000);
  return `${major}.${minor}.${version % 1_000}`;
}

/** xvirt's own version (kept equal to package.json's by a test). */
export const XVIRT_VERSION = '0.1.0';

/** xvirt's version in libvirt's encoding, as getLibVersion reports it. */
export const XVIRT_LIB_VERSION = encodeVersion(...(XVIRT_VERSION.split('.').map(Number) as [number, number, number]));

/**
 * The libvirt release whose remote protocol xvirtd implements (9.0.0), as
 * xvirtd reports it to virConnectGetLibVersion: clients such as virt-manager
 * gate features on it. xvirt's own version stays XVIRT_VERSION.
 */
export const LIBVIRT_PROTOCOL_VERSION = encodeVersion(9, 0, 0);
