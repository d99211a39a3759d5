/**
 * One domain of the in-memory hypervisor: its persistent configuration, its
 * live definition while it runs, its state, and the CPU time it has used.
 */
import { performance } from 'node:perf_hooks';
import { DomainState } from '../../constants';
import type { DomainInfo, DomainRef } from '../../types';
import type { DomainDefinition } from '../../xml';
import { cloneDomainDefinition } from '../../xml/domain-format';

/** States in which the guest's vCPUs run and so use CPU time. */
function consumesCpu(state: DomainState): boolean {
  return state === DomainState.RUNNING || state === DomainState.BLOCKED;
}

export class TestDomain {
  /** The persistent definition; null for a transient domain. */
  config: DomainDefinition | null;
  /** The running definition (setMemory/setVcpus change it); null while shut off. */
  live: DomainDefinition | null = null;
  state: DomainState = DomainState.SHUTOFF;
  reason = 0;
  autostart = false;
  /** Managed-saved since it last ran (libvirt's test driver keeps no image: the next start boots). */
  managedSave = false;
  #id = -1;
  #ref: DomainRef;
  /** CPU time used in earlier running periods, in ns. */
  #cpuNsBefore = 0n;
  /** performance.now() when the current running period began; -1 when not running. */
  #runningSinceMs = -1;

  constructor(config: DomainDefinition | null, live: DomainDefinition | null) {
    this.config = config;
    this.live = live;
    const def = (live ?? config)!;
    this.#ref = Object.freeze({ name: def.name, uuid: def.uuid, id: -1 });
  }

  /** The definition in effect: live while active, else the configuration. */
  get def(): DomainDefinition {
    return (this.live ?? this.config)!;
  }

  get uuid(): string {
    return this.#ref.uuid;
  }
  get name(): string {
    return this.#ref.name;
  }
  get id(): number {
    return this.#id;
  }
  get active(): boolean {
    return this.state !== DomainState.SHUTOFF;
  }
  get persistent(): boolean {
    return this.config !== null;
  }

  /** The identity handed to callers (the same frozen object until name or id change). */
  get ref(): DomainRef {
    return this.#ref;
  }

  /** Boots the domain with id `id`: the live definition starts as a copy of the configuration. */
  start(id: number, state: DomainState, reason: number): void {
    if (!this.live) this.live = cloneDomainDefinition(this.config!);
    this.#id = id;
    this.#ref = Object.freeze({ name: this.name, uuid: this.uuid, id });
    this.setState(state, reason);
  }

  /** Shuts the domain off; its live definition is dropped. */
  stop(reason: number): void {
    this.setState(DomainState.SHUTOFF, reason);
    this.live = null;
    this.#id = -1;
    this.#ref = Object.freeze({ name: this.name, uuid: this.uuid, id: -1 });
  }

  setState(state: DomainState, reason: number): void {
    const now = performance.now();
    if (this.#runningSinceMs >= 0 && !consumesCpu(state)) {
      this.#cpuNsBefore += BigInt(Math.round((now - this.#runningSinceMs) * 1e6));
      this.#runningSinceMs = -1;
    } else if (this.#runningSinceMs < 0 && consumesCpu(state)) {
      this.#runningSinceMs = now;
    }
    this.state = state;
    this.reason = reason;
  }

  /** CPU time used so far: the guest's vCPUs run for as long as the domain is running. */
  cpuTimeNs(): bigint {
    if (this.#runningSinceMs < 0) return this.#cpuNsBefore;
    return this.#cpuNsBefore + BigInt(Math.round((performance.now() - this.#runningSinceMs) * 1e6));
  }

  /** virDomainGetInfo: allocation-light, it is the hot path. */
  info(): DomainInfo {
    const def = this.live ?? this.config!;
    return {
      state: this.state,
      maxMemKiB: def.memoryKiB,
      memoryKiB: def.currentMemoryKiB,
      nrVirtCpu: def.vcpus,
      cpuTimeNs: this.cpuTimeNs(),
    };
  }
}
