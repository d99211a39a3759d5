/**
 * `--json` output: the documented shapes (docs/cli.md) and a serializer
 * that writes 64-bit counters (bigint) as exact JSON numbers.
 */
import { domainStateName, domainStateReasonName, formatVersion } from '../constants';
import type { DomainRef, DomainStateInfo, NodeInfo } from '../types';
import type { DomainSummary, VersionReport } from './format';

/** A value the serializer can write: JSON's values plus bigint. */
export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** JSON text for `value`; bigint values are written as plain JSON numbers with every digit kept. */
export function toJson(value: JsonValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
    .join(',')}}`;
}

/** One JSON document on one line. */
export function toJsonLine(value: JsonValue): string {
  return toJson(value) + '\n';
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
    model: n.model,
    cpus: n.cpus,
    mhz: n.mhz,
    sockets: n.sockets,
    cores: n.cores,
    threads: n.threads,
    nodes: n.nodes,
    memoryKiB: n.memoryKiB,
  };
}

export function versionJson(v: VersionReport): JsonValue {
  return {
    library: 'xvirt',
    libraryVersion: formatVersion(v.libraryVersion),
    hypervisorType: v.hypervisorType,
    hypervisorVersion: v.hypervisorVersion === 0 ? null : formatVersion(v.hypervisorVersion),
    ...(v.daemonVersion === null ? {} : { daemonVersion: formatVersion(v.daemonVersion) }),
  };
}

/** What a state-changing command reports: what it did, and to which domain. */
export function actionJson(action: string, ref: DomainRef): JsonValue {
  return { action, domain: domainJson(ref) };
}
