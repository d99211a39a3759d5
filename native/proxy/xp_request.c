/* The strict request parser: every byte of a request is checked before it is acted on. */
#include <string.h>

#include "../xc_core.h"
#include "xp_protocol.h"

static int all_zero(const uint8_t *p, size_t n)
{
    size_t i;
    uint8_t acc = 0;
    for (i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

int xp_parse_request(const uint8_t raw[XP_REQUEST_LEN], struct xp_request *out)
{
    int checks_uuid, uses_domid, uses_uuid;
    uint32_t allowed_flags;

    if (xp_get16(raw + XP_REQ_VERSION) != XP_PROTO_VERSION) return -1;
    out->command = xp_get16(raw + XP_REQ_COMMAND);
    out->serial = xp_get32(raw + XP_REQ_SERIAL);
    out->domid = xp_get32(raw + XP_REQ_DOMID);
    out->flags = xp_get32(raw + XP_REQ_FLAGS);
    memcpy(out->uuid, raw + XP_REQ_UUID, sizeof out->uuid);
    if (out->command < XP_CMD_HELLO || out->command > XP_CMD_MAX) return -1;

    checks_uuid = out->command == XP_CMD_GET_INFO || out->command == XP_CMD_VCPUS ||
                  out->command == XP_CMD_VCPU_AFFINITY;
    uses_domid = out->command == XP_CMD_LOOKUP_ID || checks_uuid;
    allowed_flags = checks_uuid ? XP_FLAG_CHECK_UUID : 0;
    uses_uuid = out->command == XP_CMD_LOOKUP_UUID || (out->flags & XP_FLAG_CHECK_UUID) != 0;

    if (out->flags & ~allowed_flags) return -1;
    if (uses_domid ? out->domid > XC_DOMID_MAX : out->domid != 0) return -1;
    if (!uses_uuid && !all_zero(out->uuid, sizeof out->uuid)) return -1;
    return 0;
}
