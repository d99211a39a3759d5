import { encodeVersion } from './constants';

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
