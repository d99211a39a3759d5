// N-API glue over the C core (xc_core.h). Thin on purpose: argument checks,
// then one core call. getInfo/list run synchronously on the caller's thread
// and write into caller-provided typed arrays; open and control calls (pinning
// a vCPU among them) run on the libuv pool. Record layout: see REC_* below and
// lib/native.ts.
#include <napi.h>

#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "addon_env.h"
#include "addon_stats.h"
#include "addon_util.h"
#include "xc_core.h"

Napi::Function DefineProxyChannel(Napi::Env env);  // native/proxy_channel_glue.cc
void AddSocketAdmin(Napi::Env env, Napi::Object exports);  // native/sock_admin_glue.cc

namespace {

// Slots of one domain record in a Float64Array (REC_CPU_TIME holds raw uint64 bits).
enum : size_t {
  REC_DOMID, REC_STATE, REC_REASON, REC_FLAGS, REC_MEM_KIB, REC_MAX_MEM_KIB, REC_ONLINE_VCPUS,
  REC_MAX_VCPUS, REC_CPU_TIME, REC_SHUTDOWN_CODE, REC_XEN_STATE, REC_STRIDE,
};
constexpr size_t kUuidLen = 16;
constexpr double kKiBPerPage = 4;  // Xen pages are 4 KiB on every architecture it runs dom0s on

void WriteRecord(const xc_dominfo& d, double* rec) {
  rec[REC_DOMID] = d.domid;
  rec[REC_STATE] = d.state;
  rec[REC_REASON] = d.reason;
  rec[REC_FLAGS] = d.flags;
  rec[REC_MEM_KIB] = static_cast<double>(d.tot_pages) * kKiBPerPage;
  rec[REC_MAX_MEM_KIB] = static_cast<double>(d.max_pages) * kKiBPerPage;
  rec[REC_ONLINE_VCPUS] = d.online_vcpus;
  rec[REC_MAX_VCPUS] = d.max_vcpus;
  std::memcpy(&rec[REC_CPU_TIME], &d.cpu_time_ns, sizeof d.cpu_time_ns);
  rec[REC_SHUTDOWN_CODE] = d.shutdown_code;
  rec[REC_XEN_STATE] = d.xen_state;
}

// What an open produces on the pool thread, handed to the Hypervisor constructor.
struct Opened {
  xc_handle* query = nullptr;
  xc_handle* control = nullptr;
  std::string extraversion, capabilities;
};

class Hypervisor;

enum class Op { kOpen, kPause, kUnpause, kDestroy, kShutdown, kPinVcpu };

// What a control call acts on, copied from the caller's arguments before the call is queued (the pool thread
// never touches JS memory).
struct ControlArgs {
  uint32_t domid = 0;
  uint32_t reason = 0;  // kShutdown
  uint32_t vcpu = 0;    // kPinVcpu: the vCPU and its new hard affinity (map[0, map_len))
  std::array<uint8_t, XC_CPUMAP_MAX> map{};
  size_t map_len = 0;
};

class Worker : public Napi::AsyncWorker {
 public:
  // Queues the call and returns its promise, or an empty value (undefined in JS) when no promise can be made:
  // napi_create_promise refuses once the environment is being torn down (a worker thread terminated while its
  // JS still runs) and then leaves its out-parameters unset. Napi::Promise::Deferred ignores that failure, and
  // returning its unset promise handed N-API a garbage napi_value (a SIGSEGV under load); nothing is queued here.
  static Napi::Value Start(Napi::Env env, Op op, Hypervisor* hv, Napi::Object self, const ControlArgs& args);

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error&) override;

 private:
  Op op_;
  Hypervisor* hv_;
  Napi::ObjectReference self_;  // keeps the Hypervisor alive while the call runs
  ControlArgs args_;
  Opened opened_;
  xc_error err_{};
  napi_deferred deferred_;

  Worker(Napi::Env env, Op op, Hypervisor* hv, Napi::Object self, const ControlArgs& args, napi_deferred deferred);
  void Settle(bool ok, napi_value value) {
    (ok ? napi_resolve_deferred : napi_reject_deferred)(Env(), deferred_, value);
  }
};

class Hypervisor : public Napi::ObjectWrap<Hypervisor>, public EnvResource {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Hypervisor", {
      InstanceMethod<&Hypervisor::Info>("info"),
      InstanceMethod<&Hypervisor::Physinfo>("physinfo"),
      InstanceMethod<&Hypervisor::GetInfo>("getInfo"),
      InstanceMethod<&Hypervisor::List>("list"),
      InstanceMethod<&Hypervisor::Pause>("pause"),
      InstanceMethod<&Hypervisor::Unpause>("unpause"),
      InstanceMethod<&Hypervisor::Destroy>("destroy"),
      InstanceMethod<&Hypervisor::Shutdown>("shutdown"),
      InstanceMethod<&Hypervisor::PinVcpu>("pinVcpu"),
      InstanceMethod<&Hypervisor::Close>("close"),
      InstanceMethod<&Hypervisor::Vcpus>("vcpus"),
      InstanceMethod<&Hypervisor::VcpuAffinity>("vcpuAffinity"),
      InstanceMethod<&Hypervisor::CpuIdle>("cpuIdle"),
      InstanceMethod<&Hypervisor::NodeMemory>("nodeMemory"),
    });
  }

  explicit Hypervisor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Hypervisor>(info), EnvResource(info.Env()) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      ThrowType(info.Env(), "Hypervisor objects come from openHypervisor()");
      return;
    }
    Opened* o = info[0].As<Napi::External<Opened>>().Data();
    query_ = o->query;
    control_ = o->control;
    extraversion_ = o->extraversion;
    capabilities_ = o->capabilities;
    o->query = o->control = nullptr;
  }

  ~Hypervisor() override {
    xc_close(query_);
    xc_close(control_);
  }

  // The environment ended (native/addon_env.h): both handles go now, the control one as soon as no pool
  // thread is inside a call on it.
  void Release() override {
    closed_ = true;
    xc_close(query_);
    query_ = nullptr;
    std::lock_guard<std::mutex> lock(control_mutex_);
    xc_close(control_);
    control_ = nullptr;
  }

  // Runs on the pool: control calls are serialized on their own handle.
  int Control(Op op, const ControlArgs& a, xc_error* err) {
    std::lock_guard<std::mutex> lock(control_mutex_);
    if (!control_) {
      *err = xc_error{XC_EINVAL, 0, "the hypervisor handle is closed"};
      return XC_EINVAL;
    }
    int rc = op == Op::kPause      ? xc_domain_pause(control_, a.domid)
             : op == Op::kUnpause  ? xc_domain_unpause(control_, a.domid)
             : op == Op::kShutdown ? xc_domain_shutdown(control_, a.domid, a.reason)
             : op == Op::kPinVcpu  ? xc_vcpu_set_affinity(control_, a.domid, a.vcpu, a.map.data(), a.map_len)
                                   : xc_domain_destroy(control_, a.domid);
    if (rc != XC_OK) *err = *xc_last_error(control_);
    return rc;
  }

  void ControlDone() {
    if (--inflight_ == 0 && closed_) {
      xc_close(control_);
      control_ = nullptr;
    }
  }

 private:
  bool CheckOpen(Napi::Env env) {
    if (closed_) Napi::Error::New(env, "the hypervisor handle is closed").ThrowAsJavaScriptException();
    return !closed_;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    const xc_iface* i = xc_interface(query_);
    Napi::Object o = Napi::Object::New(env);
    o.Set("major", i->xen_major);
    o.Set("minor", i->xen_minor);
    o.Set("extraversion", extraversion_);
    o.Set("capabilities", capabilities_);
    o.Set("sysctlInterface", i->sysctl_if);
    o.Set("domctlInterface", i->domctl_if);
    o.Set("transport", xc_transport_description(query_));
    return o;
  }

  Napi::Value Physinfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    struct xc_physinfo p;
    if (!CheckOpen(env)) return env.Undefined();
    if (xc_physinfo(query_, &p) != XC_OK) {
      XcError(env, *xc_last_error(query_)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("threadsPerCore", p.threads_per_core);
    o.Set("coresPerSocket", p.cores_per_socket);
    o.Set("cpus", p.nr_cpus);
    o.Set("nodes", p.nr_nodes);
    o.Set("cpuKhz", p.cpu_khz);
    o.Set("capabilities", p.capabilities);
    o.Set("totalKiB", static_cast<double>(p.total_pages) * kKiBPerPage);
    o.Set("freeKiB", static_cast<double>(p.free_pages) * kKiBPerPage);
    return o;
  }

  // getInfo(domid, expectUuid: Uint8Array(16) | null, out: Float64Array(REC_STRIDE)) -> 0 found, 1 no such domain
  Napi::Value GetInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t domid;
    if (!CheckOpen(env) || !DomidArg(info, 0, &domid)) return env.Undefined();
    if (info.Length() < 3) {
      ThrowType(env, "getInfo(domid, expectUuid | null, out)");
      return env.Undefined();
    }
    // The hot path: one napi_get_typedarray_info per array checks its kind and length and yields its data.
    const uint8_t* expect = nullptr;
    if (!info[1].IsNull()) {
      void* data;
      if (!TypedArrayOf(env, info[1], napi_uint8_array, kUuidLen, &data, true)) {
        ThrowType(env, "expected UUID must be null or a 16-byte Uint8Array");
        return env.Undefined();
      }
      expect = static_cast<const uint8_t*>(data);
    }
    void* out;
    if (!TypedArrayOf(env, info[2], napi_float64_array, REC_STRIDE, &out, false)) {
      ThrowType(env, "out must be a Float64Array of at least one record");
      return env.Undefined();
    }
    xc_dominfo d;
    int rc = xc_domain_getinfo(query_, domid, &d);
    if (rc == XC_ENODOMAIN || (rc == XC_OK && expect && std::memcmp(expect, d.handle, kUuidLen) != 0))
      return Napi::Number::New(env, 1);
    if (rc != XC_OK) {
      XcError(env, *xc_last_error(query_)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    WriteRecord(d, static_cast<double*>(out));
    return Napi::Number::New(env, 0);
  }

  // list(out: Float64Array(n * REC_STRIDE), uuids: Uint8Array(n * 16)) -> total domains (may exceed n)
  Napi::Value List(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      ThrowType(env, "list(out: Float64Array, uuids: Uint8Array)");
      return env.Undefined();
    }
    Napi::Float64Array out = info[0].As<Napi::Float64Array>();
    Napi::Uint8Array uuids = info[1].As<Napi::Uint8Array>();
    size_t cap = std::min(out.ElementLength() / REC_STRIDE, uuids.ElementLength() / kUuidLen);
    if (scratch_.size() < cap) scratch_.resize(cap);
    size_t total = 0;
    if (xc_domain_list(query_, scratch_.data(), cap, &total) != XC_OK) {
      XcError(env, *xc_last_error(query_)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    for (size_t i = 0; i < std::min(cap, total); i++) {
      WriteRecord(scratch_[i], out.Data() + i * REC_STRIDE);
      std::memcpy(uuids.Data() + i * kUuidLen, scratch_[i].handle, kUuidLen);
    }
    return Napi::Number::New(env, static_cast<double>(total));
  }

  Napi::Value Queue(const Napi::CallbackInfo& info, Op op, ControlArgs args = {}) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env) || !DomidArg(info, 0, &args.domid)) return env.Undefined();
    Napi::Value p = Worker::Start(env, op, this, info.This().As<Napi::Object>(), args);
    if (!p.IsEmpty()) inflight_++;
    return p;
  }
  Napi::Value Pause(const Napi::CallbackInfo& info) { return Queue(info, Op::kPause); }
  Napi::Value Unpause(const Napi::CallbackInfo& info) { return Queue(info, Op::kUnpause); }
  Napi::Value Destroy(const Napi::CallbackInfo& info) { return Queue(info, Op::kDestroy); }

  // shutdown(domid, reboot: boolean): SCHEDOP_remote_shutdown with poweroff or reboot.
  Napi::Value Shutdown(const Napi::CallbackInfo& info) {
    if (info.Length() < 2 || !info[1].IsBoolean()) {
      ThrowType(info.Env(), "shutdown(domid, reboot: boolean)");
      return info.Env().Undefined();
    }
    ControlArgs args;
    args.reason = info[1].As<Napi::Boolean>().Value() ? XC_REASON_REBOOT : XC_REASON_POWEROFF;
    return Queue(info, Op::kShutdown, args);
  }

  // pinVcpu(domid, vcpu, map: Uint8Array(1..XC_CPUMAP_MAX)): XEN_DOMCTL_setvcpuaffinity of the hard map, on the
  // pool. The map is copied here; an empty map (no CPU) is the core's to refuse, before any hypercall.
  Napi::Value PinVcpu(const Napi::CallbackInfo& info) {
    ControlArgs args;
    uint8_t* map;
    if (!VcpuMapArgs(info, "pinVcpu(domid, vcpu, map: Uint8Array)", &args.vcpu, &map, &args.map_len)) {
      return info.Env().Undefined();
    }
    std::memcpy(args.map.data(), map, args.map_len);
    return Queue(info, Op::kPinVcpu, args);
  }

  // Statistics (native/addon_stats.cc): synchronous on the query handle, like getInfo.
  Napi::Value Vcpus(const Napi::CallbackInfo& info) {
    return CheckOpen(info.Env()) ? stats_.Vcpus(info, query_) : info.Env().Undefined();
  }
  Napi::Value VcpuAffinity(const Napi::CallbackInfo& info) {
    return CheckOpen(info.Env()) ? stats_.VcpuAffinity(info, query_) : info.Env().Undefined();
  }
  Napi::Value CpuIdle(const Napi::CallbackInfo& info) {
    return CheckOpen(info.Env()) ? stats_.CpuIdle(info, query_) : info.Env().Undefined();
  }
  Napi::Value NodeMemory(const Napi::CallbackInfo& info) {
    return CheckOpen(info.Env()) ? stats_.NodeMemory(info, query_) : info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!closed_) {
      closed_ = true;
      xc_close(query_);
      query_ = nullptr;
      if (inflight_ == 0) {
        xc_close(control_);
        control_ = nullptr;
      }
    }
    return info.Env().Undefined();
  }

  xc_handle* query_ = nullptr;
  xc_handle* control_ = nullptr;
  std::mutex control_mutex_;
  unsigned inflight_ = 0;  // main thread only
  bool closed_ = false;
  std::string extraversion_, capabilities_;
  std::vector<xc_dominfo> scratch_;
  HypervisorStats stats_;
};

Napi::Value Worker::Start(Napi::Env env, Op op, Hypervisor* hv, Napi::Object self, const ControlArgs& args) {
  napi_deferred deferred;
  napi_value promise;
  if (napi_create_promise(env, &deferred, &promise) != napi_ok) return Napi::Value();
  (new Worker(env, op, hv, self, args, deferred))->Queue();
  return Napi::Value(env, promise);
}

Worker::Worker(Napi::Env env, Op op, Hypervisor* hv, Napi::Object self, const ControlArgs& args,
               napi_deferred deferred)
    : Napi::AsyncWorker(env, "xvirt:xen"), op_(op), hv_(hv), args_(args), deferred_(deferred) {
  if (!self.IsEmpty()) self_ = Napi::Persistent(self);
}

void Worker::Execute() {
  if (op_ != Op::kOpen) {
    if (hv_->Control(op_, args_, &err_) != XC_OK) SetError(err_.message);
    return;
  }
  char extra[XC_EXTRAVERSION_LEN], caps[XC_CAPABILITIES_LEN];
  if (xc_open_privcmd(nullptr, &opened_.query, &err_) != XC_OK ||
      xc_open_privcmd(xc_interface(opened_.query), &opened_.control, &err_) != XC_OK) {
    SetError(err_.message);
  } else if (xc_version_strings(opened_.query, extra, caps) != XC_OK) {
    err_ = *xc_last_error(opened_.query);
    SetError(err_.message);
  } else {
    opened_.extraversion = extra;
    opened_.capabilities = caps;
  }
  if (err_.status != XC_OK) {
    xc_close(opened_.query);
    xc_close(opened_.control);
    opened_.query = opened_.control = nullptr;
  }
}

void Worker::OnOK() {
  Napi::Env env = Env();
  if (op_ != Op::kOpen) {
    hv_->ControlDone();
    Settle(true, env.Undefined());
    return;
  }
  Napi::Object obj = AddonEnv::Of(env)->hypervisor.New({Napi::External<Opened>::New(env, &opened_)});
  xc_close(opened_.query);  // non-null only if the constructor did not take them
  xc_close(opened_.control);
  Settle(true, obj);
}

void Worker::OnError(const Napi::Error&) {
  if (op_ != Op::kOpen) hv_->ControlDone();
  Settle(false, XcError(Env(), err_).Value());
}

Napi::Value OpenHypervisor(const Napi::CallbackInfo& info) {
  return Worker::Start(info.Env(), Op::kOpen, nullptr, Napi::Object(), ControlArgs{});
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  AddonEnv* data = AddonEnv::Create(env);
  data->hypervisor = Napi::Persistent(Hypervisor::Define(env));
  exports.Set("openHypervisor", Napi::Function::New<OpenHypervisor>(env, "openHypervisor"));
  exports.Set("Hypervisor", data->hypervisor.Value());
  exports.Set("RECORD_STRIDE", Napi::Number::New(env, REC_STRIDE));
  exports.Set("VCPU_STRIDE", Napi::Number::New(env, VCPU_STRIDE));
  exports.Set("NODE_STRIDE", Napi::Number::New(env, NODE_STRIDE));
  exports.Set("ProxyChannel", DefineProxyChannel(env));
  AddSocketAdmin(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(xvirt_xen, Init)
