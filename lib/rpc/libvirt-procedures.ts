/**
 * libvirt's procedure number space beyond xvirt's own table: which numbers
 * libvirt has assigned, and which of them are server-to-client event
 * messages. The dispatcher answers a call to a number libvirt knows but xvirt
 * does not serve with NO_SUPPORT (clients then take their fallbacks), and
 * anything else, events included, with "unknown procedure", as libvirtd does.
 * Checked against libvirt 9.0's remote_protocol.x by test/unit/rpc/procedure-table.test.ts.
 */

/** Highest procedure number libvirt has assigned (NIC_MAC_CHANGE); above it a number is unknown. */
export const LIBVIRT_LAST_PROCEDURE = 453;

/** libvirt's event messages (type MESSAGE): never valid as calls. */
export const LIBVIRT_EVENT_PROCEDURES: ReadonlySet<number> = new Set([
  107,
  169,
  170,
  171,
  172,
  173,
  195,
  224,
  241,
  248,
  268,
  269,
  270,
  276,
  292,
  311,
  315,
  ...Array.from({ length: 16 }, (_, i) => 318 + i),
  339,
  346,
  348,
  354,
  359,
  362,
  363,
  367,
  370,
  373,
  376,
  377,
  379,
  382,
  383,
  385,
  423,
  438,
  446,
  453,
]);

/** Whether libvirt would route `proc` as a call (known and not an event message). */
export function isLibvirtCall(proc: number): boolean {
  return proc >= 1 && proc <= LIBVIRT_LAST_PROCEDURE && !LIBVIRT_EVENT_PROCEDURES.has(proc);
}
