/*
 * Domain flags -> state. Flags combine (paused+blocked, dying+shutdown), and
 * the shutdown code sits in bits 16-23 even while the domain is alive (as
 * 0xff), so the state is decided by priority and the code read only when the
 * shutdown bit is set. Priority: dying, crashed, shut off, paused, running,
 * blocked, no state.
 */
#include "xc_internal.h"

/* libvirt's virDomainState and the reasons used here (lib/constants.ts). */
enum {
    VIR_NOSTATE = 0, VIR_RUNNING = 1, VIR_BLOCKED = 2, VIR_PAUSED = 3,
    VIR_SHUTDOWN = 4, VIR_SHUTOFF = 5, VIR_CRASHED = 6,
};
enum { SHUTOFF_UNKNOWN = 0, SHUTOFF_SHUTDOWN = 1, SHUTOFF_SAVED = 5, SHUTOFF_CRASHED = 3 };
enum { CRASHED_PANICKED = 1 };

static uint32_t shutoff_reason(uint32_t code)
{
    switch (code) {
    case XC_SHUTDOWN_POWEROFF:
    case XC_SHUTDOWN_REBOOT: return SHUTOFF_SHUTDOWN;
    case XC_SHUTDOWN_SUSPEND: return SHUTOFF_SAVED;
    case XC_SHUTDOWN_WATCHDOG: return SHUTOFF_CRASHED;
    default: return SHUTOFF_UNKNOWN;
    }
}

void xc_state_from_flags(uint32_t flags, uint32_t online_vcpus, struct xc_dominfo *out)
{
    uint32_t code = (flags >> XC_DOMINF_SHUTDOWN_SHIFT) & XC_DOMINF_SHUTDOWN_MASK;
    /* Xen reports running/blocked only for domains with online vCPUs. */
    uint32_t live = online_vcpus > 0 ? flags : flags & ~(XC_DOMINF_RUNNING | XC_DOMINF_BLOCKED);

    out->flags = flags;
    out->shutdown_code = flags & XC_DOMINF_SHUTDOWN ? code : XC_DOMINF_SHUTDOWN_MASK;
    out->reason = 0;
    if (flags & XC_DOMINF_DYING) {
        out->xen_state = XC_STATE_DYING;
        out->state = VIR_SHUTDOWN;
    } else if ((flags & XC_DOMINF_SHUTDOWN) && code == XC_SHUTDOWN_CRASH) {
        out->xen_state = XC_STATE_CRASHED;
        out->state = VIR_CRASHED;
        out->reason = CRASHED_PANICKED;
    } else if (flags & XC_DOMINF_SHUTDOWN) {
        out->xen_state = XC_STATE_SHUTOFF;
        out->state = VIR_SHUTOFF;
        out->reason = shutoff_reason(code);
    } else if (flags & XC_DOMINF_PAUSED) {
        out->xen_state = XC_STATE_PAUSED;
        out->state = VIR_PAUSED;
    } else if (live & XC_DOMINF_RUNNING) {
        out->xen_state = XC_STATE_RUNNING;
        out->state = VIR_RUNNING;
    } else if (live & XC_DOMINF_BLOCKED) {
        out->xen_state = XC_STATE_BLOCKED;
        out->state = VIR_BLOCKED;
    } else {
        out->xen_state = XC_STATE_NOSTATE;
        out->state = VIR_NOSTATE;
    }
}
