/*
 * Fuzzes a running xvirt-proxy: random, mutated and valid requests, a few per
 * connection. The proxy's own parser (xp_request.c) predicts which prefix of
 * each connection's requests must be answered: every one of those must get a
 * well-formed reply (version, command, serial) and the connection must then
 * close if a bad request followed. Usage: fuzz_client SOCKET REQUESTS SEED
 * Prints one summary line; exits 1 on any mismatch.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../xp_protocol.h"

#define MAX_PER_CONN 16
#define REPLY_BUF (1 << 20)

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void valid_request(uint8_t *p, uint32_t serial)
{
    static const uint8_t dom3_uuid[16] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42 };
    uint16_t cmd = (uint16_t)(1 + rnd() % XP_CMD_MAX);
    memset(p, 0, XP_REQUEST_LEN);
    xp_put16(p, XP_PROTO_VERSION);
    xp_put16(p + XP_REQ_COMMAND, cmd);
    xp_put32(p + XP_REQ_SERIAL, serial);
    int checks_uuid = cmd == XP_CMD_GET_INFO || cmd == XP_CMD_VCPUS || cmd == XP_CMD_VCPU_AFFINITY;
    if (cmd == XP_CMD_LOOKUP_ID || checks_uuid) xp_put32(p + XP_REQ_DOMID, rnd() % 6);
    if (cmd == XP_CMD_LOOKUP_UUID || (checks_uuid && rnd() % 2)) {
        if (checks_uuid) xp_put32(p + XP_REQ_FLAGS, XP_FLAG_CHECK_UUID);
        memcpy(p + XP_REQ_UUID, dom3_uuid, 16);
        if (rnd() % 2) p[XP_REQ_UUID + rnd() % 16] ^= (uint8_t)(1 + rnd() % 255);
    }
}

static void mutate(uint8_t *p)
{
    int n = 1 + (int)(rnd() % 3), i;
    for (i = 0; i < n; i++) {
        if (rnd() % 2) p[rnd() % XP_REQUEST_LEN] ^= (uint8_t)(1u << (rnd() % 8));
        else p[rnd() % XP_REQUEST_LEN] = (uint8_t)rnd();
    }
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "fuzz_client: cannot connect to %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

/* Reads until EOF (or `want` replies when the connection should stay open). Returns bytes read. */
static size_t read_replies(int fd, uint8_t *buf, int expect_eof, size_t want)
{
    size_t len = 0, got = 0, off = 0;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;
        if (!expect_eof) {
            for (got = 0, off = 0; off + XP_REPLY_HEADER_LEN <= len; got++)
                off += XP_REPLY_HEADER_LEN + xp_get32(buf + off + XP_REP_LENGTH);
            if (got >= want && off <= len) return len;
        }
        if (poll(&p, 1, 10000) != 1) { fprintf(stderr, "fuzz_client: no answer within 10 s\n"); exit(1); }
        n = read(fd, buf + len, REPLY_BUF - len);
        if (n < 0 && errno == ECONNRESET) return len;
        if (n <= 0) return len;
        len += (size_t)n;
    }
}

int main(int argc, char **argv)
{
    static uint8_t out[MAX_PER_CONN * 200], in[REPLY_BUF];
    long target, sent = 0, conns = 0, answered = 0, bad_conns = 0;
    if (argc != 4) { fprintf(stderr, "usage: fuzz_client SOCKET REQUESTS SEED\n"); return 2; }
    target = atol(argv[2]);
    rng = (uint64_t)atoll(argv[3]) * 2654435761u + 1;

    while (sent < target) {
        uint32_t serials[MAX_PER_CONN];
        size_t len = 0, n = 1 + rnd() % MAX_PER_CONN, i, expect = 0, got = 0, off = 0;
        int fd = connect_to(argv[1]), invalid = 0;

        for (i = 0; i < n; i++) {
            uint8_t *p = out + len;
            struct xp_request req;
            uint32_t kind = rnd() % 10;
            if (kind == 0 && i == n - 1) { /* trailing garbage of any length */
                size_t g = 1 + rnd() % 100, k;
                for (k = 0; k < g; k++) p[k] = (uint8_t)rnd();
                len += g;
                invalid |= g >= XP_REQUEST_LEN && xp_parse_request(p, &req) != 0;
                break;
            }
            valid_request(p, (uint32_t)(sent + (long)i));
            if (kind < 4) mutate(p);
            if (kind == 1) { size_t k; for (k = 0; k < XP_REQUEST_LEN; k++) p[k] = (uint8_t)rnd(); }
            len += XP_REQUEST_LEN;
            if (!invalid && xp_parse_request(p, &req) == 0) serials[expect++] = req.serial;
            else invalid = 1;
        }
        sent += (long)n;
        conns++;
        if (write(fd, out, len) != (ssize_t)len) { fprintf(stderr, "fuzz_client: short write\n"); return 1; }
        len = read_replies(fd, in, invalid, expect);
        for (got = 0; off + XP_REPLY_HEADER_LEN <= len && got < expect; got++) {
            uint32_t plen = xp_get32(in + off + XP_REP_LENGTH);
            if (xp_get16(in + off) != XP_PROTO_VERSION || xp_get32(in + off + 4) != serials[got] || plen > XP_REPLY_MAX) {
                fprintf(stderr, "fuzz_client: malformed reply %zu on connection %ld\n", got, conns);
                return 1;
            }
            off += XP_REPLY_HEADER_LEN + plen;
        }
        if (got != expect || off != len) {
            fprintf(stderr, "fuzz_client: connection %ld: %zu of %zu replies, %zu stray bytes\n", conns, got, expect, len - off);
            return 1;
        }
        answered += (long)got;
        bad_conns += invalid;
        close(fd);
    }
    printf("fuzz_client: %ld requests over %ld connections (%ld closed for a bad request), %ld answered\n",
           sent, conns, bad_conns, answered);
    return 0;
}
