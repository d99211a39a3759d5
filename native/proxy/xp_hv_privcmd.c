/* The production hypervisor: /dev/xen/privcmd through the shared C core. */
#include <stdio.h>

#include "xp_hv.h"

int xp_open_hypervisor(xc_handle **out, char *err, size_t err_len)
{
    struct xc_error e;
    if (xc_open_privcmd(NULL, out, &e) == XC_OK) return 0;
    snprintf(err, err_len, "%s", e.message);
    return -1;
}
