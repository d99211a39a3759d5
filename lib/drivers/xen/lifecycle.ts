/**
 * Starting a domain right after it stopped. Xen keeps listing a domain that
 * has shut down until the toolstack that built it tears it down (xl's
 * monitor runs the devices' hotplug scripts, then destroys it: seconds under
 * emulation). xvirt reports the domain stopped as soon as it shut down (the
 * STOPPED event, state shut off), as libvirt does, so a start or restore
 * that follows must not find it "already running": it waits for the
 * teardown, as long as one xl command may take.
 */
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';
import type { LiveDomain } from '../xen-common/records';
import { XenState } from '../xen-common/state';
import { xlTimeoutMs } from './xl';

/** Shut down (any reason) or dying: on its way out, no longer active to a user. */
const tearingDown = (d: LiveDomain) => d.xenState === XenState.SHUTOFF || d.xenState === XenState.DYING;

/**
 * The live domain `match` picks once any such domain on its way out is gone
 * (undefined: none). One still there after `boundMs` is OPERATION_INVALID.
 */
export async function activeAfterTeardown(
  list: () => Promise<LiveDomain[]>,
  match: (d: LiveDomain) => boolean,
  boundMs = xlTimeoutMs(),
  stepMs = 100,
): Promise<LiveDomain | undefined> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const live = (await list()).find(match);
    if (!live || !tearingDown(live)) return live;
    if (Date.now() >= deadline) {
      throw XvirtError.of(
        ErrorNumber.OPERATION_INVALID,
        ErrorDomain.XEN,
        `domain '${live.ref.name}' has stopped, but Xen still holds it: its toolstack has not torn it down ` +
          `within ${boundMs / 1000} s (XVIRT_XL_TIMEOUT)`,
      );
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
