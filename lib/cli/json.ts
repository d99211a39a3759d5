/**
 * `--json` output: the documented shapes (docs/cli.md) and a serializer
 * that writes 64-bit counters (bigint) as exact JSON numbers.
 */
import { domainStateName, domainStateReasonName, formatVersion } from '../constants';
import type { DomainRef, DomainStateInfo, NodeInfo } from '../types';
import type { DomainSummary, VersionReport } from './format';

/** A value the serializer can write: JSON's values plus bigint. */
export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One line of JSON. bigint values become plain JSON numbers with every digit kept. */
export function toJsonLine(value: JsonValue): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  // JSON.stringify escapes a NUL inside ordinary strings, so only our markers hold a raw one.
  return text.replace(/"\u0000bigint:(-?[0-9]+)"/g, '$1') + '\n';
}

/** A domain's identity; `id` is null while the domain is not running. */
export function domainJson(ref: DomainRef): { id: number | null; name: string; uuid: string } {
  return { id: ref.id < 0 ? null : ref.id, name: ref.name, uuid: ref.uuid };
}

export function listEntryJson(ref: DomainRef, state: number): JsonValue {
  return { ...domainJson(ref), state: domainStateName(state), stateCode: state };
}

export function domainInfoJson(d: DomainSummary): JsonValue {
  return {
    id: d.id < 0 ? null : d.id,
    name: d.name,
    uuid: d.uuid,
    osType: d.osType,
    state: domainStateName(d.info.state),
    stateCode: d.info.state,
    cpus: d.info.nrVirtCpu,
    cpuTimeNs: d.info.cpuTimeNs,
    maxMemKiB: d.info.maxMemKiB,
    memoryKiB: d.info.memoryKiB,
    persistent: d.persistent,
    autostart: d.autostart,
  };
}

export function domainStateJson(s: DomainStateInfo): JsonValue {
  return {
    state: domainStateName(s.state),
    stateCode: s.state,
    reason: domainStateReasonName(s.state, s.reason),
    reasonCode: s.reason,
  };
}

export function nodeInfoJson(n: NodeInfo): JsonValue {
  return {
    model: n.model, cpus: n.cpus, mhz: n.mhz, sockets: n.sockets, cores: n.cores,
    threads: n.threads, nodes: n.nodes, memoryKiB: n.memoryKiB,
  };
}

export function versionJson(v: VersionReport): JsonValue {
  return {
    library: 'xvirt',
    libraryVersion: formatVersion(v.libraryVersion),
    hypervisorType: v.hypervisorType,
    hypervisorVersion: v.hypervisorVersion === 0 ? null : formatVersion(v.hypervisorVersion),
  };
}

/** What a state-changing command reports: what it did, and to which domain. */
export function actionJson(action: string, ref: DomainRef): JsonValue {
  return { action, domain: domainJson(ref) };
}
