/**
 * The receiving half of libvirt RPC framing (lib/rpc/framing.ts has the
 * format): turns any split of a byte stream back into messages, holding
 * about one byte of memory per byte of an incomplete message. No I/O here.
 */
import {
  HEADER_SIZE,
  LENGTH_WORD_SIZE,
  MAX_FRAME_LENGTH,
  MIN_FRAME_LENGTH,
  protocolError,
  type MessageHeader,
} from './protocol';
import { readWord, writeWord } from './frame-words';

/** One decoded message: its header and its raw payload (XDR, or stream bytes). */
export interface Message {
  header: MessageHeader;
  payload: Buffer;
}

/** Reads the 24 header bytes at `offset`. */
export function decodeHeader(buf: Buffer, offset = 0): MessageHeader {
  if (offset < 0 || offset + HEADER_SIZE > buf.length) {
    throw protocolError(`message header at ${offset} runs past the ${buf.length} bytes received`);
  }
  return {
    program: readWord(buf, offset) >>> 0,
    version: readWord(buf, offset + 4) >>> 0,
    procedure: readWord(buf, offset + 8),
    type: readWord(buf, offset + 12),
    serial: readWord(buf, offset + 16) >>> 0,
    status: readWord(buf, offset + 20),
  };
}

/** First block for a frame that arrives in pieces; each next one is half the capacity so far, up to BLOCK_MAX. */
const FIRST_BLOCK = 1024;
/**
 * Largest block: past it the slack is at most this much per client. Blocks are
 * never grown by copying, so no freed intermediate buffers fragment the heap
 * (growing one buffer held ~3 bytes of RSS per byte received; the blocks ~1).
 */
const BLOCK_MAX = 64 * 1024;

/**
 * Incremental decoder. push() takes whatever the socket delivered and
 * returns every message completed by it. A bad length word throws (RPC
 * error) before anything is buffered for it, and the decoder stays failed:
 * the stream cannot be resynchronised.
 *
 * Memory: messages wholly inside one chunk are views of that chunk (no
 * copy). A message split across chunks is copied into blocks of its own,
 * each half the size of those before it up to 64 KiB, joined once when the
 * message completes: a peer that dribbles a frame one byte per write holds
 * at most ~1.5 bytes per byte sent (never an object per chunk, and no
 * outgrown buffers left to the allocator), and announcing a large length
 * costs nothing until the bytes come. The blocks are dropped when the
 * message is returned.
 */
export class FrameDecoder {
  #maxLength: number;
  /** The length word of the split message, as far as received (#wordBytes of 4 bytes). */
  #word = 0;
  #wordBytes = 0;
  /** The split message's bytes so far (length word included) once its length is known; null otherwise. */
  #blocks: Buffer[] | null = null;
  /** Bytes in the last block; bytes in all blocks; their total size; the message's length. */
  #blockFill = 0;
  #filled = 0;
  #capacity = 0;
  #length = 0;
  #failed: Error | null = null;

  /** `maxLength`: largest acceptable length word (defaults to the protocol's). */
  constructor(maxLength = MAX_FRAME_LENGTH) {
    this.#maxLength = maxLength;
  }

  /** Largest acceptable length word from now on (a session raises it once the client has opened a connection). */
  set maxLength(n: number) {
    this.#maxLength = n;
  }

  get maxLength(): number {
    return this.#maxLength;
  }

  /** Bytes received for an incomplete message. */
  get buffered(): number {
    return this.#blocks ? this.#filled : this.#wordBytes;
  }

  /** Bytes of memory held for an incomplete message (its buffer's capacity). */
  get retained(): number {
    return this.#blocks ? this.#capacity : 0;
  }

  push(chunk: Uint8Array): Message[] {
    if (this.#failed) throw this.#failed;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const out: Message[] = [];
    try {
      let pos = this.#continuePartial(buf, out);
      while (pos < buf.length) {
        const left = buf.length - pos;
        if (left < LENGTH_WORD_SIZE) {
          for (; pos < buf.length; pos++) this.#word = this.#word * 256 + buf[pos]!;
          this.#wordBytes = left;
          break;
        }
        const length = this.#checkLength(readWord(buf, pos) >>> 0);
        if (left < length) {
          this.#startPartial(length);
          this.#append(buf, pos, buf.length);
          break;
        }
        out.push(frameAt(buf, pos, length));
        pos += length;
      }
    } catch (err) {
      this.#failed = err as Error;
      this.#blocks = null;
      this.#wordBytes = 0;
      throw err;
    }
    return out;
  }

  /** Feeds the start of `buf` to the split message, if one is pending; returns where the rest of `buf` begins. */
  #continuePartial(buf: Buffer, out: Message[]): number {
    let pos = 0;
    if (this.#wordBytes > 0) {
      while (this.#wordBytes < LENGTH_WORD_SIZE && pos < buf.length) {
        this.#word = this.#word * 256 + buf[pos++]!;
        this.#wordBytes++;
      }
      if (this.#wordBytes < LENGTH_WORD_SIZE) return pos;
      const length = this.#checkLength(this.#word);
      this.#word = 0;
      this.#wordBytes = 0;
      this.#startPartial(length);
      const word = Buffer.allocUnsafe(LENGTH_WORD_SIZE);
      writeWord(word, length, 0);
      this.#append(word, 0, LENGTH_WORD_SIZE);
    }
    if (!this.#blocks) return pos;
    const end = Math.min(buf.length, pos + this.#length - this.#filled);
    this.#append(buf, pos, end);
    if (this.#filled === this.#length) {
      const blocks = this.#blocks;
      this.#blocks = null;
      out.push(frameAt(blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, this.#length), 0, this.#length));
    }
    return end;
  }

  #checkLength(length: number): number {
    if (length < MIN_FRAME_LENGTH) {
      throw protocolError(`message length ${length} is shorter than the ${MIN_FRAME_LENGTH}-byte minimum`);
    }
    if (length > this.#maxLength) {
      throw protocolError(`message length ${length} exceeds the maximum of ${this.#maxLength}`);
    }
    return length;
  }

  #startPartial(length: number): void {
    const first = Buffer.allocUnsafe(Math.min(length, FIRST_BLOCK));
    this.#length = length;
    this.#blocks = [first];
    this.#blockFill = 0;
    this.#filled = 0;
    this.#capacity = first.length;
  }

  /** Copies buf[from, to) after the split message's bytes, adding blocks (never beyond the frame) as they fill. */
  #append(buf: Buffer, from: number, to: number): void {
    const blocks = this.#blocks!;
    while (from < to) {
      let last = blocks[blocks.length - 1]!;
      if (this.#blockFill === last.length) {
        // Half the capacity so far: capacity never passes 1.5 times the bytes received.
        const size = Math.min(this.#length - this.#capacity, BLOCK_MAX, this.#capacity >> 1);
        last = Buffer.allocUnsafe(size);
        blocks.push(last);
        this.#blockFill = 0;
        this.#capacity += size;
      }
      const n = Math.min(to - from, last.length - this.#blockFill);
      buf.copy(last, this.#blockFill, from, from + n);
      this.#blockFill += n;
      this.#filled += n;
      from += n;
    }
  }
}

/** The message of `length` bytes at `at` of `buf`, as views of it. */
function frameAt(buf: Buffer, at: number, length: number): Message {
  return {
    header: decodeHeader(buf, at + LENGTH_WORD_SIZE),
    payload: buf.subarray(at + LENGTH_WORD_SIZE + HEADER_SIZE, at + length),
  };
}
