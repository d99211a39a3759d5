/* A tiny, strict, read-only xenstore client: one blocking request at a time. */
#ifndef XP_XENSTORE_H
#define XP_XENSTORE_H

#include <stddef.h>
#include <stdint.h>

struct xp_xenstore {
    int fd;
    uint32_t next_req_id;
    int broken; /* the stream lost sync or timed out: no further use */
};

/* Connects to the first of `socket_paths` (NULL-terminated) that answers, else opens `device`. */
int xp_xs_open(struct xp_xenstore *xs, const char *const *socket_paths, const char *device,
               char *err, size_t err_len);

enum xp_xs_result { XP_XS_OK = 0, XP_XS_ENOENT = 1, XP_XS_FAILED = -1 };

/* Reads `path` into out (at most cap bytes, no terminator added); *len gets the length. */
int xp_xs_read(struct xp_xenstore *xs, const char *path, uint8_t *out, size_t cap, size_t *len);

void xp_xs_close(struct xp_xenstore *xs);

#endif
