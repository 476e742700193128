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
 *     a framing error            --> EPROTOCOL; the session is failed for good
 *
 * STARTTLS guard: `bufferedBytes` counts what the server sent past the last complete reply;
 * after the 220 to STARTTLS it must be 0 and no other reply pending, or the bytes were
 * injected before the handshake (the client fails with ESTARTTLS).
 */
import { ConnectionError, MailwireError, ProtocolError } from '@mailwire/errors';
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

  /** The replies these bytes complete, each with its step; throws EPROTOCOL on a bad or unasked reply. */
  receive(chunk: Uint8Array): SmtpReplyReceived[] {
    this.#checkUsable();
    const frames: SmtpReplyFrame[] = [];
    try {
      this.#decoder.push(chunk, frames);
    } catch (error) {
      if (error instanceof WireError) throw this.#fail(new ProtocolError(`The server broke the SMTP reply syntax: ${error.message}`, { protocol: 'smtp', cause: error }));
      throw error;
    }
    const out: SmtpReplyReceived[] = [];
    for (const frame of frames) {
      const step = this.#expected.shift();
      const reply = replyOf(frame);
      if (step === undefined) {
        throw this.#fail(new ProtocolError(`The server sent a reply nobody asked for: ${replyLine(reply)}`, { protocol: 'smtp', serverText: replyLine(reply) }));
      }
      if (reply.code === 421) this.#state = 'closing';
      out.push({ step, reply, lines: frame.lines });
    }
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

  #checkUsable(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  #fail(error: MailwireError): MailwireError {
    this.#state = 'failed';
    this.#failure = error;
    return error;
  }
}
