/**
 * Guest consoles of xen:///system: xenconsoled connects each guest's PV
 * console ring to a pty and publishes the pty's path in xenstore
 * (/local/domain/<id>/console/tty). A console stream is that pty, opened
 * twice (a non-blocking tty reader, a writer), as one Duplex. One stream per
 * domain at a time, process-wide (as libvirt): a second open fails unless
 * FORCE, which ends the first.
 */
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { Duplex } from 'node:stream';
import { DomainConsoleFlags } from '../../constants';
import { ErrorDomain, ErrorNumber, XvirtError } from '../../errors';

/** A pty as a Duplex; the guest stopping (the pty hung up, EIO) ends it. */
export class PtyConsole extends Duplex {
  readonly #reader: tty.ReadStream;
  readonly #writeFd: number;

  constructor(pty: string) {
    super({ allowHalfOpen: false });
    const readFd = fs.openSync(pty, fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
    try {
      this.#writeFd = fs.openSync(pty, fs.constants.O_WRONLY | fs.constants.O_NOCTTY);
    } catch (err) {
      fs.closeSync(readFd);
      throw err;
    }
    this.#reader = new tty.ReadStream(readFd);
    this.#reader.pause();
    this.#reader.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.#reader.pause();
    });
    this.#reader.on('end', () => this.push(null));
    this.#reader.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EIO')
        this.push(null); // the other side closed: the guest is gone
      else this.destroy(err);
    });
  }

  override _read(): void {
    this.#reader.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    fs.write(this.#writeFd, chunk, (err) => cb(err));
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.#reader.destroy();
    fs.close(this.#writeFd, () => cb(err));
  }
}

function consoleError(num: ErrorNumber, detail: string): XvirtError {
  return XvirtError.of(num, ErrorDomain.XEN, detail);
}

/** The console streams open in this process, by domain UUID. */
export class ConsoleSessions {
  readonly #open = new Map<string, Duplex>();

  /**
   * Opens `pty` for domain `uuid`. FORCE ends a session already open;
   * without it, that session makes this open fail (libvirt's wording).
   */
  open(uuid: string, pty: string, flags: number): Duplex {
    const current = this.#open.get(uuid);
    if (current && !current.destroyed) {
      if ((flags & DomainConsoleFlags.FORCE) === 0) {
        throw consoleError(ErrorNumber.OPERATION_FAILED, 'Active console session exists for this domain');
      }
      current.destroy();
    }
    let stream: Duplex;
    try {
      stream = new PtyConsole(pty);
    } catch (err) {
      throw consoleError(ErrorNumber.OPERATION_FAILED, `cannot open the console pty ${pty}: ${(err as Error).message}`);
    }
    this.#open.set(uuid, stream);
    stream.once('close', () => {
      if (this.#open.get(uuid) === stream) this.#open.delete(uuid);
    });
    return stream;
  }
}

/** One book for the process: xvirtd's clients share the one-session rule. */
export const processConsoles = new ConsoleSessions();

/** The names a Xen PV guest's one console answers to (null: the first console). */
export function checkConsoleName(devName: string | null): void {
  if (devName !== null && devName !== 'console0' && devName !== 'serial0') {
    throw consoleError(ErrorNumber.INTERNAL_ERROR, `cannot find character device ${devName}`);
  }
}
