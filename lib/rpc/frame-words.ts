/**
 * The 32-bit big-endian words of RPC framing (length words and header fields), read and written byte by byte,
 * not with Buffer's read/write*32BE: node 20 runs each of those through an argument-checking wrapper shared by
 * all of node's validators, ~14 calls per message, whose load alone made V8 optimise that wrapper while 1,000
 * idle clients connected (and so bring its optimising compiler's code, ~3.7 MiB of the node binary, into the
 * daemon's memory). Callers read only within what they hold and write values in range by construction.
 */

/** The signed 32-bit big-endian word at `at` (`>>> 0` makes it unsigned). */
export function readWord(buf: Uint8Array, at: number): number {
  return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}

/** Writes a 32-bit big-endian word, signed or not (its low 32 bits), at `at`. */
export function writeWord(out: Uint8Array, value: number, at: number): void {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
}
