/**
 * An InputGate stands between the server's bytes and the response decoder for commands
 * that switch the byte stream after their OK: STARTTLS (RFC 9051 §6.2.1: TLS starts right
 * after the CRLF of the OK) and COMPRESS (RFC 4978 §3: DEFLATE starts right after it).
 *
 *   open          bytes go to the decoder as they come
 *   line-by-line  a switch command was written: bytes go to the decoder one line at a
 *                 time, so the decoder never sees a byte past the OK
 *   closed        the OK was decoded: everything after it is kept aside (`take()`), for
 *                 the client to refuse (STARTTLS injection) or inflate (COMPRESS)
 *
 * A switch command that fails (NO/BAD) re-opens the gate; so does `take()`.
 */
export class InputGate {
  private state: 'open' | 'line-by-line' | 'closed' = 'open';
  private unread: Uint8Array[] = [];

  /** A stream-switching command was written. */
  hold(): void {
    if (this.state === 'open') this.state = 'line-by-line';
  }

  /** The stream-switching command failed: its bytes stay IMAP. */
  release(): void {
    if (this.state === 'line-by-line') this.state = 'open';
  }

  /** The stream-switching command's OK was decoded. */
  close(): void {
    this.state = 'closed';
  }

  /**
   * Passes bytes on to `feed` as the state allows; `feed` may call release() or close()
   * (it decodes the OK), which takes effect from the next byte on.
   */
  pass(bytes: Uint8Array, feed: (bytes: Uint8Array) => void, stopped: () => boolean): void {
    if (this.state === 'closed') {
      this.unread.push(bytes.slice());
      return;
    }
    if (this.state === 'open') return feed(bytes);
    let start = 0;
    while (start < bytes.length && !stopped()) {
      const lf = bytes.indexOf(0x0a, start);
      const end = lf < 0 ? bytes.length : lf + 1;
      feed(bytes.subarray(start, end));
      start = end;
      if (start >= bytes.length) return;
      const now = this.current(); // feed() may have moved it
      if (now === 'open') return feed(bytes.subarray(start));
      if (now === 'closed') {
        this.unread.push(bytes.slice(start));
        return;
      }
    }
  }

  private current(): 'open' | 'line-by-line' | 'closed' {
    return this.state;
  }

  /** The bytes kept aside since the OK; opens the gate again. */
  take(): Uint8Array {
    const parts = this.unread;
    this.unread = [];
    this.state = 'open';
    return Buffer.concat(parts);
  }
}
