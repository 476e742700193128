/**
 * A hand-driven client for tests: send raw bytes, read lines, read up to an IMAP tagged
 * reply, an SMTP final reply line, or a POP3 multi-line body's ".".
 */
import type { ConnectionOptions } from 'node:tls';
import type { Connection } from '../net/connection.js';
import { dial } from '../net/dial.js';

export class LineClient {
  readonly conn: Connection;

  private constructor(conn: Connection) {
    this.conn = conn;
  }

  static async open(port: number, tls?: ConnectionOptions): Promise<LineClient> {
    return new LineClient(await dial({ port, ...(tls ? { tls } : {}) }));
  }

  send(text: string | Uint8Array): Promise<void> {
    return this.conn.write(text);
  }

  /** One line without CRLF; '<closed>' at the end of the stream. */
  async line(): Promise<string> {
    const b = await this.conn.readLineWithEnd(1 << 24);
    if (b === null) return '<closed>';
    if (b === 'too-long') throw new Error('line too long');
    return b.toString('latin1').replace(/\r\n$/, '');
  }

  /** Sends a line (CRLF appended) and reads up to and including the line starting with `until`; returns everything read, CRLF-joined. */
  async exchange(line: string | null, until: RegExp): Promise<string> {
    if (line !== null) await this.send(`${line}\r\n`);
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      out.push(l);
      if (until.test(l) || l === '<closed>') return out.join('\r\n');
    }
  }

  /** IMAP: sends a tagged command and reads through its tagged reply. */
  imap(tag: string, command: string): Promise<string> {
    return this.exchange(`${tag} ${command}`, new RegExp(`^${tag} (OK|NO|BAD)`));
  }

  /** Reads everything until the server closes. */
  async rest(): Promise<string> {
    const out: string[] = [];
    for (let l = await this.line(); l !== '<closed>'; l = await this.line()) out.push(l);
    return out.join('\r\n');
  }

  async startTls(ca: string): Promise<void> {
    if (!(await this.conn.upgradeClientTls({ ca, servername: 'localhost' }))) throw new Error('TLS upgrade failed');
  }

  close(): void {
    this.conn.destroy();
  }
}
