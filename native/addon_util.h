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

// True if `v` is a typed array of `type` with exactly (`exact`) or at least `length` elements; sets *data.
inline bool TypedArrayOf(napi_env env, napi_value v, napi_typedarray_type type, size_t length, void** data, bool exact) {
  napi_typedarray_type actual;
  size_t n;
  if (napi_get_typedarray_info(env, v, &actual, &n, data, nullptr, nullptr) != napi_ok) return false;
  return actual == type && (exact ? n == length : n >= length);
}

#endif
