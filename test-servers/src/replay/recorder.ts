/**
 * A RecordingClient drives a server by hand (a scripted client) and records both sides,
 * byte for byte, as a Transcript: what it sends becomes `C` entries, each line the
 * server sends an `S` entry. This is how the personality fixtures were made (see
 * fixtures/README.md). STARTTLS is followed by `upgrade()`; the recording goes on
 * inside TLS as if nothing happened, as a client sees it.
 */
import type { ConnectionOptions } from 'node:tls';
import type { Connection } from '../net/connection.js';
import { dial } from '../net/dial.js';
import type { Transcript, TranscriptEntry } from '@mailwire/transcript';

export class RecordingClient {
  readonly #conn: Connection;
  readonly #tls: ConnectionOptions;
  readonly entries: TranscriptEntry[] = [];

  private constructor(conn: Connection, tls: ConnectionOptions) {
    this.#conn = conn;
    this.#tls = tls;
  }

  /** Connects (implicit TLS when `implicitTls`), trusting `ca`. */
  static async open(port: number, ca: string, implicitTls: boolean): Promise<RecordingClient> {
    const tls = { ca, servername: 'localhost' };
    return new RecordingClient(await dial({ port, ...(implicitTls ? { tls } : {}) }), tls);
  }

  /** Sends one line (CRLF appended). */
  async send(line: string): Promise<void> {
    const bytes = Buffer.from(`${line}\r\n`, 'latin1');
    this.entries.push({ dir: 'C', bytes, line: 0 });
    await this.#conn.write(bytes);
  }

  /** Reads lines through the first that matches `until`; returns the last line. */
  async read(until: RegExp): Promise<string> {
    for (;;) {
      const b = await this.#conn.readLineWithEnd(1 << 20);
      if (b === null || b === 'too-long') throw new Error(`the server closed or sent too much while waiting for ${until}`);
      this.entries.push({ dir: 'S', bytes: b, line: 0 });
      const text = b.toString('latin1').replace(/\r?\n$/, '');
      if (until.test(text)) return text;
    }
  }

  /** Sends a line and reads the reply through `until`. */
  async exchange(line: string, until: RegExp): Promise<string> {
    await this.send(line);
    return this.read(until);
  }

  async upgrade(): Promise<void> {
    if (!(await this.#conn.upgradeClientTls(this.#tls))) throw new Error('TLS upgrade failed');
  }

  transcript(headers: Record<string, string>): Transcript {
    return { headers, entries: this.entries };
  }

  close(): Promise<void> {
    return this.#conn.close();
  }
}
