/**
 * SaslExchange drives one client mechanism through one protocol's framing (IMAP
 * AUTHENTICATE, POP3 AUTH, SMTP AUTH). It is sans-I/O: the session hands it what the
 * server said and sends back the lines it returns (without CRLF).
 *
 * Theory of operation
 *
 *   created --command()--> started --onChallenge()--> challenged --onChallenge()--> ...
 *      any of started/challenged --onSuccess()--> done    (throws when the mechanism
 *                                                           does not trust the server)
 *      any of started/challenged --onFailure()--> failed  (returns the error to raise)
 *      a challenge we will not answer --> '*' is returned, state 'cancelled'; the server
 *                                          then refuses and onFailure() explains why.
 *
 * command() asks the mechanism for its initial response. Where the rule in
 * initial-response.ts (or `initialResponse: 'always'`) lets it ride on the command line,
 * it is sent there (`=` when empty: RFC 4959, RFC 4954, RFC 5034); otherwise it is held
 * and sent as the answer to the server's first, empty challenge (two-step). A mechanism
 * with no initial response (CRAM-MD5, LOGIN) just sends the verb and the name.
 *
 * Limits: more than `maxChallenges` challenges, or one longer than `maxChallengeBytes`
 * of base64, and the exchange cancels. Secrets never leave through errors: messages name
 * the mechanism and quote the server, never a response.
 */
import { AuthenticationError, redactCommand } from '@mailwire/errors';
import type { SaslClientMechanism } from './types.js';
import { base64Problem, encodeBase64 } from './base64.js';
import { failureHint } from './failure-hints.js';
import { authVerb, initialResponseFits } from './initial-response.js';
import type { SaslProtocol } from './initial-response.js';
import { SaslError } from './sasl-error.js';

export interface SaslExchangeOptions {
  protocol: SaslProtocol;
  mechanism: SaslClientMechanism;
  /** 'auto' (default) applies the RFC rules; 'always'/'never' force a form for conformance tests. */
  initialResponse?: 'auto' | 'always' | 'never';
  /** IMAP: the server advertised SASL-IR (RFC 4959). */
  saslIr?: boolean;
  /** IMAP: the tag the session puts in front, counted in the line length. */
  tag?: string;
  /** Challenges answered before cancelling; default 10. */
  maxChallenges?: number;
  /** The longest challenge accepted, in base64 characters; default 16 KiB. */
  maxChallengeBytes?: number;
}

export type SaslExchangeState = 'created' | 'started' | 'challenged' | 'cancelled' | 'done' | 'failed';

export interface SaslFailureDetails {
  serverText: string;
  responseCode?: string;
  replyCode?: number;
  enhancedCode?: string;
}

const DEFAULT_MAX_CHALLENGES = 10;
const DEFAULT_MAX_CHALLENGE_BYTES = 16 * 1024;

/** The line sent for a response: base64, or '' for an empty one. */
function responseLine(bytes: Uint8Array): string {
  return bytes.length === 0 ? '' : encodeBase64(bytes);
}

/** SaslExchange: one SASL authentication, protocol-framed, sans-I/O. */
export class SaslExchange {
  readonly protocol: SaslProtocol;
  readonly mechanism: SaslClientMechanism;
  #state: SaslExchangeState = 'created';
  #command?: string;
  /** The initial response held for the first challenge (two-step), or null. */
  #pending: Uint8Array | null = null;
  #initialResponseSent = false;
  #challenges = 0;
  #cancelReason?: string;
  readonly #options: SaslExchangeOptions;

  constructor(options: SaslExchangeOptions) {
    this.#options = options;
    this.protocol = options.protocol;
    this.mechanism = options.mechanism;
  }

  get state(): SaslExchangeState {
    return this.#state;
  }

  /** The decoded XOAUTH2/OAUTHBEARER JSON error challenge, when the server sent one. */
  get oauthError(): Record<string, unknown> | undefined {
    return this.mechanism.oauthError;
  }

  /** Why the exchange answered '*', when it did. */
  get cancelReason(): string | undefined {
    return this.#cancelReason;
  }

  /** True when the initial response went on the command line. */
  get initialResponseSent(): boolean {
    return this.#initialResponseSent;
  }

  /**
   * The command to send, without tag and CRLF: `AUTHENTICATE XOAUTH2 <b64>` (IMAP),
   * `AUTH XOAUTH2` (two-step), `AUTH PLAIN =` (an empty initial response). Computed
   * once; later calls return the same line.
   */
  command(): string {
    if (this.#command !== undefined) return this.#command;
    const name = this.mechanism.name.toUpperCase();
    const base = `${authVerb(this.protocol)} ${name}`;
    const initial = this.mechanism.start();
    this.#state = 'started';
    if (initial === null) return (this.#command = base);
    const ir = initial.length === 0 ? '=' : encodeBase64(initial);
    const mode = this.#options.initialResponse ?? 'auto';
    const onLine =
      mode === 'always' ||
      (mode === 'auto' && initialResponseFits(this.protocol, name, ir, { saslIr: this.#options.saslIr, tag: this.#options.tag }));
    if (onLine) {
      this.#initialResponseSent = true;
      return (this.#command = `${base} ${ir}`);
    }
    this.#pending = initial;
    return (this.#command = base);
  }

  /** The command with its initial response redacted, for logs and transcripts. */
  redactedCommand(): string {
    return redactCommand(this.command());
  }

  /**
   * Answers a server challenge (the text after `+ ` or `334 `, possibly empty): base64
   * of the mechanism's answer, '' for an empty answer, or '*' to cancel.
   */
  onChallenge(text: string): string {
    if (this.#state === 'created') this.command();
    if (this.#state !== 'started' && this.#state !== 'challenged') {
      return this.#cancel(`a challenge arrived after the exchange was ${this.#state}`);
    }
    this.#challenges++;
    if (this.#challenges > (this.#options.maxChallenges ?? DEFAULT_MAX_CHALLENGES)) {
      return this.#cancel(`the server sent more than ${this.#options.maxChallenges ?? DEFAULT_MAX_CHALLENGES} challenges`);
    }
    const max = this.#options.maxChallengeBytes ?? DEFAULT_MAX_CHALLENGE_BYTES;
    if (text.length > max) return this.#cancel(`a challenge of ${text.length} characters passed the limit of ${max}`);
    this.#state = 'challenged';
    if (this.#pending !== null) {
      // Two-step: the server's first challenge asks for the initial response. It should be
      // empty (RFC 4422 §5); its content is ignored, so a server that puts prose there
      // ("+ Ready") still works and nothing of it reaches the mechanism.
      const initial = this.#pending;
      this.#pending = null;
      return responseLine(initial);
    }
    const problem = base64Problem(text);
    if (problem !== null) return this.#cancel(`the challenge is not base64 (${problem})`);
    try {
      return responseLine(this.mechanism.next(new Uint8Array(Buffer.from(text, 'base64'))));
    } catch (error) {
      if (error instanceof SaslError) return this.#cancel(error.message);
      throw error;
    }
  }

  #cancel(reason: string): string {
    this.#state = 'cancelled';
    this.#cancelReason ??= reason;
    return '*';
  }

  /**
   * The server accepted (IMAP tagged OK, POP3 +OK, SMTP 235), with base64 success data
   * if any. Throws AuthenticationError EAUTH when the mechanism does not trust the
   * server (SCRAM's server signature wrong or missing), or when we had cancelled.
   */
  onSuccess(additionalData?: string): void {
    const fail = (message: string, cause?: unknown): AuthenticationError => {
      this.#state = 'failed';
      return new AuthenticationError('EAUTH', `${this.mechanism.name}: ${message}`, {
        protocol: this.protocol,
        command: this.redactedCommand(),
        mechanism: this.mechanism.name,
        hint: 'The server accepted without proving its identity: do not trust this connection (a man in the middle, or a misconfigured server).',
        cause,
      });
    };
    if (this.#state === 'cancelled') throw fail(`the server accepted after the client cancelled (${this.#cancelReason})`);
    let data: Uint8Array | null = null;
    if (additionalData !== undefined && additionalData !== '') {
      if (base64Problem(additionalData) !== null) throw fail('the success data is not base64');
      data = new Uint8Array(Buffer.from(additionalData, 'base64'));
    }
    try {
      this.mechanism.finish?.(data);
    } catch (error) {
      if (error instanceof SaslError) throw fail(error.message, error);
      throw error;
    }
    this.#state = 'done';
  }

  /** The server refused: returns the AuthenticationError (EAUTH) to raise, with a hint where one applies. */
  onFailure(details: SaslFailureDetails): AuthenticationError {
    const cancelled = this.#state === 'cancelled' ? this.#cancelReason : undefined;
    this.#state = 'failed';
    const oauthError = this.oauthError;
    const hint = failureHint({ protocol: this.protocol, mechanism: this.mechanism.name, oauthError, ...details });
    const said = details.serverText === '' ? 'the server refused' : `the server said: ${details.serverText}`;
    const message = `${this.protocol.toUpperCase()} ${this.mechanism.name} authentication failed: ${said}${cancelled === undefined ? '' : ` (the client cancelled: ${cancelled})`}`;
    return new AuthenticationError('EAUTH', message, {
      protocol: this.protocol,
      command: this.redactedCommand(),
      serverText: details.serverText,
      mechanism: this.mechanism.name,
      ...(details.responseCode === undefined ? {} : { responseCode: details.responseCode }),
      ...(details.replyCode === undefined ? {} : { replyCode: details.replyCode }),
      ...(details.enhancedCode === undefined ? {} : { enhancedCode: details.enhancedCode }),
      ...(oauthError === undefined ? {} : { oauthError }),
      ...(hint === undefined ? {} : { hint }),
    });
  }
}
