/** libvirt domain XML: parse to a typed definition, format back. */
export { parseDomainXml, parseDomainElement, MAX_VCPUS } from './domain-parse';
export { formatDomainXml, cloneDomainDefinition } from './domain-format';
export { parseMemoryKiB, unitScale } from './units';
export type { DomainDefinition, DomainOsDefinition, FormatDomainOptions, LifecycleAction } from './domain-types';
export { VIRT_TYPES, OS_TYPES, BOOT_DEVICES } from './domain-types';
export { parseNetworkXml, formatNetworkXml, FORWARD_MODES } from './network';
export type { NetworkDefinition, NetworkIp, DhcpRange, DhcpHost, ForwardMode } from './network';
export { parseStoragePoolXml, formatStoragePoolXml, POOL_TYPES } from './storage-pool';
export type { StoragePoolDefinition, PoolType, PoolFigures } from './storage-pool';
export { parseStorageVolXml, formatStorageVolXml, checkVolumeName } from './storage-vol';
export type { StorageVolDefinition, VolumePlacement } from './storage-vol';
