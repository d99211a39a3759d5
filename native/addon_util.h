// Argument checks and error conversion shared by the addon's glue files.
#ifndef ADDON_UTIL_H
#define ADDON_UTIL_H

#include <napi.h>

#include <cmath>

#include "xc_core.h"

inline Napi::Error XcError(Napi::Env env, const xc_error& err) {
  Napi::Error e = Napi::Error::New(env, err.message);
  e.Set("code", Napi::String::New(env, xc_status_name(err.status)));
  e.Set("errno", Napi::Number::New(env, err.sys_errno));
  return e;
}

inline void ThrowType(Napi::Env env, const char* msg) { Napi::TypeError::New(env, msg).ThrowAsJavaScriptException(); }

inline bool DomidArg(const Napi::CallbackInfo& info, size_t i, uint32_t* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowType(info.Env(), "domain id must be a number");
    return false;
  }
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= XC_DOMID_MAX) || std::floor(v) != v) {
    ThrowType(info.Env(), "domain id must be an integer from 0 to 32751");
    return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// The (vcpu, map) arguments of an affinity call at info[1] and info[2]: a vCPU id and a Uint8Array CPU map of 1 to
// XC_CPUMAP_MAX bytes, which *map views (the caller copies it if it outlives the call). `usage` names the call.
inline bool VcpuMapArgs(const Napi::CallbackInfo& info, const char* usage, uint32_t* vcpu, uint8_t** map,
                        size_t* length) {
  static_assert(XC_CPUMAP_MAX == 448, "the message below names the limit");
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[1].IsNumber()) {
    ThrowType(env, usage);
    return false;
  }
  double v = info[1].As<Napi::Number>().DoubleValue();
  if (!(v >= 0 && v <= UINT32_MAX) || std::floor(v) != v) {
    ThrowType(env, "vCPU id must be an integer from 0 to 4294967295");
    return false;
  }
  void* data;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, info[2], &type, length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array || *length == 0 || *length > XC_CPUMAP_MAX) {
    ThrowType(env, "CPU map must be a Uint8Array of 1 to 448 bytes");
    return false;
  }
  *vcpu = static_cast<uint32_t>(v);
  *map = static_cast<uint8_t*>(data);
  return true;
}

// True if `v` is a typed array of `type` with exactly (`exact`) or at least `length` elements; sets *data.
inline bool TypedArrayOf(napi_env env, napi_value v, napi_typedarray_type type, size_t length, void** data, bool exact) {
  napi_typedarray_type actual;
  size_t n;
  if (napi_get_typedarray_info(env, v, &actual, &n, data, nullptr, nullptr) != napi_ok) return false;
  return actual == type && (exact ? n == length : n >= length);
}

#endif
