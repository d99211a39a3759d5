// Statistics calls of the addon's Hypervisor object, over its query handle
// (native/addon_stats.cc). Results go into caller-provided Float64Arrays;
// record layouts: the enums below, mirrored in lib/native.ts.
#ifndef ADDON_STATS_H
#define ADDON_STATS_H

#include <napi.h>

#include <vector>

#include "xc_core.h"

// Slots of one vCPU record (VCPU_CPU_TIME holds raw uint64 bits).
enum : size_t { VCPU_PRESENT, VCPU_ONLINE, VCPU_BLOCKED, VCPU_RUNNING, VCPU_CPU, VCPU_CPU_TIME, VCPU_STRIDE };
// Slots of one NUMA node record.
enum : size_t { NODE_ONLINE, NODE_SIZE_KIB, NODE_FREE_KIB, NODE_STRIDE };

class HypervisorStats {
 public:
  // vcpus(domid, expectUuid: Uint8Array(16) | null, out: Float64Array) -> the domain's vCPU count (records
  // written: as many as fit), or -1 when no domain has that id (or, with expectUuid, it has another UUID).
  Napi::Value Vcpus(const Napi::CallbackInfo& info, xc_handle* h);
  // vcpuAffinity(domid, vcpu, out: Uint8Array(1..XC_CPUMAP_MAX)) -> 0 with vCPU `vcpu`'s hard affinity in `out`
  // (libvirt's cpumap layout), or -1 when no domain has that id or it has no such vCPU.
  Napi::Value VcpuAffinity(const Napi::CallbackInfo& info, xc_handle* h);
  // cpuIdle(out: Float64Array, raw uint64 ns per CPU) -> the number of CPU ids Xen reports (may exceed out).
  Napi::Value CpuIdle(const Napi::CallbackInfo& info, xc_handle* h);
  // nodeMemory(out: Float64Array of NODE_STRIDE records) -> the number of node ids (may exceed out's room).
  Napi::Value NodeMemory(const Napi::CallbackInfo& info, xc_handle* h);

 private:
  std::vector<xc_vcpuinfo> vcpus_;     // grows to the largest request, then reused
  std::vector<xc_node_memory> nodes_;
};

#endif
