/* Request handlers (the statistics ones are in xp_serve_stats.c): each appends one reply to the client's buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xp_reply.h"

#define XS_VALUE_MAX 4096u

uint8_t *xp_buf_reserve(struct xp_buf *b, size_t n)
{
    /* One reply may reach XP_REPLY_MAX on top of the backlog the loop allows (XP_BACKLOG_MAX). */
    if (n > XP_REPLY_MAX + XP_BACKLOG_MAX - b->len || b->len > XP_REPLY_MAX + XP_BACKLOG_MAX) return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *p;
        while (cap < b->len + n) cap *= 2;
        p = realloc(b->data, cap);
        if (!p) return NULL;
        b->data = p;
        b->cap = cap;
    }
    return b->data + b->len;
}

void xp_buf_free(struct xp_buf *b)
{
    free(b->data);
    *b = (struct xp_buf){ 0 };
}

int xp_server_init(struct xp_server *s, xc_handle *hv, char *err, size_t err_len)
{
    s->hv = hv;
    s->domains = calloc(XC_DOMID_MAX + 1, sizeof *s->domains);
    s->vcpus = calloc(XP_VCPU_MAX, sizeof *s->vcpus);
    s->cpu_idle = calloc(XC_CPU_MAX, sizeof *s->cpu_idle);
    s->nodes = calloc(XC_NODE_MAX, sizeof *s->nodes);
    if (!s->domains || !s->vcpus || !s->cpu_idle || !s->nodes) {
        snprintf(err, err_len, "cannot allocate the scratch arrays");
        return -1;
    }
    if (xc_version_strings(hv, s->extraversion, s->capabilities) != XC_OK) {
        snprintf(err, err_len, "%s", xc_last_error(hv)->message);
        return -1;
    }
    return 0;
}

void xp_server_close(struct xp_server *s)
{
    free(s->domains);
    free(s->vcpus);
    free(s->cpu_idle);
    free(s->nodes);
    s->domains = NULL;
    s->vcpus = NULL;
    s->cpu_idle = NULL;
    s->nodes = NULL;
}

int xp_reply_begin(struct xp_reply *r, struct xp_buf *out, const struct xp_request *req)
{
    *r = (struct xp_reply){ out, out->len, req };
    if (!xp_buf_reserve(out, XP_REPLY_HEADER_LEN)) return -1;
    out->len += XP_REPLY_HEADER_LEN;
    return 0;
}

int xp_reply_finish(struct xp_reply *r, uint32_t status)
{
    uint8_t *h = r->out->data + r->start;
    xp_put16(h, XP_PROTO_VERSION);
    xp_put16(h + 2, r->req->command);
    xp_put32(h + 4, r->req->serial);
    xp_put32(h + XP_REP_STATUS, status);
    xp_put32(h + XP_REP_LENGTH, (uint32_t)(r->out->len - r->start - XP_REPLY_HEADER_LEN));
    return 0;
}

int xp_reply_fail(struct xp_reply *r, uint32_t status, const char *fmt, ...)
{
    char msg[XP_MESSAGE_MAX + 1];
    uint8_t *p;
    int n;
    va_list ap;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n > XP_MESSAGE_MAX) n = XP_MESSAGE_MAX;
    r->out->len = r->start + XP_REPLY_HEADER_LEN;
    if (!(p = xp_buf_reserve(r->out, (size_t)n))) return -1;
    memcpy(p, msg, (size_t)n);
    r->out->len += (size_t)n;
    return xp_reply_finish(r, status);
}

int xp_reply_fail_core(struct xp_reply *r, struct xp_server *s, int status)
{
    return xp_reply_fail(r, (uint32_t)status, "%s", xc_last_error(s->hv)->message);
}

uint8_t *xp_reply_append(struct xp_reply *r, size_t n)
{
    uint8_t *p = xp_buf_reserve(r->out, n);
    if (p) r->out->len += n;
    return p;
}

static void put_record(uint8_t *p, const struct xc_dominfo *d)
{
    const uint32_t words[8] = { d->domid, d->flags, d->xen_state, d->state, d->reason,
                                d->shutdown_code, d->online_vcpus, d->max_vcpus };
    size_t i;
    for (i = 0; i < 8; i++) xp_put32(p + 4 * i, words[i]);
    xp_put64(p + 32, d->tot_pages);
    xp_put64(p + 40, d->max_pages);
    xp_put64(p + 48, d->cpu_time_ns);
    memcpy(p + 56, d->handle, 16);
}

/* Appends a record and the domain's xenstore name. 0, 1 when xenstore failed (reply set), -1 no memory. */
static int put_named(struct xp_reply *r, struct xp_server *s, const struct xc_dominfo *d)
{
    uint8_t name[XS_VALUE_MAX];
    char path[48];
    size_t len = 0;
    uint8_t *p;
    int rc;

    snprintf(path, sizeof path, "/local/domain/%u/name", d->domid);
    rc = xp_xs_read(&s->xs, path, name, sizeof name, &len);
    if (rc == XP_XS_ENOENT) len = 0;
    else if (rc != XP_XS_OK) return xp_reply_fail(r, XP_ENOXENSTORE, "xenstore did not answer reading %s", path) < 0 ? -1 : 1;
    if (!(p = xp_reply_append(r, XP_RECORD_LEN + 4 + len))) {
        return xp_reply_fail(r, XP_ETOOBIG, "the reply would exceed %u bytes", XP_REPLY_MAX) < 0 ? -1 : 1;
    }
    put_record(p, d);
    xp_put32(p + XP_RECORD_LEN, (uint32_t)len);
    memcpy(p + XP_RECORD_LEN + 4, name, len);
    return 0;
}

static int hello(struct xp_reply *r, struct xp_server *s)
{
    const struct xc_iface *i = xc_interface(s->hv);
    uint8_t *p = xp_reply_append(r, XP_HELLO_LEN);
    if (!p) return -1;
    xp_put32(p, i->xen_major);
    xp_put32(p + 4, i->xen_minor);
    xp_put32(p + 8, i->sysctl_if);
    xp_put32(p + 12, i->domctl_if);
    memset(p + 16, 0, 16);
    memcpy(p + 16, s->extraversion, strnlen(s->extraversion, 15));
    return xp_reply_finish(r, XP_OK);
}

static int capabilities(struct xp_reply *r, struct xp_server *s)
{
    size_t n = strnlen(s->capabilities, sizeof s->capabilities);
    uint8_t *p = xp_reply_append(r, n);
    if (!p) return -1;
    memcpy(p, s->capabilities, n);
    return xp_reply_finish(r, XP_OK);
}

static int node_info(struct xp_reply *r, struct xp_server *s)
{
    struct xc_physinfo pi;
    int rc = xc_physinfo(s->hv, &pi);
    uint8_t *p;

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if (!(p = xp_reply_append(r, XP_NODE_INFO_LEN))) return -1;
    xp_put32(p, pi.threads_per_core);
    xp_put32(p + 4, pi.cores_per_socket);
    xp_put32(p + 8, pi.nr_cpus);
    xp_put32(p + 12, pi.nr_nodes);
    xp_put32(p + 16, pi.cpu_khz);
    xp_put32(p + 20, pi.capabilities);
    xp_put64(p + 24, pi.total_pages);
    xp_put64(p + 32, pi.free_pages);
    return xp_reply_finish(r, XP_OK);
}

/*
 * Every domain into s->domains, *total set to how many it holds. The core
 * reports the hypervisor's total, which may exceed the buffer; s->domains has
 * room for every possible id, so a larger total only means domains came and
 * went between batches: serve what was read.
 */
static int read_all_domains(struct xp_server *s, size_t *total)
{
    int rc = xc_domain_list(s->hv, s->domains, XC_DOMID_MAX + 1, total);

    if (rc == XC_OK && *total > XC_DOMID_MAX + 1) *total = XC_DOMID_MAX + 1;
    return rc;
}

static int list(struct xp_reply *r, struct xp_server *s)
{
    size_t total, i;
    uint8_t *count;
    int rc = read_all_domains(s, &total);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if (!(count = xp_reply_append(r, 4))) return -1;
    xp_put32(count, (uint32_t)total);
    for (i = 0; i < total; i++)
        if ((rc = put_named(r, s, &s->domains[i])) != 0) return rc < 0 ? -1 : 0;
    return xp_reply_finish(r, XP_OK);
}

static int lookup_id(struct xp_reply *r, struct xp_server *s)
{
    struct xc_dominfo d;
    int rc = xc_domain_getinfo(s->hv, r->req->domid, &d);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if ((rc = put_named(r, s, &d)) != 0) return rc < 0 ? -1 : 0;
    return xp_reply_finish(r, XP_OK);
}

static int lookup_uuid(struct xp_reply *r, struct xp_server *s)
{
    size_t total, i;
    int rc = read_all_domains(s, &total);

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    for (i = 0; i < total; i++) {
        if (memcmp(s->domains[i].handle, r->req->uuid, 16) != 0) continue;
        if ((rc = put_named(r, s, &s->domains[i])) != 0) return rc < 0 ? -1 : 0;
        return xp_reply_finish(r, XP_OK);
    }
    return xp_reply_fail(r, XC_ENODOMAIN, "no running domain with that uuid");
}

static int get_info(struct xp_reply *r, struct xp_server *s)
{
    struct xc_dominfo d;
    int rc = xc_domain_getinfo(s->hv, r->req->domid, &d);
    uint8_t *p;

    if (rc != XC_OK) return xp_reply_fail_core(r, s, rc);
    if ((r->req->flags & XP_FLAG_CHECK_UUID) && memcmp(d.handle, r->req->uuid, 16) != 0)
        return xp_reply_fail(r, XC_ENODOMAIN, "domain %u now has another uuid", r->req->domid);
    if (!(p = xp_reply_append(r, XP_RECORD_LEN))) return -1;
    put_record(p, &d);
    return xp_reply_finish(r, XP_OK);
}

int xp_serve(struct xp_server *s, const struct xp_request *req, struct xp_buf *out)
{
    struct xp_reply r;

    if (xp_reply_begin(&r, out, req) != 0) return -1;
    switch (req->command) {
    case XP_CMD_HELLO: return hello(&r, s);
    case XP_CMD_CAPABILITIES: return capabilities(&r, s);
    case XP_CMD_NODE_INFO: return node_info(&r, s);
    case XP_CMD_LIST: return list(&r, s);
    case XP_CMD_LOOKUP_ID: return lookup_id(&r, s);
    case XP_CMD_LOOKUP_UUID: return lookup_uuid(&r, s);
    case XP_CMD_GET_INFO: return get_info(&r, s);
    case XP_CMD_VCPUS: return xp_serve_vcpus(&r, s);
    case XP_CMD_CPU_IDLE: return xp_serve_cpu_idle(&r, s);
    case XP_CMD_NODE_MEMORY: return xp_serve_node_memory(&r, s);
    case XP_CMD_VCPU_AFFINITY: return xp_serve_vcpu_affinity(&r, s);
    default: return xp_reply_fail(&r, XC_EINVAL, "unknown command %u", req->command);
    }
}
