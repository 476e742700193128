/**
 * A TranscriptRecorder turns the bytes a client writes and reads into the `{dir, line}`
 * entries of ClientOptions.transcript, redacting secrets on the way.
 *
 * It knows no protocol: it cuts each direction into CRLF lines and, for client lines,
 * applies `redactCommand` (AUTHENTICATE/AUTH arguments, IMAP LOGIN, POP3 PASS). A write the
 * protocol layer marks `secret` (a SASL response, a password literal) is recorded as
 * `[redacted]` whatever it holds. Control bytes are shown as `\xHH`, and very long lines
 * are cut, so a transcript never holds a message body's worth of one line.
 */
import { redactCommand } from '@mailwire/errors';

import type { TranscriptEntry } from './client-options.js';

export type TranscriptSink = (entry: TranscriptEntry) => void;

/** The text a redacted line is replaced with. */
export const REDACTED = '[redacted]';

const DEFAULT_MAX_LINE_CHARS = 2000;

function render(bytes: Uint8Array, start: number, end: number, max: number): string {
  let out = '';
  const stop = Math.min(end, start + max);
  for (let i = start; i < stop; i++) {
    const b = bytes[i]!;
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  if (end - start > max) out += `... [${end - start - max} more bytes]`;
  return out;
}

class LineCutter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingSecret = false;

  constructor(
    private readonly emit: (line: string, secret: boolean) => void,
    private readonly max: number,
  ) {}

  push(bytes: Uint8Array, secret = false): void {
    let start = 0;
    for (;;) {
      const lf = bytes.indexOf(0x0a, start);
      if (lf < 0) break;
      let end = lf;
      if (this.pendingBytes > 0) {
        const wasSecret = this.pendingSecret || secret;
        const whole = this.takePending(bytes.subarray(start, lf));
        this.emitLine(whole, 0, whole.length, wasSecret);
      } else {
        if (end > start && bytes[end - 1] === 0x0d) end--;
        this.emit(render(bytes, start, end, this.max), secret);
      }
      start = lf + 1;
    }
    if (start < bytes.length) {
      this.keep(bytes.subarray(start));
      this.pendingSecret ||= secret;
    }
  }

  private emitLine(line: Uint8Array, start: number, end: number, secret: boolean): void {
    if (end > start && line[end - 1] === 0x0d) end--;
    this.emit(render(line, start, end, this.max), secret);
  }

  /** Keeps at most `max` bytes of an unfinished line (the rest is only counted). */
  private keep(bytes: Uint8Array): void {
    const room = Math.max(0, this.max + 1 - this.pendingBytes);
    if (room > 0) this.pending.push(bytes.slice(0, room));
    this.pendingBytes += bytes.length;
  }

  private takePending(tail: Uint8Array): Uint8Array {
    this.keep(tail);
    const out = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingSecret = false;
    return out;
  }
}

/**
 * A client line as recorded: a command's secret arguments cut by `redactCommand`; a
 * secret line it does not recognise (a SASL response, a password literal) replaced whole.
 */
function redactClientLine(line: string, secret: boolean): string {
  const redacted = redactCommand(line);
  if (!secret || redacted !== line) return redacted;
  return REDACTED;
}

/** A TranscriptRecorder records both directions of one connection into a sink. */
export class TranscriptRecorder {
  private readonly client: LineCutter;
  private readonly server: LineCutter;

  constructor(sink: TranscriptSink, options: { maxLineChars?: number } = {}) {
    const max = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    this.client = new LineCutter((line, secret) => sink({ dir: 'C', line: redactClientLine(line, secret) }), max);
    this.server = new LineCutter((line) => sink({ dir: 'S', line }), max);
  }

  /** Records bytes the client sent; a line holding any `secret` byte is recorded as `[redacted]`. */
  sent(bytes: Uint8Array, secret = false): void {
    this.client.push(bytes, secret);
  }

  /** Records bytes the server sent. */
  received(bytes: Uint8Array): void {
    this.server.push(bytes);
  }
}
