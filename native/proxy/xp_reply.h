/* Building one reply (header + payload) in a client's buffer: shared by the request handlers. */
#ifndef XP_REPLY_H
#define XP_REPLY_H

#include "xp_serve.h"

struct xp_reply {
    struct xp_buf *out;
    size_t start; /* where its header sits in the buffer */
    const struct xp_request *req;
};

/* Reserves the header. 0, or -1 when out of memory (as every int function below). */
int xp_reply_begin(struct xp_reply *r, struct xp_buf *out, const struct xp_request *req);
/* Fills in the header for the payload appended so far. */
int xp_reply_finish(struct xp_reply *r, uint32_t status);
/* Replaces whatever the reply holds so far with an error status and message. */
int xp_reply_fail(struct xp_reply *r, uint32_t status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The C core's last error as the reply. */
int xp_reply_fail_core(struct xp_reply *r, struct xp_server *s, int status);
/* Room for `n` more payload bytes (counted in), or NULL. */
uint8_t *xp_reply_append(struct xp_reply *r, size_t n);

/* The statistics handlers (xp_serve_stats.c). */
int xp_serve_vcpus(struct xp_reply *r, struct xp_server *s);
int xp_serve_vcpu_affinity(struct xp_reply *r, struct xp_server *s);
int xp_serve_cpu_idle(struct xp_reply *r, struct xp_server *s);
int xp_serve_node_memory(struct xp_reply *r, struct xp_server *s);

#endif
