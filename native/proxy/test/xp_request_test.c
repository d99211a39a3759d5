/* Table test of the strict request parser: what it accepts, and each way it refuses. Prints TAP. */
#include <stdio.h>
#include <string.h>

#include "../xp_protocol.h"

static int n, failed;

static void req(uint8_t *p, uint16_t version, uint16_t cmd, uint32_t domid, uint32_t flags, uint8_t uuid0)
{
    memset(p, 0, XP_REQUEST_LEN);
    xp_put16(p, version);
    xp_put16(p + XP_REQ_COMMAND, cmd);
    xp_put32(p + XP_REQ_SERIAL, 0xdeadbeef);
    xp_put32(p + XP_REQ_DOMID, domid);
    xp_put32(p + XP_REQ_FLAGS, flags);
    p[XP_REQ_UUID] = uuid0;
}

static void check(const char *what, uint16_t version, uint16_t cmd, uint32_t domid, uint32_t flags, uint8_t uuid0, int want)
{
    uint8_t p[XP_REQUEST_LEN];
    struct xp_request r;
    int got;
    req(p, version, cmd, domid, flags, uuid0);
    got = xp_parse_request(p, &r);
    if (got == 0 && (r.serial != 0xdeadbeef || r.command != cmd || r.domid != domid)) got = 2;
    printf("%s %d - %s\n", got == want ? "ok" : "not ok", ++n, what);
    failed += got != want;
}

int main(void)
{
    check("HELLO", 1, XP_CMD_HELLO, 0, 0, 0, 0);
    check("CAPABILITIES", 1, XP_CMD_CAPABILITIES, 0, 0, 0, 0);
    check("NODE_INFO", 1, XP_CMD_NODE_INFO, 0, 0, 0, 0);
    check("LIST", 1, XP_CMD_LIST, 0, 0, 0, 0);
    check("LOOKUP_ID 0x7fef", 1, XP_CMD_LOOKUP_ID, 0x7fef, 0, 0, 0);
    check("LOOKUP_UUID", 1, XP_CMD_LOOKUP_UUID, 0, 0, 7, 0);
    check("GET_INFO", 1, XP_CMD_GET_INFO, 3, 0, 0, 0);
    check("GET_INFO with uuid check", 1, XP_CMD_GET_INFO, 3, XP_FLAG_CHECK_UUID, 9, 0);
    check("VCPUS", 1, XP_CMD_VCPUS, 3, 0, 0, 0);
    check("VCPUS with uuid check", 1, XP_CMD_VCPUS, 0x7fef, XP_FLAG_CHECK_UUID, 9, 0);
    check("VCPU_AFFINITY", 1, XP_CMD_VCPU_AFFINITY, 3, 0, 0, 0);
    check("VCPU_AFFINITY with uuid check", 1, XP_CMD_VCPU_AFFINITY, 0x7fef, XP_FLAG_CHECK_UUID, 9, 0);
    check("CPU_IDLE", 1, XP_CMD_CPU_IDLE, 0, 0, 0, 0);
    check("NODE_MEMORY", 1, XP_CMD_NODE_MEMORY, 0, 0, 0, 0);
    check("domid 0x7ff0 on VCPUS refused", 1, XP_CMD_VCPUS, 0x7ff0, 0, 0, -1);
    check("uuid on VCPUS without the check flag refused", 1, XP_CMD_VCPUS, 1, 0, 5, -1);
    check("unknown VCPUS flag refused", 1, XP_CMD_VCPUS, 1, 4, 0, -1);
    check("domid 0x7ff0 on VCPU_AFFINITY refused", 1, XP_CMD_VCPU_AFFINITY, 0x7ff0, 0, 0, -1);
    check("uuid on VCPU_AFFINITY without the check flag refused", 1, XP_CMD_VCPU_AFFINITY, 1, 0, 5, -1);
    check("unknown VCPU_AFFINITY flag refused", 1, XP_CMD_VCPU_AFFINITY, 1, 2, 0, -1);
    check("domid on CPU_IDLE refused", 1, XP_CMD_CPU_IDLE, 1, 0, 0, -1);
    check("flags on NODE_MEMORY refused", 1, XP_CMD_NODE_MEMORY, 0, XP_FLAG_CHECK_UUID, 0, -1);
    check("uuid on NODE_MEMORY refused", 1, XP_CMD_NODE_MEMORY, 0, 0, 5, -1);
    check("version 0 refused", 0, XP_CMD_HELLO, 0, 0, 0, -1);
    check("version 2 refused", 2, XP_CMD_HELLO, 0, 0, 0, -1);
    check("command 0 refused", 1, 0, 0, 0, 0, -1);
    check("command 12 refused", 1, 12, 0, 0, 0, -1);
    check("command 0xffff refused", 1, 0xffff, 0, 0, 0, -1);
    check("domid 0x7ff0 refused", 1, XP_CMD_GET_INFO, 0x7ff0, 0, 0, -1);
    check("domid 0xffffffff refused", 1, XP_CMD_LOOKUP_ID, 0xffffffffu, 0, 0, -1);
    check("domid on LIST refused", 1, XP_CMD_LIST, 1, 0, 0, -1);
    check("domid on LOOKUP_UUID refused", 1, XP_CMD_LOOKUP_UUID, 1, 0, 7, -1);
    check("flags on HELLO refused", 1, XP_CMD_HELLO, 0, 1, 0, -1);
    check("unknown GET_INFO flag refused", 1, XP_CMD_GET_INFO, 1, 2, 0, -1);
    check("uuid on GET_INFO without the check flag refused", 1, XP_CMD_GET_INFO, 1, 0, 5, -1);
    check("uuid on LIST refused", 1, XP_CMD_LIST, 0, 0, 5, -1);
    check("check flag on LOOKUP_ID refused", 1, XP_CMD_LOOKUP_ID, 1, XP_FLAG_CHECK_UUID, 5, -1);
    printf("1..%d\n", n);
    return failed != 0;
}
