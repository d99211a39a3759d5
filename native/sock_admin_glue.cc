// N-API glue for native/sock_admin.c (xvirtd admission): argument checks, then one C call.
// The typed facade is lib/native-sockets.ts.
#include <napi.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

extern "C" {
#include "sock_admin.h"
}

namespace {

Napi::Value ErrnoError(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + std::strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// peerCredentials(fd: integer >= 0) -> { pid, uid, gid }
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double d = info.Length() == 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d <= 2147483647.0) || std::floor(d) != d) {
    Napi::TypeError::New(env, "peerCredentials(fd: a descriptor number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  sa_peer peer;
  int err = sa_peercred(static_cast<int>(d), &peer);
  if (err != 0) return ErrnoError(env, "SO_PEERCRED", err);
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", Napi::Number::New(env, static_cast<double>(peer.pid)));
  o.Set("uid", Napi::Number::New(env, static_cast<double>(peer.uid)));
  o.Set("gid", Napi::Number::New(env, static_cast<double>(peer.gid)));
  return o;
}

// raiseFileLimit() -> { soft, hard } after raising soft to hard (Infinity when unlimited)
Napi::Value RaiseFileLimit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t soft, hard;
  int err = sa_raise_nofile(&soft, &hard);
  if (err != 0) return ErrnoError(env, "getrlimit(RLIMIT_NOFILE)", err);
  auto num = [&](uint64_t v) { return Napi::Number::New(env, v == UINT64_MAX ? INFINITY : static_cast<double>(v)); };
  Napi::Object o = Napi::Object::New(env);
  o.Set("soft", num(soft));
  o.Set("hard", num(hard));
  return o;
}

// trimHeap() -> true if the C heap gave pages back to the kernel
Napi::Value TrimHeap(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), sa_trim_heap() != 0);
}

}  // namespace

void AddSocketAdmin(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New<PeerCredentials>(env, "peerCredentials"));
  exports.Set("raiseFileLimit", Napi::Function::New<RaiseFileLimit>(env, "raiseFileLimit"));
  exports.Set("trimHeap", Napi::Function::New<TrimHeap>(env, "trimHeap"));
}
