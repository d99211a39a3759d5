/* Answers one validated request from the hypervisor handle and xenstore. */
#ifndef XP_SERVE_H
#define XP_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "../xc_core.h"
#include "xp_protocol.h"
#include "xp_xenstore.h"

/* A growable output buffer (replies are appended; the loop drains it). */
struct xp_buf {
    uint8_t *data;
    size_t len, cap;
};

/* Room for `n` more bytes at data + len, or NULL (out of memory, or past XP_REPLY_MAX pending). */
uint8_t *xp_buf_reserve(struct xp_buf *b, size_t n);
void xp_buf_free(struct xp_buf *b);

struct xp_server {
    xc_handle *hv;
    struct xp_xenstore xs;
    char extraversion[XC_EXTRAVERSION_LEN];
    char capabilities[XC_CAPABILITIES_LEN];
    struct xc_dominfo *domains; /* scratch for LIST and LOOKUP_UUID: XC_DOMID_MAX + 1 entries */
    struct xc_vcpuinfo *vcpus;  /* scratch for VCPUS: XP_VCPU_MAX entries */
    uint64_t *cpu_idle;         /* scratch for CPU_IDLE: XC_CPU_MAX entries */
    struct xc_node_memory *nodes; /* scratch for NODE_MEMORY: XC_NODE_MAX entries */
};

/* Reads the version strings and allocates the scratch arrays; 0 or -1 with `err` filled. */
int xp_server_init(struct xp_server *s, xc_handle *hv, char *err, size_t err_len);
void xp_server_close(struct xp_server *s);

/* Appends the reply to `req` to `out`. Returns 0, or -1 when out of memory. */
int xp_serve(struct xp_server *s, const struct xp_request *req, struct xp_buf *out);

#endif
