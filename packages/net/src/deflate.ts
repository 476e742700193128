/**
 * A Deflater is the COMPRESS=DEFLATE layer (RFC 4978) a Transport inserts between the
 * socket and the protocol: raw DEFLATE (RFC 1951) both ways, each write ended with a
 * sync flush (Z_SYNC_FLUSH) so the server can act on a command at once.
 *
 * Inflated output is handed on as zlib produces it, 16 KiB at a time. A few compressed
 * bytes can stand for megabytes (a deflate bomb), so the Transport pauses the inflater
 * together with the socket when its queue is full (`pause`/`resume`): zlib then stops
 * inflating once its own small buffer is full, and memory stays flat.
 */
import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import type { DeflateRaw, InflateRaw } from 'node:zlib';

export class Deflater {
  private readonly inflater: InflateRaw;
  private readonly deflater: DeflateRaw;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    onPlain: (bytes: Uint8Array) => void,
    private readonly writeRaw: (bytes: Uint8Array) => Promise<void>,
    onError: (err: Error) => void,
  ) {
    this.inflater = createInflateRaw();
    this.deflater = createDeflateRaw();
    this.inflater.on('data', (chunk: Buffer) => onPlain(chunk));
    const fail = (err: Error) => {
      if (this.failed) return;
      this.failed = true;
      onError(err);
    };
    this.inflater.on('error', fail);
    this.deflater.on('error', fail);
    this.deflater.on('data', (chunk: Buffer) => {
      this.chain = this.chain.then(() => this.writeRaw(chunk));
    });
  }

  /** Stops handing on inflated bytes until resume(); input is kept compressed meanwhile. */
  pause(): void {
    this.inflater.pause();
  }

  resume(): void {
    this.inflater.resume();
  }

  /** Feeds compressed bytes from the peer. */
  inflate(bytes: Uint8Array): void {
    if (!this.failed) this.inflater.write(bytes);
  }

  /** Compresses and sends bytes, resolving once they are flushed to the socket. */
  async deflate(bytes: Uint8Array): Promise<void> {
    this.deflater.write(bytes);
    await new Promise<void>((resolve) => this.deflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const sent = this.chain;
    this.chain = Promise.resolve();
    await sent;
  }
}
