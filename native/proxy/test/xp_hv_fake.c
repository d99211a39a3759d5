/* Test builds only: the fake hypervisor (native/test/xc_fake.c) with dom0 (one vCPU pinned) and 3 guests on Xen 4.17. */
#include <stdio.h>

#include "../../test/xc_fake.h"
#include "../xp_hv.h"

static struct fake_xen fake;

int xp_open_hypervisor(xc_handle **out, char *err, size_t err_len)
{
    struct xc_error e;
    fake_init(&fake, 17, 3);
    fake_pin_dom0_vcpu1(&fake);
    if (xc_open_transport(&fake_ops, &fake, NULL, out, &e) == XC_OK) return 0;
    snprintf(err, err_len, "%s", e.message);
    return -1;
}
