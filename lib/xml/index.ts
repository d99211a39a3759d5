/** libvirt domain XML: parse to a typed definition, format back. */
export { parseDomainXml, parseDomainElement, MAX_VCPUS } from './domain-parse';
export { formatDomainXml, cloneDomainDefinition } from './domain-format';
export { parseMemoryKiB, unitScale } from './units';
export type { DomainDefinition, DomainOsDefinition, FormatDomainOptions, LifecycleAction } from './domain-types';
export { VIRT_TYPES, OS_TYPES, BOOT_DEVICES } from './domain-types';
// Network and storage XML: import lib/xml/network, storage-pool, storage-vol directly (kept out of
// this index so that domain-only users do not load them).
