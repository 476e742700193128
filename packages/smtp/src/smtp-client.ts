/**
 * SmtpClient is the SMTP submission client of ../shared/API.md (RFC 5321, RFC 6409): an
 * SmtpSession driven over one Transport.
 *
 * connect(): greeting, EHLO (HELO where EHLO is refused), STARTTLS where asked (refused,
 * missing or followed by injected bytes fails before any credential: ESTARTTLS /
 * EINSECURE, as IMAP), EHLO again over TLS, then AUTH (RFC 4954) through the shared
 * SaslExchange: the initial response rides on the AUTH line only where the line fits 512
 * octets, so a Microsoft token goes two-step (`AUTH XOAUTH2`, `334`, the token, `235`). A
 * token provider whose token is refused is asked once more, on a new connection.
 *
 * send(): MAIL FROM (SIZE, BODY=8BITMIME, SMTPUTF8, DSN where offered), one RCPT per
 * recipient, DATA and the dot-stuffed message streamed with backpressure, batched in one
 * write where PIPELINING is offered. A refused recipient is reported and the message
 * still goes to the accepted ones; the result is returned only after the server's final
 * 2xx for the data. Each failure names its step (`error.step`); a 421 at any point ends
 * the session with ECONNECTION; after any other refusal the client sends RSET so the
 * connection stays usable for the next message.
 */
import { hostname } from 'node:os';

import { AuthenticationError, CommandError, ConnectionError, MailwireError, SecurityError, UsageError } from '@mailwire/errors';
import { connectClient } from '@mailwire/net';
import type { TlsDetails, Transport } from '@mailwire/net';
import { chooseMechanism, createClientMechanism, resolveToken, SaslExchange, withFreshTokenRetry } from '@mailwire/sasl';
import { DotStuffer } from '@mailwire/wire';

import { checkedEhloName, mailFrom, rcptTo, xtext } from './commands.js';
import { parseEhlo, sizeLimit } from './ehlo.js';
import type { EhloCapabilities } from './ehlo.js';
import { hasEightBit, inMemory, needsSmtpUtf8 } from './message-source.js';
import { CrlfNormalizer } from './line-ends.js';
import type { MessageSource } from './message-source.js';
import { positive, replyLine } from './reply.js';
import { replyForMessage } from './user-not-local.js';
import type { SmtpReply } from './reply.js';
import { SmtpSession } from './session.js';
import type { SmtpReplyReceived, SmtpStep } from './session.js';
import type { Envelope, SmtpClientOptions } from './client-options.js';

/** What send() resolves with (../shared/API.md). */
export interface SendResult {
  accepted: string[];
  rejected: { recipient: string; reply: SmtpReply }[];
  /** The server's final reply to the data. */
  reply: SmtpReply;
}

const NO_CAPS: EhloCapabilities = { keywords: new Set(), params: new Map(), authMechanisms: new Set() };

/** The EHLO name when none is given: the host name if it looks like a domain, else an address literal. */
function defaultEhloName(): string {
  const h = hostname();
  return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(h) ? h : '[127.0.0.1]';
}

export class SmtpClient {
  #transport: Transport | null = null;
  #session: SmtpSession | null = null;
  #ready: SmtpReplyReceived[] = [];
  #caps: EhloCapabilities = NO_CAPS;
  #greeting = '';
  #authenticated = false;
  readonly #name: string;

  constructor(readonly options: SmtpClientOptions) {
    if (!options.host) throw new UsageError('SmtpClient needs a host', { protocol: 'smtp' });
    this.#name = checkedEhloName(options.name ?? defaultEhloName());
  }

  /** EHLO keywords, upper-cased. */
  get capabilities(): ReadonlySet<string> {
    return this.#caps.keywords;
  }

  /** SASL mechanisms offered (AUTH and the legacy AUTH= line), upper-cased. */
  get authMechanisms(): ReadonlySet<string> {
    return this.#caps.authMechanisms;
  }

  /** The parameters of an EHLO keyword (e.g. SIZE's limit), as sent. */
  capabilityParams(keyword: string): readonly string[] | undefined {
    return this.#caps.params.get(keyword.toUpperCase());
  }

  /** The greeting's text. */
  get greeting(): string {
    return this.#greeting;
  }

  /** True while the connection is encrypted. */
  get secure(): boolean {
    return this.#transport?.secure ?? false;
  }

  /** The negotiated TLS and the server's certificate while connected, else null. */
  tlsDetails(): TlsDetails | null {
    return this.#transport?.tlsDetails() ?? null;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** Connects, upgrades, authenticates (see the file comment). */
  async connect(): Promise<void> {
    const source = this.options.auth?.accessToken;
    if (typeof source === 'function') await withFreshTokenRetry(source, (token) => this.#open(token));
    else await this.#open(source);
  }

  /** Sends one message; see the file comment. Rejects with ECOMMAND when MAIL, every RCPT or the data is refused. */
  async send(envelope: Envelope, message: MessageSource): Promise<SendResult> {
    const { from, to } = envelope;
    if (!Array.isArray(to) || to.length === 0) throw new UsageError('send() needs at least one recipient', { protocol: 'smtp' });
    const bytes = inMemory(message);
    const caps = this.#caps.keywords;
    const utf8 = needsSmtpUtf8(from) || to.some(needsSmtpUtf8);
    if (utf8 && !caps.has('SMTPUTF8')) {
      throw new UsageError('An address is not ASCII and the server does not offer SMTPUTF8 (RFC 6531); nothing was sent', { protocol: 'smtp', step: 'MAIL' });
    }
    const mailParams: string[] = [];
    const size = bytes?.length ?? envelope.size;
    if (caps.has('SIZE') && size !== undefined) {
      const limit = sizeLimit(this.#caps);
      if (limit !== undefined && size > limit) {
        throw new CommandError(`The message (${size} bytes) is larger than the server's SIZE limit of ${limit}; nothing was sent`, { protocol: 'smtp', step: 'MAIL' });
      }
      mailParams.push(`SIZE=${size}`);
    }
    if (caps.has('8BITMIME') && (bytes ? hasEightBit(bytes) : envelope.eightBit === true)) mailParams.push('BODY=8BITMIME');
    if (utf8) mailParams.push('SMTPUTF8');
    const dsn = caps.has('DSN') ? envelope.dsn : undefined;
    if (dsn?.ret) mailParams.push(`RET=${dsn.ret}`);
    if (dsn?.envid) mailParams.push(`ENVID=${xtext(dsn.envid)}`);
    const rcptParams = (rcpt: string): string[] => {
      const p: string[] = [];
      if (dsn?.notify) p.push(`NOTIFY=${dsn.notify === 'NEVER' ? 'NEVER' : dsn.notify.join(',')}`);
      if (dsn?.orcpt) p.push(`ORCPT=${utf8 ? 'utf-8' : 'rfc822'};${xtext(rcpt)}`);
      return p;
    };
    // Every command is built (and its arguments checked) before the first byte is written.
    const commands = [mailFrom(from, mailParams), ...to.map((r) => rcptTo(r, rcptParams(r)))];

    const pipelined = caps.has('PIPELINING') && this.options.pipelining !== false;
    const chunked = caps.has('CHUNKING') && this.options.chunking !== false;
    const { accepted, rejected } = await this.#transaction(from, to, commands, pipelined, !chunked);
    let final: SmtpReply;
    if (chunked) {
      final = await this.#writeChunks(message, bytes);
    } else {
      await this.#writeMessage(message, bytes);
      final = await this.#reply('DATA-END');
    }
    if (!positive(final)) {
      const error = this.#commandError(chunked ? 'BDAT' : 'DATA', 'The server refused the message data', final);
      await this.#resetAfterRefusal();
      throw error;
    }
    return { accepted, rejected, reply: final };
  }

  /**
   * MAIL and one RCPT per recipient, then DATA unless the data goes by BDAT — in one write
   * where PIPELINING is offered, else one command at a time, stopping at a refused sender.
   * A refused sender, every recipient refused or DATA refused: RSET, then the CommandError.
   */
  async #transaction(from: string, to: string[], commands: string[], pipelined: boolean, withData: boolean): Promise<Pick<SendResult, 'accepted' | 'rejected'>> {
    const steps: SmtpStep[] = ['MAIL', ...to.map((): SmtpStep => 'RCPT')];
    if (pipelined) await this.#write(withData ? [...commands, 'DATA'] : commands, withData ? [...steps, 'DATA'] : steps);
    else await this.#write([commands[0]!], ['MAIL']);
    const mail = await this.#reply('MAIL');
    const accepted: string[] = [];
    const rejected: SendResult['rejected'] = [];
    let refusal: MailwireError | null = positive(mail) ? null : this.#commandError('MAIL', `The server refused the sender <${from}>`, mail);
    for (let i = 0; i < to.length && (pipelined || refusal === null); i++) {
      if (!pipelined) await this.#write([commands[i + 1]!], ['RCPT']);
      const reply = await this.#reply('RCPT');
      if (positive(reply)) accepted.push(to[i]!);
      else rejected.push({ recipient: to[i]!, reply });
    }
    if (refusal === null && accepted.length === 0) {
      refusal = this.#commandError('RCPT', `The server refused every recipient (${rejected.map((r) => `<${r.recipient}>: ${replyForMessage(r.reply)}`).join('; ')})`, rejected[0]!.reply);
    }
    if (withData) {
      if (!pipelined && refusal === null) await this.#write(['DATA'], ['DATA']);
      const data = pipelined || refusal === null ? await this.#reply('DATA') : null;
      if (data !== null && data.code === 354 && refusal !== null) {
        // RFC 2920 §3.1: DATA went out in the batch and was accepted though nothing can be
        // delivered; end it with an empty message, whose reply is not a delivery.
        await this.#write(['.'], ['DATA-END']);
        await this.#reply('DATA-END');
      }
      if (refusal === null && data !== null && data.code !== 354) refusal = this.#commandError('DATA', 'The server refused DATA', data);
    }
    if (refusal !== null) {
      await this.#resetAfterRefusal();
      throw refusal;
    }
    return { accepted, rejected };
  }

  /**
   * The message by BDAT (RFC 3030): counted chunks, CRLF-normalized and not dot-stuffed, a
   * streamed message in chunks of bdatChunkBytes each acknowledged; resolves with the reply
   * to the LAST chunk (the delivery), or to the first chunk refused.
   */
  async #writeChunks(message: MessageSource, bytes: Uint8Array | null): Promise<SmtpReply> {
    const normalizer = new CrlfNormalizer();
    const chunkBytes = this.options.bdatChunkBytes ?? 256 * 1024;
    const { transport, session } = this.#live();
    const bdat = async (parts: Uint8Array[], last: boolean): Promise<SmtpReply> => {
      const size = parts.reduce((n, p) => n + p.length, 0);
      session.expect(last ? 'DATA-END' : 'BDAT');
      await transport.write(Buffer.concat([Buffer.from(`BDAT ${size}${last ? ' LAST' : ''}\r\n`, 'latin1'), ...parts]));
      return this.#reply(last ? 'DATA-END' : 'BDAT');
    };
    if (bytes !== null) return bdat([normalizer.push(bytes), normalizer.end()], true);
    let held: Uint8Array[] = [];
    let heldBytes = 0;
    for await (const chunk of message as AsyncIterable<Uint8Array>) {
      if (!(chunk instanceof Uint8Array)) throw new UsageError('A message stream must yield Uint8Array chunks', { protocol: 'smtp', step: 'BDAT' });
      held.push(normalizer.push(chunk));
      heldBytes += chunk.length;
      if (heldBytes >= chunkBytes) {
        const reply = await bdat(held, false);
        if (!positive(reply)) return reply;
        held = [];
        heldBytes = 0;
      }
    }
    return bdat([...held, normalizer.end()], true);
  }

  /** RSET (RFC 5321 §4.1.1.5): abandons the transaction in progress. */
  async rset(): Promise<SmtpReply> {
    return this.#simple('RSET');
  }

  /** NOOP. */
  async noop(): Promise<SmtpReply> {
    return this.#simple('NOOP');
  }

  /** QUIT and close; a server that closes without its 221 is fine here. */
  async quit(): Promise<void> {
    const transport = this.#transport;
    if (transport === null) return;
    try {
      if (!transport.closed && this.#session?.state === 'open') {
        await this.#write(['QUIT'], ['QUIT']);
        await this.#reply('QUIT').catch(() => undefined);
      }
    } catch {
      // the connection is going away either way
    } finally {
      this.close();
    }
  }

  /** Closes the connection without QUIT. */
  close(): void {
    this.#transport?.close();
    this.#transport = null;
    this.#session = null;
    this.#ready = [];
    this.#authenticated = false;
  }

  // -- connection --

  async #open(token: string | undefined): Promise<void> {
    const o = this.options;
    this.close();
    const { transport, security, port } = await connectClient(o, (s) => (s === 'tls' ? 465 : 587));
    this.#transport = transport;
    this.#session = new SmtpSession(o.limits ?? {});
    try {
      const greeting = await this.#reply('greeting');
      if (greeting.code !== 220) {
        throw new ConnectionError(`The server refused the connection: ${replyLine(greeting)}`, { protocol: 'smtp', serverText: replyLine(greeting), step: 'greeting' });
      }
      this.#greeting = greeting.text;
      await this.#hello();
      if (security === 'starttls') await this.#startTls(port);
      if (o.auth) await this.#authenticate(token, port);
    } catch (error) {
      // A refused login leaves a working connection: end it politely. After anything
      // else (a security failure, a broken reply) nothing more is written.
      if (error instanceof AuthenticationError || error instanceof CommandError) await this.quit();
      this.close();
      throw error;
    }
  }

  async #hello(): Promise<void> {
    await this.#write([`EHLO ${this.#name}`], ['EHLO']);
    const { reply, lines } = await this.#received('EHLO');
    if (positive(reply)) {
      this.#caps = parseEhlo(lines);
      return;
    }
    if (reply.code === 421) throw this.#closing('EHLO', reply);
    // RFC 5321 §4.1.4: a server that does not know EHLO gets HELO, without extensions.
    await this.#write([`HELO ${this.#name}`], ['HELO']);
    const helo = await this.#reply('HELO');
    if (!positive(helo)) throw this.#commandError('HELO', 'The server refused both EHLO and HELO', helo);
    this.#caps = NO_CAPS;
  }

  async #startTls(port: number): Promise<void> {
    if (!this.#caps.keywords.has('STARTTLS')) {
      throw new SecurityError('EINSECURE', 'STARTTLS was required but the server does not offer it (a downgrade?); not continuing in plaintext', { protocol: 'smtp', step: 'STARTTLS' });
    }
    await this.#write(['STARTTLS'], ['STARTTLS']);
    const reply = await this.#reply('STARTTLS');
    if (reply.code !== 220) {
      throw new SecurityError('ESTARTTLS', `The server refused STARTTLS: ${replyLine(reply)}; not continuing in plaintext`, { protocol: 'smtp', serverText: replyLine(reply), step: 'STARTTLS' });
    }
    // Bytes injected after the 220 in the same chunk failed the session (ESTARTTLS) after returning the 220.
    if (this.#session!.failure) throw this.#session!.failure;
    const unread = this.#session!.bufferedBytes + this.#ready.length;
    const o = this.options;
    await this.#transport!.upgradeToTls({ ...o.tls, host: o.host, port }, unread);
    // RFC 3207 §4.2: forget everything learned before TLS and ask again.
    this.#caps = NO_CAPS;
    await this.#hello();
  }

  async #authenticate(token: string | undefined, port: number): Promise<void> {
    const o = this.options;
    const auth = o.auth!;
    if (!this.#transport!.secure && o.allowInsecureAuth !== true) {
      throw new SecurityError('EINSECURE', 'Refusing to send credentials over an unencrypted connection: use security "tls" or "starttls", or set allowInsecureAuth for a test server', { protocol: 'smtp', step: 'AUTH' });
    }
    if (token === undefined && auth.accessToken !== undefined) token = await resolveToken(auth.accessToken);
    const mechanism = chooseMechanism(this.#caps.authMechanisms, {
      ...(token !== undefined ? { accessToken: token } : {}),
      ...(auth.password !== undefined ? { password: auth.password } : {}),
      ...(auth.mechanism !== undefined ? { mechanism: auth.mechanism } : {}),
    });
    const exchange = new SaslExchange({
      protocol: 'smtp',
      mechanism: createClientMechanism(mechanism, {
        user: auth.user,
        ...(auth.password !== undefined ? { password: auth.password } : {}),
        ...(token !== undefined ? { accessToken: token } : {}),
        host: o.host,
        port,
      }),
      initialResponse: auth.initialResponse ?? 'auto',
    });
    const command = exchange.command();
    await this.#writeLine(command, 'AUTH', command !== `AUTH ${mechanism}`);
    for (;;) {
      const reply = await this.#reply('AUTH');
      if (reply.code === 334) {
        await this.#writeLine(exchange.onChallenge(reply.text), 'AUTH', true);
        continue;
      }
      if (reply.code === 235) {
        exchange.onSuccess();
        this.#authenticated = true;
        return;
      }
      if (reply.code === 421) throw this.#closing('AUTH', reply);
      throw exchange.onFailure({ serverText: replyLine(reply), replyCode: reply.code, ...(reply.enhancedCode ? { enhancedCode: reply.enhancedCode } : {}) });
    }
  }

  // -- plumbing --

  async #simple(verb: 'RSET' | 'NOOP'): Promise<SmtpReply> {
    await this.#write([verb], [verb]);
    const reply = await this.#reply(verb);
    if (!positive(reply)) throw this.#commandError(verb, `The server refused ${verb}`, reply);
    return reply;
  }

  /** After a refused MAIL, RCPT or data: RSET, so the next message starts clean. */
  async #resetAfterRefusal(): Promise<void> {
    if (this.#session?.state !== 'open') return;
    try {
      await this.#write(['RSET'], ['RSET']);
      await this.#reply('RSET');
    } catch {
      // the refusal is what the caller needs to hear about
    }
  }

  #live(): { transport: Transport; session: SmtpSession } {
    const transport = this.#transport;
    const session = this.#session;
    if (transport === null || session === null) throw new UsageError('Not connected: call connect() first', { protocol: 'smtp' });
    if (session.failure) throw session.failure;
    if (transport.error) throw transport.error;
    return { transport, session };
  }

  /** Writes command lines in one write, each owed a reply for its step. */
  async #write(lines: string[], steps: SmtpStep[]): Promise<void> {
    const { transport, session } = this.#live();
    for (const step of steps) session.expect(step);
    await transport.write(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'));
  }

  /** One line of a SASL exchange; `secret` redacts it in the transcript. */
  async #writeLine(line: string, step: SmtpStep, secret: boolean): Promise<void> {
    const { transport, session } = this.#live();
    session.expect(step);
    await transport.write(Buffer.from(`${line}\r\n`, 'latin1'), { secret });
  }

  async #writeMessage(message: MessageSource, bytes: Uint8Array | null): Promise<void> {
    const { transport, session } = this.#live();
    const stuffer = new DotStuffer();
    if (bytes !== null) {
      // The body and its end written back to back (ordered on the socket), one wait, no copy.
      const body = stuffer.push(bytes);
      session.expect('DATA-END');
      await Promise.all([transport.write(body), transport.write(stuffer.end())]);
      return;
    } else {
      for await (const chunk of message as AsyncIterable<Uint8Array>) {
        if (!(chunk instanceof Uint8Array)) throw new UsageError('A message stream must yield Uint8Array chunks', { protocol: 'smtp', step: 'DATA' });
        const out = stuffer.push(chunk);
        if (out.length > 0) await transport.write(out);
        if (session.failure) throw session.failure;
      }
    }
    session.expect('DATA-END');
    await transport.write(stuffer.end());
  }

  async #reply(step: SmtpStep): Promise<SmtpReply> {
    const { reply } = await this.#received(step);
    if (reply.code === 421 && step !== 'QUIT') throw this.#closing(step, reply);
    return reply;
  }

  /** The next reply, which must answer `step`. */
  async #received(step: SmtpStep): Promise<SmtpReplyReceived> {
    // Replies already received come first, even when the session failed after them (a framing
    // error later in the same chunk): the session's failure is thrown once they are used up.
    while (this.#ready.length === 0) {
      const { transport, session } = this.#live();
      transport.setWaiting(true);
      let chunk: Uint8Array | null;
      try {
        chunk = await transport.read();
      } finally {
        transport.setWaiting(false);
      }
      if (chunk === null) {
        session.end();
        throw new ConnectionError(`The server closed the connection while the client waited for the reply to ${step}`, { protocol: 'smtp', step });
      }
      this.#ready.push(...session.receive(chunk));
    }
    const next = this.#ready.shift()!;
    if (next.step !== step) throw new UsageError(`internal: expected the reply to ${step}, got the reply to ${next.step}`, { protocol: 'smtp' });
    return next;
  }

  #closing(step: SmtpStep, reply: SmtpReply): ConnectionError {
    const error = new ConnectionError(`The server is closing the session (at ${step}): ${replyLine(reply)}`, { protocol: 'smtp', serverText: replyLine(reply), step });
    this.#transport?.close();
    return error;
  }

  #commandError(step: SmtpStep, what: string, reply: SmtpReply): MailwireError {
    if (reply.code === 421) return this.#closing(step, reply);
    return new CommandError(`${what}: ${replyForMessage(reply)}`, {
      protocol: 'smtp',
      step,
      status: String(reply.code),
      replyCode: reply.code,
      serverText: replyLine(reply),
      ...(reply.enhancedCode ? { enhancedCode: reply.enhancedCode } : {}),
    });
  }
}

