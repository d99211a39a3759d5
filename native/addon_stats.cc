// Statistics calls of the Hypervisor object: argument checks first, then one core call into reused scratch,
// then the records copied into the caller's Float64Array.
#include "addon_stats.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "addon_util.h"

namespace {

constexpr size_t kUuidLen = 16;

// The Float64Array argument `i` and its element count, or nullptr after throwing a TypeError naming `usage`.
double* OutArray(const Napi::CallbackInfo& info, size_t i, size_t* length, const char* usage) {
  void* data = nullptr;
  napi_typedarray_type type;
  if (info.Length() <= i ||
      napi_get_typedarray_info(info.Env(), info[i], &type, length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    ThrowType(info.Env(), usage);
    return nullptr;
  }
  return static_cast<double*>(data);
}

Napi::Value Fail(Napi::Env env, xc_handle* h) {
  XcError(env, *xc_last_error(h)).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

Napi::Value HypervisorStats::Vcpus(const Napi::CallbackInfo& info, xc_handle* h) {
  Napi::Env env = info.Env();
  static const char usage[] = "vcpus(domid, expectUuid: Uint8Array(16) | null, out: Float64Array)";
  uint32_t domid;
  if (!DomidArg(info, 0, &domid)) return env.Undefined();
  if (info.Length() < 3) {
    ThrowType(env, usage);
    return env.Undefined();
  }
  const uint8_t* expect = nullptr;
  if (!info[1].IsNull()) {
    void* data;
    if (!TypedArrayOf(env, info[1], napi_uint8_array, kUuidLen, &data, true)) {
      ThrowType(env, "expected UUID must be null or a 16-byte Uint8Array");
      return env.Undefined();
    }
    expect = static_cast<const uint8_t*>(data);
  }
  size_t length;
  double* out = OutArray(info, 2, &length, usage);
  if (!out) return env.Undefined();
  size_t cap = length / VCPU_STRIDE;
  if (vcpus_.size() < cap) vcpus_.resize(cap);

  xc_dominfo dom;
  size_t count = 0;
  int rc = xc_domain_vcpus(h, domid, &dom, vcpus_.data(), cap, &count);
  if (rc == XC_ENODOMAIN || (rc == XC_OK && expect && std::memcmp(expect, dom.handle, kUuidLen) != 0))
    return Napi::Number::New(env, -1);
  if (rc != XC_OK) return Fail(env, h);
  for (size_t i = 0; i < count && i < cap; i++) {
    const xc_vcpuinfo& v = vcpus_[i];
    double* rec = out + i * VCPU_STRIDE;
    rec[VCPU_PRESENT] = v.present;
    rec[VCPU_ONLINE] = v.online;
    rec[VCPU_BLOCKED] = v.blocked;
    rec[VCPU_RUNNING] = v.running;
    rec[VCPU_CPU] = v.cpu;
    std::memcpy(&rec[VCPU_CPU_TIME], &v.cpu_time_ns, sizeof v.cpu_time_ns);
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value HypervisorStats::VcpuAffinity(const Napi::CallbackInfo& info, xc_handle* h) {
  Napi::Env env = info.Env();
  uint32_t domid;
  if (!DomidArg(info, 0, &domid)) return env.Undefined();
  uint32_t vcpu;
  uint8_t* map;
  size_t length;
  if (!VcpuMapArgs(info, "vcpuAffinity(domid, vcpu, out: Uint8Array)", &vcpu, &map, &length)) return env.Undefined();
  int rc = xc_vcpu_affinity(h, domid, vcpu, map, length);
  if (rc == XC_ENODOMAIN) return Napi::Number::New(env, -1);
  if (rc != XC_OK) return Fail(env, h);
  return Napi::Number::New(env, 0);
}

Napi::Value HypervisorStats::CpuIdle(const Napi::CallbackInfo& info, xc_handle* h) {
  size_t length, count = 0;
  double* out = OutArray(info, 0, &length, "cpuIdle(out: Float64Array)");
  if (!out) return info.Env().Undefined();
  // Float64Array storage is 8-byte aligned: the core writes the raw uint64 values in place.
  if (xc_cpu_idle(h, reinterpret_cast<uint64_t*>(out), length, &count) != XC_OK) return Fail(info.Env(), h);
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}

Napi::Value HypervisorStats::NodeMemory(const Napi::CallbackInfo& info, xc_handle* h) {
  size_t length, count = 0;
  double* out = OutArray(info, 0, &length, "nodeMemory(out: Float64Array)");
  if (!out) return info.Env().Undefined();
  size_t cap = length / NODE_STRIDE;
  if (nodes_.size() < cap) nodes_.resize(cap);
  if (xc_numa_memory(h, nodes_.data(), cap, &count) != XC_OK) return Fail(info.Env(), h);
  for (size_t i = 0; i < count && i < cap; i++) {
    double* rec = out + i * NODE_STRIDE;
    rec[NODE_ONLINE] = nodes_[i].online;
    rec[NODE_SIZE_KIB] = static_cast<double>(nodes_[i].size_bytes / 1024);
    rec[NODE_FREE_KIB] = static_cast<double>(nodes_[i].free_bytes / 1024);
  }
  return Napi::Number::New(info.Env(), static_cast<double>(count));
}
