/**
 * A CheckConnection is a bare line connection for the behaviour checks: it sends exactly
 * the bytes a check gives and hands back the server's lines one by one, so a check can do
 * what no protocol client would (pipeline on purpose, send an over-long line, announce a
 * literal and watch for the go-ahead) and see exactly what the server answered.
 *
 * Theory of operation. It sits on net's Transport (so TLS, SNI, the certificate check and
 * the timeout are the clients' own) and cuts the stream with wire's LineDecoder. `line()`
 * resolves with the next line (latin1, without CRLF), or null once the server closed the
 * connection; a silent server gives `null` after `quietMs` when asked with `lineOrQuiet`.
 * Every line in both directions is kept in `lines` for the check's detail text; a check
 * that sends a secret passes `secret` and the line is kept as "<redacted>".
 */
import { MailwireError } from '@mailwire/errors';
import { connect, type Transport } from '@mailwire/net';
import { LineDecoder } from '@mailwire/wire';
import type { ConnectionOptions } from 'node:tls';

import type { Endpoint } from '../endpoint.js';

/** Long enough for the longest line any check provokes (an echoed over-long command). */
const MAX_LINE_BYTES = 1 << 20;
export const CHECK_TIMEOUT_MS = 10_000;

export class CheckConnection {
  readonly lines: string[] = [];
  readonly #transport: Transport;
  readonly #decoder = new LineDecoder({ maxLineBytes: MAX_LINE_BYTES });
  readonly #ready: string[] = [];
  #ended = false;
  #pending: Promise<void> | undefined;

  private constructor(transport: Transport) {
    this.#transport = transport;
  }

  static async open(endpoint: Endpoint, tls: ConnectionOptions, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckConnection> {
    const transport = await connect({ host: endpoint.host, port: endpoint.port, security: endpoint.security === 'tls' ? 'tls' : 'none', tls, timeoutMs });
    return new CheckConnection(transport);
  }

  get secure(): boolean {
    return this.#transport.secure;
  }

  get closed(): boolean {
    return this.#ended && this.#ready.length === 0;
  }

  /** Sends bytes as they are (the caller writes the CRLF). */
  async send(text: string, options: { secret?: boolean } = {}): Promise<void> {
    for (const line of text.split('\r\n').slice(0, -1)) this.lines.push(`C: ${options.secret ? '<redacted>' : clip(line)}`);
    await this.#transport.write(Buffer.from(text, 'latin1'));
  }

  /** The next line from the server, or null once it closed the connection. */
  async line(): Promise<string | null> {
    while (this.#ready.length === 0) {
      if (this.#ended) return null;
      await this.#fill();
    }
    return this.#ready.shift()!;
  }

  /** The next line, or null when the server closed the connection or said nothing for `quietMs`. */
  async lineOrQuiet(quietMs: number): Promise<string | null> {
    if (this.#ready.length > 0 || this.#ended) return this.line();
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<'quiet'>((resolve) => (timer = setTimeout(() => resolve('quiet'), quietMs)));
    try {
      const filled = await Promise.race([this.#fill(), quiet]);
      if (filled === 'quiet') return null;
      return this.lineOrQuiet(quietMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lines up to and including the first that `last` accepts; null when the connection ended first. */
  async until(last: (line: string) => boolean): Promise<string[] | null> {
    const got: string[] = [];
    for (;;) {
      const line = await this.line();
      if (line === null) return null;
      got.push(line);
      if (last(line)) return got;
    }
  }

  /** Upgrades to TLS after the server's STARTTLS/STLS go-ahead; bytes held past it fail the upgrade. */
  async upgrade(tls: ConnectionOptions): Promise<void> {
    await this.#transport.upgradeToTls(tls, this.#ready.length + this.#decoder.bufferedBytes);
  }

  close(): void {
    this.#transport.close();
  }

  /** One read from the transport; concurrent callers share it (a quiet wait may leave one pending). */
  #fill(): Promise<void> {
    this.#pending ??= this.#readChunk().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #readChunk(): Promise<void> {
    let chunk: Uint8Array | null;
    try {
      chunk = await this.#transport.read();
    } catch (error) {
      if (!(error instanceof MailwireError) || error.code !== 'ECONNECTION') throw error;
      chunk = null;
    }
    if (chunk === null) {
      this.#ended = true;
      return;
    }
    for (const bytes of this.#decoder.push(chunk)) {
      const line = Buffer.from(bytes).toString('latin1');
      this.lines.push(`S: ${clip(line)}`);
      this.#ready.push(line);
    }
  }
}

function clip(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}... (${line.length} octets)` : line;
}
