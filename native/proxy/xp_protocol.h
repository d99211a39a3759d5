/*
 * xvirt-proxy's wire protocol: fixed-layout binary, little-endian, one
 * 32-byte request in, one reply (16-byte header + payload) out, in order.
 * docs/proxy.md describes every field; lib/drivers/proxy/protocol.ts is the
 * client side and must match these numbers.
 */
#ifndef XP_PROTOCOL_H
#define XP_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define XP_PROTO_VERSION 1u
#define XP_REQUEST_LEN 32u
#define XP_REPLY_HEADER_LEN 16u

enum xp_command {
    XP_CMD_HELLO = 1,        /* -> struct of Xen version facts (XP_HELLO_LEN) */
    XP_CMD_CAPABILITIES = 2, /* -> XENVER_capabilities text */
    XP_CMD_NODE_INFO = 3,    /* -> physinfo (XP_NODE_INFO_LEN) */
    XP_CMD_LIST = 4,         /* -> u32 count, then count named records */
    XP_CMD_LOOKUP_ID = 5,    /* domid -> one named record */
    XP_CMD_LOOKUP_UUID = 6,  /* uuid -> one named record */
    XP_CMD_GET_INFO = 7,     /* domid [+ uuid check] -> one record (no name: the hot path) */
    XP_CMD_VCPUS = 8,        /* domid [+ uuid check] -> u32 count, then count vCPU records */
    XP_CMD_CPU_IDLE = 9,     /* -> u32 count, then count u64 idle ns (one per physical CPU id) */
    XP_CMD_NODE_MEMORY = 10, /* -> u32 count, then count node memory records */
    XP_CMD_VCPU_AFFINITY = 11, /* domid [+ uuid check] -> u32 count, u32 map length, then count hard affinity maps */
    XP_CMD_MAX = 11,
};

/* Request flags (GET_INFO, VCPUS and VCPU_AFFINITY only): the domain at domid must carry this uuid. */
#define XP_FLAG_CHECK_UUID 1u

/* Reply status: 0, an xc_status (1..7), or one of these. */
enum xp_status {
    XP_OK = 0,
    XP_ENOXENSTORE = 100, /* xenstore did not answer a name read */
    XP_ETOOBIG = 101,     /* the reply would exceed XP_REPLY_MAX */
};

/* Request layout (byte offsets). */
#define XP_REQ_VERSION 0  /* u16 = XP_PROTO_VERSION */
#define XP_REQ_COMMAND 2  /* u16 enum xp_command */
#define XP_REQ_SERIAL 4   /* u32, echoed in the reply */
#define XP_REQ_DOMID 8    /* u32, <= XC_DOMID_MAX where used, else 0 */
#define XP_REQ_FLAGS 12   /* u32, XP_FLAG_* where allowed, else 0 */
#define XP_REQ_UUID 16    /* 16 bytes where used, else zero */

/* Reply header layout: u16 version, u16 command, u32 serial, u32 status, u32 payload length. */
#define XP_REP_STATUS 8
#define XP_REP_LENGTH 12

/* HELLO payload: u32 xen major, minor, sysctl if, domctl if, then extraversion[16] (NUL-padded). */
#define XP_HELLO_LEN 32u

/* NODE_INFO payload: u32 threads_per_core, cores_per_socket, nr_cpus, nr_nodes, cpu_khz,
 * capabilities, then u64 total_pages, free_pages. */
#define XP_NODE_INFO_LEN 40u

/*
 * A domain record (72 bytes): u32 domid, flags, xen_state, state, reason,
 * shutdown_code, online_vcpus, max_vcpus; u64 tot_pages, max_pages,
 * cpu_time_ns; uuid[16]. A named record adds u32 name length and the name
 * bytes (xenstore's /local/domain/<id>/name, no terminator, 0 if unset).
 */
#define XP_RECORD_LEN 72u
#define XP_NAME_MAX 1024u

/* A vCPU record (16 bytes): u8 present, online, blocked, running; u32 cpu; u64 cpu_time_ns. */
#define XP_VCPU_LEN 16u
/* Most vCPUs a VCPUS reply carries (a domain with more answers XP_ETOOBIG). */
#define XP_VCPU_MAX 4096u

/*
 * A VCPU_AFFINITY map: bit c of byte c / 8 (least significant first) set when
 * the vCPU may run on physical CPU c; as wide as the C core reads (XC_CPUMAP_MAX),
 * so one request needs no CPU count first. At most XP_VCPU_MAX maps.
 */
#define XP_AFFINITY_MAP_LEN 448u

/* A node memory record (24 bytes): u32 online, u32 zero, u64 size_bytes, u64 free_bytes. */
#define XP_NODE_LEN 24u

/* Largest reply (header included); LIST beyond it answers XP_ETOOBIG. */
#define XP_REPLY_MAX (4u << 20)
/* The server reads no further request from a client while this much output is unsent. */
#define XP_BACKLOG_MAX (64u << 10)

/* Error replies carry a message of at most this many bytes. */
#define XP_MESSAGE_MAX 255u

struct xp_request {
    uint16_t command;
    uint32_t serial;
    uint32_t domid;
    uint32_t flags;
    uint8_t uuid[16];
};

/*
 * Decodes and validates one request of exactly XP_REQUEST_LEN bytes: the
 * version, the command, and for each command exactly the fields it uses
 * (domid in range, flags known, unused fields zero). Returns 0, or -1 for
 * anything else (the caller then drops the connection).
 */
int xp_parse_request(const uint8_t raw[XP_REQUEST_LEN], struct xp_request *out);

static inline void xp_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void xp_put32(uint8_t *p, uint32_t v) { xp_put16(p, (uint16_t)v); xp_put16(p + 2, (uint16_t)(v >> 16)); }
static inline void xp_put64(uint8_t *p, uint64_t v) { xp_put32(p, (uint32_t)v); xp_put32(p + 4, (uint32_t)(v >> 32)); }
static inline uint16_t xp_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t xp_get32(const uint8_t *p) { return xp_get16(p) | (uint32_t)xp_get16(p + 2) << 16; }

#endif
