// What one Node.js environment (the main thread, or one worker thread) holds of the addon: its instance
// data. Objects that own native resources (privcmd descriptors, hypercall buffers, proxy sockets) register
// here, and the environment's cleanup hook releases them all when it ends, a worker terminated mid-call
// included: deterministically, before the objects' finalizers run, whether or not JS ever collected them.
#ifndef ADDON_ENV_H
#define ADDON_ENV_H

#include <napi.h>

#include <unordered_set>

class AddonEnv;

// A native resource tied to the environment it was created in: tracked from construction to destruction.
class EnvResource {
 public:
  // Closes descriptors and frees buffers, on the environment's own thread. The object stays (its finalizer
  // comes later, and must cope with a released state) and answers any further call as closed.
  virtual void Release() = 0;

 protected:
  explicit EnvResource(Napi::Env env);
  ~EnvResource();

 private:
  friend class AddonEnv;
  AddonEnv* owner_;  // null once the environment ended: it may be gone by the time the finalizer runs
};

class AddonEnv {
 public:
  // Creates the instance data of `env` and registers its cleanup hook (module initialisation only).
  static AddonEnv* Create(Napi::Env env) {
    AddonEnv* data = new AddonEnv();
    env.SetInstanceData(data);  // deleted by Node.js when the environment is torn down
    env.AddCleanupHook([data] { data->End(); });
    return data;
  }
  static AddonEnv* Of(Napi::Env env) { return env.GetInstanceData<AddonEnv>(); }

  Napi::FunctionReference hypervisor;  // the Hypervisor constructor, for openHypervisor()

 private:
  friend class EnvResource;

  // The cleanup hook: runs on the environment's thread once its pending pool work has completed.
  void End() {
    std::unordered_set<EnvResource*> live;
    live.swap(live_);
    for (EnvResource* r : live) {
      r->owner_ = nullptr;
      r->Release();
    }
  }

  std::unordered_set<EnvResource*> live_;
};

inline EnvResource::EnvResource(Napi::Env env) : owner_(AddonEnv::Of(env)) { owner_->live_.insert(this); }
inline EnvResource::~EnvResource() {
  if (owner_) owner_->live_.erase(this);
}

#endif
