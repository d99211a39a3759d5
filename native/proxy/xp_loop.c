#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xp_config.h"
#include "xp_loop.h"

struct client {
    int fd;
    uid_t uid; /* from SO_PEERCRED at accept: the per-uid connection limit counts it */
    pid_t pid;
    uint8_t in[XP_REQUEST_LEN * 128];
    size_t in_len;
    struct xp_buf out;
    size_t out_sent;
};

static struct client clients[XP_MAX_CLIENTS];
static size_t n_clients;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drop_client(size_t i)
{
    close(clients[i].fd);
    xp_buf_free(&clients[i].out);
    clients[i] = clients[--n_clients];
    memset(&clients[n_clients], 0, sizeof clients[n_clients]);
}

static size_t clients_of(uid_t uid)
{
    size_t i, n = 0;
    for (i = 0; i < n_clients; i++) n += clients[i].uid == uid;
    return n;
}

static void accept_clients(int listen_fd)
{
    for (;;) {
        struct ucred cred;
        socklen_t len = sizeof cred;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) return; /* EAGAIN, or a transient error: poll tells us again */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred ||
            n_clients >= XP_MAX_CLIENTS || clients_of(cred.uid) >= XP_MAX_CLIENTS_PER_UID) {
            close(fd);
            continue;
        }
        clients[n_clients] = (struct client){ .fd = fd, .uid = cred.uid, .pid = cred.pid };
        n_clients++;
    }
}

/* Sends what is pending; -1 when the peer is gone. */
static int flush_client(struct client *c)
{
    while (c->out_sent < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->out_sent += (size_t)n;
    }
    c->out.len = c->out_sent = 0;
    return 0;
}

/* Answers the complete requests buffered; -1 drops the client (a bad request, no memory). */
static int answer_requests(struct client *c, struct xp_server *s)
{
    size_t off = 0;
    while (c->in_len - off >= XP_REQUEST_LEN && c->out.len - c->out_sent < XP_BACKLOG_MAX) {
        struct xp_request req;
        if (xp_parse_request(c->in + off, &req) != 0) return -1;
        if (xp_serve(s, &req, &c->out) != 0) return -1;
        off += XP_REQUEST_LEN;
        if (s->xs.broken) break;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return 0;
}

/* Reads what the client sent (while it has room and no large backlog); -1 on EOF or error. */
static int read_client(struct client *c)
{
    ssize_t n;
    if (c->in_len == sizeof c->in || c->out.len - c->out_sent >= XP_BACKLOG_MAX) return 0;
    n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, MSG_DONTWAIT);
    if (n == 0) return -1;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    c->in_len += (size_t)n;
    return 0;
}

static short client_events(const struct client *c)
{
    short ev = 0;
    if (c->in_len < sizeof c->in && c->out.len - c->out_sent < XP_BACKLOG_MAX) ev |= POLLIN;
    if (c->out_sent < c->out.len) ev |= POLLOUT;
    return ev;
}

void xp_serve_loop(int listen_fd, struct xp_server *s)
{
    struct pollfd fds[1 + XP_MAX_CLIENTS];
    long long last_request = now_ms(), idle_left = XP_IDLE_SECONDS * 1000LL, now;
    int undated = 0; /* requests came since the clock was last read */

    for (;;) {
        size_t i, polled;
        int rc, requested = 0;

        if (s->xs.broken) break; /* a fresh server (started by the next client) reconnects */
        if (idle_left <= 0) break;
        fds[0] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
        for (i = 0; i < n_clients; i++) fds[1 + i] = (struct pollfd){ .fd = clients[i].fd, .events = client_events(&clients[i]) };
        polled = n_clients;
        rc = poll(fds, 1 + polled, (int)(idle_left > 1000 ? 1000 : idle_left));
        if (rc < 0 && errno != EINTR) break;

        /* Back to front: drop_client moves the last client into the freed slot. */
        for (i = rc > 0 ? polled : 0; i-- > 0;) {
            struct client *c = &clients[i];
            short re = fds[1 + i].revents;
            int bad = 0;
            if (!re) continue;
            if (re & POLLIN) {
                bad = read_client(c) != 0;
                if (!bad && c->in_len >= XP_REQUEST_LEN) {
                    requested = 1;
                    /* Replies due before a bad request still go out (best effort) before the close. */
                    if (answer_requests(c, s) != 0) bad = (flush_client(c), 1);
                }
            } else if (re & (POLLERR | POLLHUP | POLLNVAL)) {
                bad = 1;
            }
            if (!bad) {
                bad = flush_client(c) != 0;
                /* Requests held back by the backlog go out once it drains. */
                if (!bad && c->in_len >= XP_REQUEST_LEN) bad = answer_requests(c, s) != 0 || flush_client(c) != 0;
            }
            if (bad) drop_client(i);
        }
        if (rc > 0 && (fds[0].revents & POLLIN)) accept_clients(listen_fd);
        /* The clock is read only on wake-ups without a request, so serving costs no clock call
         * (in a PV dom0 under emulation every system call is dear). A request is dated by the
         * next such wake-up, at most 1 s (the poll timeout) later, so idle exit comes 30-31 s
         * after the last request. */
        if (requested) {
            undated = 1;
            idle_left = XP_IDLE_SECONDS * 1000LL;
            continue;
        }
        now = now_ms();
        if (undated) last_request = now, undated = 0;
        idle_left = last_request + XP_IDLE_SECONDS * 1000LL - now;
    }
    /* Listener first: a client that sees its connection end must not reconnect to us. */
    close(listen_fd);
    while (n_clients > 0) {
        flush_client(&clients[0]);
        drop_client(0);
    }
}
