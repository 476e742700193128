/**
 * The SmtpSession serves one SMTP submission client (RFC 5321, RFC 6409) into the mail
 * store, in the words of a personality: EHLO/HELO, STARTTLS (RFC 3207), AUTH (RFC 4954)
 * through packages/sasl, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT, and the
 * SIZE (RFC 1870), 8BITMIME (RFC 6152), PIPELINING (RFC 2920) and ENHANCEDSTATUSCODES
 * (RFC 2034) keywords.
 *
 * Theory of operation. States: greeted (before EHLO), ready (EHLO done), mail (after
 * MAIL), rcpt (at least one RCPT). MAIL needs authentication (submission). DATA reads
 * lines until a line that is exactly ".CRLF" — a bare LF never ends it (no SMTP
 * smuggling) — dropping the first "." of any line that starts with one (RFC 5321
 * §4.5.2); past the size limit it keeps reading but stores nothing. A message is
 * delivered to the INBOX of every local recipient; others are accepted and dropped. An
 * AUTH line over the personality's limit gets its reply (Gmail 555, Dovecot 500) — the
 * reason clients must go two-step with long tokens.
 */
import { SASL_MECHANISMS } from '@mailwire/sasl';
import { CommandFaults } from '../faults/command-faults.js';
import type { Connection } from '../net/connection.js';
import { runSaslExchange } from '../sasl-driver.js';
import { authAllowed, type ServerContext } from '../server-context.js';

/** Recipients per message; RFC 5321 §4.5.3.1.8 asks for at least 100, and a client must not grow the list without end. */
const MAX_RECIPIENTS = 1000;

export class SmtpSession {
  readonly #conn: Connection;
  readonly #ctx: ServerContext;
  readonly #clientIp: string;
  #state: 'greeted' | 'ready' | 'mail' | 'rcpt' | 'quit' = 'greeted';
  #user: string | null = null;
  #token: string | null = null;
  #to: string[] = [];
  #delivered = 0;
  readonly #faults: CommandFaults;

  constructor(conn: Connection, ctx: ServerContext, clientIp: string) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#clientIp = clientIp;
    this.#faults = new CommandFaults(conn, ctx);
  }

  get #t() {
    return this.#ctx.personality.smtp;
  }

  #send(...lines: string[]): Promise<void> {
    return this.#conn.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  async run(): Promise<void> {
    await this.#send(`220 ${this.#t.greeting(this.#ctx.store.now())}`);
    while (this.#state !== 'quit' && !this.#conn.ended) {
      const raw = await this.#conn.readLine(Math.max(this.#t.authLineLimit, 1000) + 8192);
      if (raw === null) return;
      if (raw === 'too-long') {
        await this.#send(this.#t.lineTooLong);
        continue;
      }
      if (await this.#faultsBefore()) return;
      const line = raw.toString('latin1');
      const sp = line.indexOf(' ');
      const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
      const arg = sp < 0 ? '' : line.slice(sp + 1);
      if (verb === 'AUTH') {
        if (line.length > this.#t.authLineLimit) await this.#send(...this.#t.authLineTooLong);
        else await this.#auth(arg);
        continue;
      }
      if (line.length > 1000) {
        await this.#send(this.#t.lineTooLong);
        continue;
      }
      await this.#dispatch(verb, arg);
    }
  }

  /** Faults and token expiry before a command; true when the session ended. */
  async #faultsBefore(): Promise<boolean> {
    const fault = await this.#faults.beforeCommand(this.#token, this.#user !== null);
    if (fault === null) return false;
    await this.#send(fault === 'token-expired' ? this.#t.tokenExpired : '421 4.3.2 Service shutting down');
    this.#conn.destroy();
    return true;
  }

  #ehloLines(name: string): string[] {
    const keywords = this.#t.keywords.flatMap((k) => {
      if (k === '{STARTTLS}') return this.#conn.secure ? [] : ['STARTTLS'];
      if (k === '{AUTH}') return authAllowed(this.#ctx, this.#conn) ? [`AUTH ${this.#ctx.personality.mechanisms.join(' ')}`] : [];
      return [k];
    });
    const all = [this.#t.ehloHello(name, this.#clientIp), ...keywords];
    return all.map((l, i) => `250${i === all.length - 1 ? ' ' : '-'}${l}`);
  }

  #reset(): void {
    this.#to = [];
    if (this.#state !== 'greeted') this.#state = 'ready';
  }

  async #dispatch(verb: string, arg: string): Promise<void> {
    switch (verb) {
      case 'EHLO':
        if (arg.trim() === '') return this.#send(this.#t.syntax);
        this.#reset();
        this.#state = 'ready';
        return this.#send(...this.#ehloLines(arg.trim()));
      case 'HELO':
        if (arg.trim() === '') return this.#send(this.#t.syntax);
        this.#reset();
        this.#state = 'ready';
        return this.#send(`250 ${this.#t.helo(arg.trim())}`);
      case 'STARTTLS':
        if (this.#conn.secure) return this.#send(this.#t.unknown(verb));
        if (await this.#conn.startTls(`${this.#t.startTls}\r\n`, this.#ctx.tls)) this.#state = 'greeted';
        return;
      case 'NOOP': return this.#send(this.#t.noop);
      case 'RSET':
        this.#reset();
        return this.#send(this.#t.rset);
      case 'QUIT':
        this.#state = 'quit';
        return this.#send(this.#t.quit);
      case 'MAIL': return this.#mail(arg);
      case 'RCPT': return this.#rcpt(arg);
      case 'DATA': return this.#data();
      default: return this.#send(this.#t.unknown(verb));
    }
  }

  async #auth(arg: string): Promise<void> {
    if (this.#state === 'greeted') return this.#send(this.#t.badSequence);
    if (!authAllowed(this.#ctx, this.#conn)) return this.#send(this.#t.tlsRequired);
    if (this.#user !== null) return this.#send('503 5.5.1 Already authenticated');
    const [mechRaw = '', initial, extra] = arg.split(' ');
    const mech = mechRaw.toUpperCase();
    if (!SASL_MECHANISMS.includes(mech) || extra !== undefined) return this.#send(this.#t.syntax);
    const outcome = await runSaslExchange(this.#conn, this.#ctx, mech, initial, { challenge: (b64) => `334 ${b64}\r\n`, maxLineBytes: 16_384 });
    if (outcome.kind === 'closed') return;
    if (outcome.kind === 'cancel') return this.#send(this.#t.authAborted);
    if (outcome.kind === 'failure') return this.#send(...this.#t.authFailed);
    const u = this.#ctx.users.get(outcome.user);
    if (u?.smtpAuthDisabled && this.#t.authDisabled) return this.#send(...this.#t.authDisabled);
    this.#user = u?.user ?? outcome.user;
    this.#token = outcome.token;
    await this.#send(this.#t.authOk);
  }

  async #mail(arg: string): Promise<void> {
    if (this.#state === 'greeted') return this.#send(this.#t.badSequence);
    if (this.#user === null) return this.#send(this.#t.authRequired);
    const m = /^FROM:\s*<([^>]*)>(.*)$/i.exec(arg);
    if (!m || this.#state !== 'ready') return this.#send(m ? '503 5.5.1 Sender already specified' : this.#t.syntax);
    const size = /\bSIZE=(\d+)/i.exec(m[2]!);
    if (size && Number(size[1]) > this.#ctx.limits.maxMessageBytes) return this.#send(this.#t.tooBig);
    this.#state = 'mail';
    await this.#send(this.#t.mailOk);
  }

  async #rcpt(arg: string): Promise<void> {
    if (this.#state !== 'mail' && this.#state !== 'rcpt') return this.#send(this.#t.badSequence);
    const m = /^TO:\s*<([^>]+)>/i.exec(arg);
    if (!m) return this.#send(this.#t.syntax);
    if (this.#to.length >= MAX_RECIPIENTS) return this.#send('452 4.5.3 Too many recipients');
    this.#to.push(m[1]!);
    this.#state = 'rcpt';
    await this.#send(this.#t.rcptOk);
  }

  async #data(): Promise<void> {
    if (this.#state !== 'rcpt') return this.#send(this.#t.badSequence);
    await this.#send(this.#t.data);
    const parts: Buffer[] = [];
    let size = 0;
    let atLineStart = true;
    for (;;) {
      const line = await this.#conn.readLineWithEnd(1_000_000);
      if (line === null) return;
      if (line === 'too-long') {
        size = Infinity;
        continue;
      }
      // Only a CRLF starts a line: after a bare LF a "." is data (no SMTP smuggling).
      const lineStart = atLineStart;
      atLineStart = line.length >= 2 && line[line.length - 2] === 0x0d;
      if (lineStart && line.length === 3 && line[0] === 0x2e && line[1] === 0x0d) break;
      const data = lineStart && line[0] === 0x2e ? line.subarray(1) : line;
      size += data.length;
      if (size <= this.#ctx.limits.maxMessageBytes) parts.push(data);
    }
    const to = this.#to;
    this.#reset();
    if (size > this.#ctx.limits.maxMessageBytes) return this.#send(this.#t.tooBig);
    const raw = Buffer.concat(parts);
    for (const rcpt of to) this.#ctx.store.deliver(rcpt, raw);
    this.#delivered++;
    await this.#send(this.#t.dataOk(`${this.#ctx.personality.name.toUpperCase()}${String(this.#delivered).padStart(6, '0')}`));
  }
}
