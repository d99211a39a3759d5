/* Where the proxy's hypervisor handle comes from: privcmd, or the fake in test builds. */
#ifndef XP_HV_H
#define XP_HV_H

#include <stddef.h>

#include "../xc_core.h"

int xp_open_hypervisor(xc_handle **out, char *err, size_t err_len);

#endif
