// N-API glue for the proxy channel (native/proxy_channel.c): argument checks,
// then one C call. The typed facade is lib/drivers/proxy/channel.ts.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <string>

#include "addon_env.h"
#include "proxy/xp_protocol.h"
#include "proxy_channel.h"

namespace {

constexpr double kTimeoutMaxMs = 600000;

void ThrowType(Napi::Env env, const char* msg) { Napi::TypeError::New(env, msg).ThrowAsJavaScriptException(); }

// The bytes of a Uint8Array (a Buffer), or nullptr.
uint8_t* BytesOf(napi_env env, napi_value v, size_t* length) {
  napi_typedarray_type type;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, length, &data, nullptr, nullptr) != napi_ok || type != napi_uint8_array) return nullptr;
  return static_cast<uint8_t*>(data);
}

bool IntegerIn(const Napi::Value& v, double lo, double hi, double* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || std::floor(d) != d) return false;
  *out = d;
  return true;
}

class ProxyChannel : public Napi::ObjectWrap<ProxyChannel>, public EnvResource {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ProxyChannel", {
      InstanceMethod<&ProxyChannel::Connect>("connect"),
      InstanceMethod<&ProxyChannel::Exchange>("exchange"),
      InstanceMethod<&ProxyChannel::Take>("take"),
      InstanceMethod<&ProxyChannel::Close>("close"),
    });
  }

  explicit ProxyChannel(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ProxyChannel>(info), EnvResource(info.Env()) {
    pc_init(&ch_);
  }
  ~ProxyChannel() override { pc_destroy(&ch_); }
  // The environment ended (native/addon_env.h): the socket and the reply buffer go now.
  void Release() override { pc_destroy(&ch_); }

 private:
  // connect(path: string, timeoutMs: integer) -> 0, or the errno of the failure
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double timeout;
    if (info.Length() < 2 || !info[0].IsString() || !IntegerIn(info[1], 1, kTimeoutMaxMs, &timeout)) {
      ThrowType(env, "connect(path: string, timeoutMs: integer from 1 to 600000)");
      return env.Undefined();
    }
    std::string path = info[0].As<Napi::String>().Utf8Value();
    if (path.empty() || path.find('\0') != std::string::npos) {
      ThrowType(env, "the socket path must be a non-empty string without NUL bytes");
      return env.Undefined();
    }
    return Napi::Number::New(env, pc_connect(&ch_, path.c_str(), static_cast<int>(timeout)));
  }

  // exchange(requests: Buffer, length: number, out: Buffer) -> bytes of replies, copied into out
  // when they fit (else the caller passes a larger buffer to take()).
  Napi::Value Exchange(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t req_cap, out_cap;
    double length;
    uint8_t* req = info.Length() == 3 ? BytesOf(env, info[0], &req_cap) : nullptr;
    uint8_t* out = req ? BytesOf(env, info[2], &out_cap) : nullptr;
    if (!out || !IntegerIn(info[1], XP_REQUEST_LEN, static_cast<double>(req_cap), &length) ||
        static_cast<size_t>(length) % XP_REQUEST_LEN != 0) {
      ThrowType(env, "exchange(requests: Buffer, length: a multiple of 32 within it, out: Buffer)");
      return env.Undefined();
    }
    enum pc_status st = pc_exchange(&ch_, req, static_cast<size_t>(length));
    if (st != PC_OK) {
      Napi::Error e = Napi::Error::New(env, ch_.detail);
      e.Set("code", Napi::String::New(env, pc_status_name(st)));
      e.Set("errno", Napi::Number::New(env, ch_.sys_errno));
      e.ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (ch_.len <= out_cap) std::memcpy(out, ch_.buf, ch_.len);
    return Napi::Number::New(env, static_cast<double>(ch_.len));
  }

  // take(out: Buffer): the last exchange's replies, for an out that exchange() found too small
  Napi::Value Take(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t out_cap;
    uint8_t* out = info.Length() == 1 ? BytesOf(env, info[0], &out_cap) : nullptr;
    if (!out || out_cap < ch_.len) {
      ThrowType(env, "take(out: Buffer large enough for the last replies)");
      return env.Undefined();
    }
    if (ch_.len) std::memcpy(out, ch_.buf, ch_.len);
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    pc_disconnect(&ch_);
    return info.Env().Undefined();
  }

  proxy_channel ch_;
};

}  // namespace

Napi::Function DefineProxyChannel(Napi::Env env) { return ProxyChannel::Define(env); }
