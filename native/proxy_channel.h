/*
 * The client end of one xvirt-proxy connection, used by the addon
 * (native/proxy_channel_glue.cc) so that a batch of requests costs one
 * native round trip: write the batch, read until every reply has arrived.
 * The caller sends only requests it encoded itself; this code frames the
 * replies (header checks, lengths) and leaves their meaning to the caller.
 * Plain C11, no N-API: docs/proxy.md "Speed" says why it is synchronous.
 */
#ifndef PROXY_CHANNEL_H
#define PROXY_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pc_status {
    PC_OK = 0,
    PC_ELOST = 1,    /* the helper closed the connection (EOF, reset, broken pipe): the batch may be sent again */
    PC_ETIMEOUT = 2, /* no byte arrived within the timeout: the helper is stuck */
    PC_EPROTO = 3,   /* a reply header with another version or an oversized length, or bytes beyond the replies due */
    PC_ESYSTEM = 4,  /* a system call failed (errno in sys_errno) */
    PC_ENOMEM = 5,   /* no memory for the replies */
};

struct proxy_channel {
    int fd;          /* -1 when not connected */
    int timeout_ms;  /* longest wait for the next byte of a reply */
    uint8_t *buf;    /* the replies of the last exchange; grows, never shrinks */
    size_t cap, len;
    int sys_errno;
    char detail[160];
};

/* An unconnected channel (fd -1, no buffer). */
void pc_init(struct proxy_channel *ch);

/*
 * Connects to the unix socket at `path` without blocking (a helper with a
 * full backlog gives EAGAIN rather than a wait). Returns 0, or the errno
 * (ENOENT / ECONNREFUSED: nothing serves there; ENAMETOOLONG for a path
 * that does not fit sockaddr_un). Replaces any previous connection.
 */
int pc_connect(struct proxy_channel *ch, const char *path, int timeout_ms);

/*
 * Sends `req_len` bytes of requests (a multiple of XP_REQUEST_LEN: each is
 * answered by one reply) and reads until every reply is in ch->buf (ch->len
 * bytes). On failure the connection is closed, and `detail` (and sys_errno
 * for PC_ESYSTEM) say why.
 */
enum pc_status pc_exchange(struct proxy_channel *ch, const uint8_t *req, size_t req_len);

/* Closes the connection (the buffer stays for the next one). */
void pc_disconnect(struct proxy_channel *ch);

/* Closes the connection and frees the buffer. */
void pc_destroy(struct proxy_channel *ch);

const char *pc_status_name(enum pc_status status);

#ifdef __cplusplus
}
#endif

#endif
