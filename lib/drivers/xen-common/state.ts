/** The C core's domain states (enum xc_dom_state), as found in the XEN_STATE record slot. */
export enum XenState {
  NOSTATE = 0,
  RUNNING = 1,
  BLOCKED = 2,
  PAUSED = 3,
  SHUTOFF = 4,
  CRASHED = 5,
  DYING = 6,
}
