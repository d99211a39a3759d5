{
  "variables": {
    "core_sources": [
      "native/xc_handle.c",
      "native/xc_iface.c",
      "native/xc_domain.c",
      "native/xc_host.c",
      "native/xc_state.c",
      "native/xc_stats.c",
      "native/xc_pin.c",
      "native/xc_privcmd.c"
    ]
  },
  "targets": [
    {
      "target_name": "xvirt_xen",
      "sources": ["native/addon.cc", "native/addon_stats.cc", "native/proxy_channel.c", "native/proxy_channel_glue.cc",
                  "native/sock_admin.c", "native/sock_admin_glue.cc", "<@(core_sources)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: an error raised while a worker thread is being terminated is
      # dropped instead of aborting the process (test/integration/native/addon-teardown.test.ts).
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags": [
        "-Wall", "-Wextra", "-Werror",
        "-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=2",
        "-fstack-protector-strong", "-fPIC"
      ],
      "cflags_c": ["-std=c11"],
      "cflags_cc": ["-std=c++17"],
      "ldflags": ["-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack"],
      "conditions": [
        ["OS!='linux'", { "sources!": ["native/xc_privcmd.c"] }]
      ]
    }
  ]
}
