/*
 * One synchronous request/response exchange with xvirt-proxy per batch.
 * The socket is blocking with SO_RCVTIMEO, so the common case (a batch that
 * fits the socket buffer) costs exactly what a C client pays: one send and
 * one recv per round trip. Sends never wait (MSG_DONTWAIT); when the helper
 * stops reading (its input buffer full while our replies are unread) we poll
 * for both directions and read while we wait, so a large batch cannot
 * deadlock against the helper's backlog limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proxy/xp_protocol.h"
#include "proxy_channel.h"

/* The least free space a read gets: replies are small, and the buffer is kept between exchanges. */
#define READ_ROOM 4096u
#define INITIAL_CAP (64u << 10)

void pc_init(struct proxy_channel *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->fd = -1;
}

void pc_disconnect(struct proxy_channel *ch)
{
    if (ch->fd >= 0) close(ch->fd);
    ch->fd = -1;
}

void pc_destroy(struct proxy_channel *ch)
{
    pc_disconnect(ch);
    free(ch->buf);
    ch->buf = NULL;
    ch->cap = ch->len = 0;
}

const char *pc_status_name(enum pc_status status)
{
    switch (status) {
    case PC_OK: return "PC_OK";
    case PC_ELOST: return "PC_ELOST";
    case PC_ETIMEOUT: return "PC_ETIMEOUT";
    case PC_EPROTO: return "PC_EPROTO";
    case PC_ESYSTEM: return "PC_ESYSTEM";
    case PC_ENOMEM: return "PC_ENOMEM";
    }
    return "PC_UNKNOWN";
}

int pc_connect(struct proxy_channel *ch, const char *path, int timeout_ms)
{
    struct sockaddr_un sa;
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    size_t n = strlen(path);
    int fd, flags, e;

    pc_disconnect(ch);
    if (n >= sizeof sa.sun_path) return ENAMETOOLONG;
    /* Non-blocking for the connect only: a helper with a full backlog gives EAGAIN instead of a wait. */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return errno;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        e = errno;
        close(fd);
        return e;
    }
    ch->fd = fd;
    ch->timeout_ms = timeout_ms;
    return 0;
}

/* Closes the connection and records why; returns `status`. */
static enum pc_status fail(struct proxy_channel *ch, enum pc_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ch->detail, sizeof ch->detail, fmt, ap);
    va_end(ap);
    pc_disconnect(ch);
    return status;
}

/* A failed send or recv: a vanished helper is PC_ELOST (the batch may be retried), else a system error. */
static enum pc_status io_failed(struct proxy_channel *ch, const char *call)
{
    ch->sys_errno = errno;
    if (errno == EPIPE || errno == ECONNRESET) return fail(ch, PC_ELOST, "the helper closed the connection (%s)", strerror(errno));
    return fail(ch, PC_ESYSTEM, "%s: %s", call, strerror(errno));
}

/* Makes ch->cap at least `need` bytes (doubling). */
static enum pc_status reserve(struct proxy_channel *ch, size_t need)
{
    size_t cap = ch->cap ? ch->cap : INITIAL_CAP;
    uint8_t *grown;
    if (need <= ch->cap) return PC_OK;
    while (cap < need) cap *= 2;
    grown = realloc(ch->buf, cap);
    if (!grown) return fail(ch, PC_ENOMEM, "no memory for %zu bytes of replies", need);
    ch->buf = grown;
    ch->cap = cap;
    return PC_OK;
}

/* One recv into the buffer; `flags` MSG_DONTWAIT when polling. PC_OK also when nothing was there (EAGAIN, EINTR). */
static enum pc_status receive(struct proxy_channel *ch, int flags)
{
    enum pc_status st = reserve(ch, ch->len + READ_ROOM);
    ssize_t n;
    if (st != PC_OK) return st;
    n = recv(ch->fd, ch->buf + ch->len, ch->cap - ch->len, flags);
    if (n > 0) {
        ch->len += (size_t)n;
        return PC_OK;
    }
    if (n == 0) return fail(ch, PC_ELOST, "the helper closed the connection");
    if (errno == EINTR) return PC_OK;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && flags) return PC_OK;
    /* A blocking recv returning EAGAIN is SO_RCVTIMEO expiring. */
    if (errno == EAGAIN || errno == EWOULDBLOCK) return fail(ch, PC_ETIMEOUT, "no reply within %d ms", ch->timeout_ms);
    return io_failed(ch, "recv");
}

/* Counts the complete replies from *scanned on; checks each header and reserves room for a reply begun. */
static enum pc_status scan(struct proxy_channel *ch, size_t *scanned, size_t *done, size_t replies)
{
    while (*done < replies && ch->len - *scanned >= XP_REPLY_HEADER_LEN) {
        const uint8_t *h = ch->buf + *scanned;
        uint32_t version = xp_get16(h), length = xp_get32(h + XP_REP_LENGTH);
        if (version != XP_PROTO_VERSION) return fail(ch, PC_EPROTO, "a reply with protocol version %u", version);
        if (length > XP_REPLY_MAX) return fail(ch, PC_EPROTO, "a reply of %u bytes (at most %u)", length, XP_REPLY_MAX);
        if (ch->len - *scanned < XP_REPLY_HEADER_LEN + length) return reserve(ch, *scanned + XP_REPLY_HEADER_LEN + length);
        *scanned += XP_REPLY_HEADER_LEN + length;
        (*done)++;
    }
    if (*done == replies && ch->len > *scanned) {
        return fail(ch, PC_EPROTO, "%zu stray bytes after the replies due (%zu)", ch->len - *scanned, replies);
    }
    return PC_OK;
}

/* The helper is not taking more requests: wait for either direction, reading what it sends. */
static enum pc_status wait_to_send(struct proxy_channel *ch, size_t *scanned, size_t *done, size_t replies)
{
    struct pollfd p = { .fd = ch->fd, .events = POLLIN | POLLOUT };
    enum pc_status st;
    int rc = poll(&p, 1, ch->timeout_ms);
    if (rc < 0 && errno == EINTR) return PC_OK;
    if (rc < 0) return io_failed(ch, "poll");
    if (rc == 0) return fail(ch, PC_ETIMEOUT, "the helper took no request and sent no reply within %d ms", ch->timeout_ms);
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) return PC_OK;
    st = receive(ch, MSG_DONTWAIT);
    return st != PC_OK ? st : scan(ch, scanned, done, replies);
}

enum pc_status pc_exchange(struct proxy_channel *ch, const uint8_t *req, size_t req_len)
{
    size_t sent = 0, scanned = 0, done = 0, replies = req_len / XP_REQUEST_LEN;
    enum pc_status st = PC_OK;

    ch->len = 0;
    ch->sys_errno = 0;
    ch->detail[0] = '\0';
    if (ch->fd < 0) return fail(ch, PC_ELOST, "not connected");
    while (sent < req_len && st == PC_OK) {
        ssize_t n = send(ch->fd, req + sent, req_len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) sent += (size_t)n;
        else if (errno == EAGAIN || errno == EWOULDBLOCK) st = wait_to_send(ch, &scanned, &done, replies);
        else if (errno != EINTR) st = io_failed(ch, "send");
    }
    while (st == PC_OK && done < replies) {
        st = receive(ch, 0);
        if (st == PC_OK) st = scan(ch, &scanned, &done, replies);
    }
    return st;
}
