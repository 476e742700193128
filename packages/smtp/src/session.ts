/**
 * SmtpSession is the sans-I/O core of the SMTP client: it turns the bytes the server sends
 * into replies, each paired with the command it answers, and keeps the order of a
 * pipelined batch (RFC 2920). It does no I/O and knows no time; SmtpClient drives it over
 * a Transport.
 *
 * Theory of operation
 *
 *   expect('greeting') at creation; every command the client writes calls expect(step)
 *   and every step gets exactly one reply, in the order the steps were expected:
 *
 *     receive(bytes) --> SmtpReplyDecoder --> frames --> pair with the oldest expected step
 *                                                   \--> no step expected: EPROTOCOL
 *                                                        (a reply nobody asked for is never
 *                                                        taken as the next command's answer)
 *     a 421 reply, to anything  --> state 'closing': the server is ending the session
 *     end()  (the peer closed)   --> ECONNECTION naming the step still owed a reply
 *     a framing error            --> EPROTOCOL; the session is failed for good (the replies
 *                                    complete before it are still returned, then `failure`
 *                                    is thrown by the next call: the split does not matter)
 *
 * STARTTLS guard (RFC 3207 §4): anything that arrives with the 220 to STARTTLS — another
 * reply, or part of one — was injected before the handshake: ESTARTTLS, and the session is
 * failed. Bytes that arrive later, before the upgrade, are caught by the Transport
 * (`upgradeToTls` with `bufferedBytes` as the unread count).
 */
import { ConnectionError, MailwireError, ProtocolError, SecurityError } from '@mailwire/errors';
import { SmtpReplyDecoder, WireError } from '@mailwire/wire';
import type { SmtpReplyDecoderOptions, SmtpReplyFrame } from '@mailwire/wire';

import { replyLine, replyOf } from './reply.js';
import type { SmtpReply } from './reply.js';

/** What a reply answers: the greeting, a command verb, or the end of the message data. */
export type SmtpStep = 'greeting' | 'EHLO' | 'HELO' | 'STARTTLS' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA' | 'DATA-END' | 'RSET' | 'NOOP' | 'QUIT' | (string & {});

/** A reply and the step it answers. */
export interface SmtpReplyReceived {
  step: SmtpStep;
  reply: SmtpReply;
  /** The decoded lines, for EHLO. */
  lines: string[];
}

export type SmtpSessionState = 'open' | 'closing' | 'failed';

export class SmtpSession {
  readonly #decoder: SmtpReplyDecoder;
  readonly #expected: SmtpStep[] = ['greeting'];
  #state: SmtpSessionState = 'open';
  #failure: MailwireError | null = null;

  constructor(options: SmtpReplyDecoderOptions = {}) {
    this.#decoder = new SmtpReplyDecoder(options);
  }

  get state(): SmtpSessionState {
    return this.#state;
  }

  get failure(): MailwireError | null {
    return this.#failure;
  }

  /** Steps still owed a reply, oldest first. */
  get pending(): readonly SmtpStep[] {
    return this.#expected;
  }

  /** Bytes received past the last complete reply. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /** The client is writing a command (or ending DATA): the server owes one reply for it. */
  expect(step: SmtpStep): void {
    this.#checkUsable();
    this.#expected.push(step);
  }

  /**
   * The replies these bytes complete, each with its step. A bad or unasked reply, a framing
   * error or an injection after STARTTLS fails the session (EPROTOCOL / ESTARTTLS): the
   * replies complete before it in the same chunk are still returned — as they would be had
   * the bytes come one at a time — and the error is `failure`, thrown by the next call; with
   * none before it, it is thrown at once.
   */
  receive(chunk: Uint8Array): SmtpReplyReceived[] {
    this.#checkUsable();
    const frames: SmtpReplyFrame[] = [];
    let broken: WireError | null = null;
    try {
      this.#decoder.push(chunk, frames);
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      broken = error;
    }
    const out: SmtpReplyReceived[] = [];
    const goAhead = () => out.length > 0 && out[out.length - 1]!.step === 'STARTTLS' && out[out.length - 1]!.reply.code === 220;
    for (const frame of frames) {
      if (goAhead()) return this.#before(out, this.#injected());
      const step = this.#expected.shift();
      const reply = replyOf(frame);
      if (step === undefined) {
        return this.#before(out, this.#fail(new ProtocolError(`The server sent a reply nobody asked for: ${replyLine(reply)}`, { protocol: 'smtp', serverText: replyLine(reply) })));
      }
      if (reply.code === 421) this.#state = 'closing';
      out.push({ step, reply, lines: frame.lines });
    }
    if (goAhead() && (broken !== null || this.#decoder.bufferedBytes > 0)) return this.#before(out, this.#injected());
    if (broken !== null) return this.#before(out, this.#fail(new ProtocolError(`The server broke the SMTP reply syntax: ${broken.message}`, { protocol: 'smtp', cause: broken })));
    return out;
  }

  /** The replies complete before `error` (already the session's failure); throws it when there are none. */
  #before(out: SmtpReplyReceived[], error: MailwireError): SmtpReplyReceived[] {
    if (out.length === 0) throw error;
    return out;
  }

  /** The server closed its side; throws ECONNECTION when a reply was still owed. */
  end(): void {
    if (this.#failure !== null) throw this.#failure;
    const owed = this.#expected[0];
    try {
      this.#decoder.end();
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
    }
    if (owed !== undefined && owed !== 'QUIT') {
      throw this.#fail(new ConnectionError(`The server closed the connection while the client waited for the reply to ${owed}`, { protocol: 'smtp', step: owed }));
    }
    this.#state = 'closing';
  }

  /** Bytes after the go-ahead to STARTTLS and before the handshake (RFC 3207 §4). */
  #injected(): MailwireError {
    return this.#fail(new SecurityError('ESTARTTLS', 'The server sent data after its STARTTLS go-ahead and before the TLS handshake (an injection attack); nothing of it is kept', { protocol: 'smtp', step: 'STARTTLS' }));
  }

  #checkUsable(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  #fail(error: MailwireError): MailwireError {
    this.#state = 'failed';
    this.#failure = error;
    return error;
  }
}
