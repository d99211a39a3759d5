/*
 * Xenstore's wire format: a 16-byte header (u32 type, req_id, tx_id, len,
 * host order) and at most 4096 payload bytes. We only send XS_READ and accept
 * only its reply or XS_ERROR for the same req_id; anything else (a reply out
 * of order, an oversized length, a timeout) marks the connection broken
 * rather than guessing where the next message starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xp_xenstore.h"

#define XS_READ 2u
#define XS_ERROR 16u
#define XS_PAYLOAD_MAX 4096u
#define XS_TIMEOUT_MS 1000 /* below the client's 2 s exchange timeout (lib/drivers/proxy/channel.ts) */

struct xs_header { uint32_t type, req_id, tx_id, len; };

static int connect_socket(const char *path)
{
    struct sockaddr_un sa;
    int fd;

    if (strlen(path) >= sizeof sa.sun_path) return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int xp_xs_open(struct xp_xenstore *xs, const char *const *socket_paths, const char *device, char *err, size_t err_len)
{
    size_t i;

    xs->next_req_id = 1;
    xs->broken = 0;
    for (i = 0; socket_paths[i]; i++) {
        xs->fd = connect_socket(socket_paths[i]);
        if (xs->fd >= 0) return 0;
    }
    xs->fd = device ? open(device, O_RDWR | O_CLOEXEC) : -1;
    if (xs->fd >= 0) return 0;
    snprintf(err, err_len, "cannot reach xenstore: no socket at %s answers and %s cannot be opened: %s",
             socket_paths[0] ? socket_paths[0] : "(none)", device ? device : "(none)", strerror(errno));
    return -1;
}

/* Waits for `events` on the xenstore fd; 0 when ready. */
static int wait_fd(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    int rc;
    do rc = poll(&p, 1, XS_TIMEOUT_MS); while (rc < 0 && errno == EINTR);
    return rc == 1 && (p.revents & events) ? 0 : -1;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n;
        if (wait_fd(fd, POLLOUT) != 0) return -1;
        n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n;
        if (wait_fd(fd, POLLIN) != 0) return -1;
        n = read(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int broken(struct xp_xenstore *xs)
{
    xs->broken = 1;
    return XP_XS_FAILED;
}

int xp_xs_read(struct xp_xenstore *xs, const char *path, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t msg[sizeof(struct xs_header) + XS_PAYLOAD_MAX];
    struct xs_header h;
    size_t path_len = strlen(path) + 1;

    if (xs->broken || xs->fd < 0 || path_len > XS_PAYLOAD_MAX) return XP_XS_FAILED;
    h = (struct xs_header){ XS_READ, xs->next_req_id++, 0, (uint32_t)path_len };
    memcpy(msg, &h, sizeof h);
    memcpy(msg + sizeof h, path, path_len);
    if (write_all(xs->fd, msg, sizeof h + path_len) != 0) return broken(xs);

    if (read_all(xs->fd, msg, sizeof h) != 0) return broken(xs);
    memcpy(&h, msg, sizeof h);
    if (h.len > XS_PAYLOAD_MAX || h.req_id != xs->next_req_id - 1 || h.tx_id != 0 ||
        (h.type != XS_READ && h.type != XS_ERROR))
        return broken(xs);
    if (read_all(xs->fd, msg + sizeof h, h.len) != 0) return broken(xs);
    if (h.type == XS_ERROR) {
        /* The payload is an errno name such as "ENOENT\0". */
        if (h.len == 7 && memcmp(msg + sizeof h, "ENOENT", 7) == 0) return XP_XS_ENOENT;
        return XP_XS_FAILED;
    }
    if (h.len > cap) return XP_XS_FAILED;
    memcpy(out, msg + sizeof h, h.len);
    *len = h.len;
    return XP_XS_OK;
}

void xp_xs_close(struct xp_xenstore *xs)
{
    if (xs->fd >= 0) close(xs->fd);
    xs->fd = -1;
}
