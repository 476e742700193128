/**
 * A BodyCollector gathers streamed body pieces (POP3 `body-chunk` frames, DotUnstuffer
 * output) into one Uint8Array, for callers that want the whole message rather than a stream
 * (`Pop3Client#retr`). Its `maxBytes` bounds the memory a hostile server can make it hold:
 * passing it is a WireError('literal-too-large') with limit `maxMessageBytes`.
 */
import { WireError } from '../wire-error.js';
import type { Pop3Frame } from './pop3-response-decoder.js';

export interface BodyCollectorOptions {
  /** The largest body held, in bytes. Default: no limit beyond what the caller streams. */
  maxBytes?: number;
}

export class BodyCollector {
  readonly maxBytes: number;
  #parts: Uint8Array[] = [];
  #bytes = 0;

  constructor(options: BodyCollectorOptions = {}) {
    this.maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  }

  /** The bytes collected so far. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /**
   * Adds one piece. Pieces may be views into a caller's chunk, so each is copied once when
   * added (the caller may reuse its buffers) — the only copy of the body.
   */
  add(bytes: Uint8Array): void {
    if (this.#bytes + bytes.length > this.maxBytes) {
      throw new WireError(
        'literal-too-large',
        `a body is larger than maxMessageBytes (${this.maxBytes})`,
        this.#bytes,
        'maxMessageBytes',
      );
    }
    this.#parts.push(Buffer.from(bytes));
    this.#bytes += bytes.length;
  }

  /** Adds the body-chunk frames among `frames`; true when a body-end was among them. */
  addFrames(frames: readonly Pop3Frame[]): boolean {
    let ended = false;
    for (const frame of frames) {
      if (frame.kind === 'body-chunk') this.add(frame.bytes);
      else if (frame.kind === 'body-end') ended = true;
    }
    return ended;
  }

  /** The whole body, and a fresh start for the next one. */
  take(): Uint8Array {
    const whole = Buffer.concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    return whole;
  }
}
