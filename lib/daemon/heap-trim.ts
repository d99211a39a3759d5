/**
 * When xvirtd gives the C heap's free pages back to the kernel (trimHeap: glibc's malloc_trim through the addon).
 * Node's allocator keeps what a burst of clients freed for reuse (after a 1,000-client mixed load, ~24 MiB), but a
 * trim walks every free chunk on the event loop's thread (tens of ms on a fragmented heap), so it runs only once
 * the daemon is quiet: HEAP_TRIM_DELAY_MS after the daemon starts or a client leaves, postponed while calls keep
 * coming, then HEAP_TRIM_FOLLOW_UPS more at HEAP_TRIM_FOLLOW_UP_MS intervals, which return what V8's own
 * collections freed since (the sockets and buffers of departed clients are freed only when V8 collects them).
 */
import { trimHeap } from '../native-sockets';

export const HEAP_TRIM_DELAY_MS = 2000;
export const HEAP_TRIM_FOLLOW_UP_MS = 5000;
export const HEAP_TRIM_FOLLOW_UPS = 2;
/** More calls than this started during a delay and the daemon is not quiet: the trim waits another delay. */
const QUIET_CALLS = 100;

export class HeapTrimmer {
  readonly #counted: () => void;
  #timer: NodeJS.Timeout | null = null;
  #followUps = 0;
  #calls = 0;
  #stopped = false;

  /** `counted` runs after each trim the addon performed. */
  constructor(counted: () => void) {
    this.#counted = counted;
  }

  /** Something was freed (a client left) or the daemon started: trim once quiet, then follow up. */
  schedule(): void {
    this.#followUps = HEAP_TRIM_FOLLOW_UPS;
    this.#arm(HEAP_TRIM_DELAY_MS);
  }

  /** A call started: the daemon is busy. */
  callStarted(): void {
    this.#calls++;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(delay: number): void {
    if (this.#timer || this.#stopped) return;
    const callsBefore = this.#calls;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#calls - callsBefore > QUIET_CALLS) {
        this.#arm(HEAP_TRIM_DELAY_MS);
        return;
      }
      if (trimHeap() !== null) this.#counted();
      if (this.#followUps > 0) {
        this.#followUps--;
        this.#arm(HEAP_TRIM_FOLLOW_UP_MS);
      }
    }, delay);
    this.#timer.unref();
  }
}
