/**
 * Pop3Session: the POP3 protocol (RFC 1939, RFC 2449, RFC 5034) as a state machine
 * without I/O. The client hands it the bytes that arrived (`receive`) and the end of the
 * stream (`end`), and asks it for the bytes of each command (`send`, `sendSaslLine`); it
 * returns past-tense events.
 *
 * Theory of operation
 *
 *   greeting --+OK greeting--> AUTHORIZATION --+OK to PASS/AUTH/APOP--> TRANSACTION
 *   AUTHORIZATION --+OK to QUIT--> closed          TRANSACTION --QUIT sent--> UPDATE
 *   UPDATE --+OK to QUIT--> closed (deletions committed by the server)
 *   any state --bad bytes, data unasked, EOF while owed an answer--> failed
 *
 * Framing is the wire Pop3ResponseDecoder's: the session tells it, per command sent and
 * in the same order, whether the +OK carries a dot-terminated body (LIST and UIDL without
 * an argument, RETR, TOP, CAPA). Each command sent is queued as pending; each +OK/-ERR
 * answers the oldest pending command (PIPELINING, RFC 2449 §6.6, needs nothing more).
 * A status line, or a "+ " continuation, that arrives while no command is pending (or a
 * continuation while the pending command is not AUTH) was not asked for: it is never
 * taken as the next command's answer — the session fails with EPROTOCOL.
 * Body bytes come out as BodyReceived events, at most one per chunk between other events:
 * views into the chunk given, or one copy of them where unstuffing cut it (memory stays
 * flat); BodyEnded ends them. After the +OK to STLS, any byte already received is an
 * injection (RFC 2595 §4): the session fails with ESTARTTLS before the handshake.
 * An EOF while a command is pending or a body is open is ConnectionLost: the client must
 * report an error, and the server, which saw no QUIT, deletes nothing (RFC 1939 §6).
 */
import { ConnectionError, ProtocolError, SecurityError } from '@mailwire/errors';
import type { MailwireError } from '@mailwire/errors';
import { Pop3ResponseDecoder, WireError } from '@mailwire/wire';
import type { Pop3Frame } from '@mailwire/wire';

import { commandLine, encodeLine } from '../codec/command.js';
import { parseStatus } from '../codec/status.js';
import type { Pop3Status } from '../codec/status.js';

export type Pop3State = 'greeting' | 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'closed' | 'failed';

/** Commands whose +OK is followed by a multi-line body. */
function isMultiLine(keyword: string, args: readonly (string | number)[]): boolean {
  switch (keyword) {
    case 'CAPA':
    case 'RETR':
    case 'TOP':
      return true;
    case 'LIST':
    case 'UIDL':
      return args.length === 0;
    default:
      return false;
  }
}

export type Pop3Event =
  | { kind: 'GreetingReceived'; status: Pop3Status }
  /** The answer to the oldest pending command; `body` when BodyReceived/BodyEnded follow. */
  | { kind: 'ResponseReceived'; keyword: string; status: Pop3Status; body: boolean }
  | { kind: 'ChallengeReceived'; text: string }
  | { kind: 'BodyReceived'; bytes: Uint8Array }
  | { kind: 'BodyEnded' }
  | { kind: 'ProtocolFailed'; error: MailwireError }
  /** The server ended the stream while it owed an answer (or a body's end). */
  | { kind: 'ConnectionLost'; keyword?: string }
  /** The server ended the stream when nothing was owed (after QUIT). */
  | { kind: 'ConnectionClosed' };

export interface Pop3SessionOptions {
  /** The longest status line accepted, in bytes. Default 8192. */
  maxLineBytes?: number;
}

export class Pop3Session {
  #decoder: Pop3ResponseDecoder;
  #state: Pop3State = 'greeting';
  #pending: string[] = [];
  #inBody = false;
  #bodyKeyword: string | undefined;
  #quitFrom: Pop3State | null = null;

  constructor(options: Pop3SessionOptions = {}) {
    this.#decoder = new Pop3ResponseDecoder(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes });
  }

  get state(): Pop3State {
    return this.#state;
  }

  /** Bytes held for an unfinished line (body bytes are handed out, never held): at most maxLineBytes + 1. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /** Commands sent and not yet answered. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The bytes of a command; queues it as pending. Throws UsageError on CR/LF/NUL in an argument. */
  send(keyword: string, args: readonly (string | number)[] = []): Uint8Array {
    return this.sendLine(commandLine(keyword, args));
  }

  /** The bytes of a command given as a whole line (`AUTH XOAUTH2 <b64>` from the SASL exchange). */
  sendLine(line: string): Uint8Array {
    const bytes = encodeLine(line);
    const keyword = line.split(' ', 1)[0]!.toUpperCase();
    const args = line.split(' ').slice(1);
    this.#decoder.expect(isMultiLine(keyword, args) ? 'multi-line' : 'single-line');
    this.#pending.push(keyword);
    if (keyword === 'QUIT') this.#quitFrom = this.#state;
    if (keyword === 'QUIT' && this.#state === 'TRANSACTION') this.#state = 'UPDATE';
    return bytes;
  }

  /** The bytes of a SASL response line (base64, '' or '*'): no new command, no new pending answer. */
  sendSaslLine(line: string): Uint8Array {
    return encodeLine(line);
  }

  /** Everything `chunk` completes, in order. */
  receive(chunk: Uint8Array): Pop3Event[] {
    const events: Pop3Event[] = [];
    if (this.#state === 'failed') return events;
    if (this.#state === 'closed') {
      if (chunk.length > 0) this.#fail(events, new ProtocolError('The POP3 server sent data after the session ended', { protocol: 'pop3' }));
      return events;
    }
    const frames: Pop3Frame[] = [];
    try {
      this.#decoder.push(chunk, frames);
    } catch (err) {
      for (let i = 0; i < frames.length && !this.#failed(); i++) this.#frame(frames[i]!, frames, i, events);
      if (!this.#failed()) this.#fail(events, wireError(err));
      return coalesceBody(events);
    }
    for (let i = 0; i < frames.length && !this.#failed(); i++) this.#frame(frames[i]!, frames, i, events);
    // Bytes after QUIT's +OK in the same chunk are as unasked as bytes in a later one: the
    // same error whatever the split (found by security/fuzz.test.ts).
    if ((this.#state as Pop3State) === 'closed' && this.#decoder.bufferedBytes > 0) {
      this.#fail(events, new ProtocolError('The POP3 server sent data after the session ended', { protocol: 'pop3' }));
    }
    return coalesceBody(events);
  }

  /** The server ended the stream. */
  end(): Pop3Event[] {
    const events: Pop3Event[] = [];
    if (this.#state === 'failed') return events;
    if (this.#pending.length > 0 || this.#inBody || this.#state === 'greeting') {
      const keyword = this.#inBody ? this.#bodyKeyword : this.#pending[0];
      this.#state = 'failed';
      events.push(keyword === undefined ? { kind: 'ConnectionLost' } : { kind: 'ConnectionLost', keyword });
      return events;
    }
    this.#state = 'closed';
    events.push({ kind: 'ConnectionClosed' });
    return events;
  }

  #frame(frame: Pop3Frame, frames: Pop3Frame[], index: number, events: Pop3Event[]): void {
    switch (frame.kind) {
      case 'body-chunk':
        events.push({ kind: 'BodyReceived', bytes: frame.bytes });
        return;
      case 'body-end':
        this.#inBody = false;
        events.push({ kind: 'BodyEnded' });
        return;
      case 'continuation':
        if (this.#pending[0] !== 'AUTH') {
          this.#fail(events, new ProtocolError('The POP3 server sent a "+ " continuation no AUTH asked for', { protocol: 'pop3', serverText: `+ ${frame.text}` }));
          return;
        }
        events.push({ kind: 'ChallengeReceived', text: frame.text });
        return;
      case 'status': {
        const status = parseStatus(frame.ok, frame.text);
        if (this.#state === 'greeting') {
          if (!frame.ok) {
            this.#fail(events, new ConnectionError(`The POP3 server refused the connection: -ERR ${frame.text}`, { protocol: 'pop3', serverText: `-ERR ${frame.text}` }));
            return;
          }
          this.#state = 'AUTHORIZATION';
          events.push({ kind: 'GreetingReceived', status });
          return;
        }
        const keyword = this.#pending.shift();
        if (keyword === undefined) {
          const line = `${frame.ok ? '+OK' : '-ERR'} ${frame.text}`;
          this.#fail(events, new ProtocolError('The POP3 server sent a response no command asked for', { protocol: 'pop3', serverText: line }));
          return;
        }
        if (frame.body) {
          this.#inBody = true;
          this.#bodyKeyword = keyword;
        }
        this.#transition(keyword, frame.ok);
        events.push({ kind: 'ResponseReceived', keyword, status, body: frame.body });
        if (keyword === 'STLS' && frame.ok && (index < frames.length - 1 || this.#decoder.bufferedBytes > 0)) {
          this.#fail(events, new SecurityError('ESTARTTLS', 'The server sent data after its STLS go-ahead and before the TLS handshake; connection closed', { protocol: 'pop3' }));
        }
        return;
      }
    }
  }

  #failed(): boolean {
    return this.#state === 'failed';
  }

  #transition(keyword: string, ok: boolean): void {
    if (keyword === 'QUIT') {
      if (ok) this.#state = 'closed';
      else if (this.#quitFrom !== null) this.#state = this.#quitFrom;
      return;
    }
    if (!ok || this.#state !== 'AUTHORIZATION') return;
    if (keyword === 'PASS' || keyword === 'AUTH' || keyword === 'APOP') this.#state = 'TRANSACTION';
  }

  #fail(events: Pop3Event[], error: MailwireError): void {
    this.#state = 'failed';
    events.push({ kind: 'ProtocolFailed', error });
  }
}

/**
 * Joins runs of BodyReceived into one event. Unstuffing cuts the body at every line that
 * began with "." (a view per piece); a message of such lines would otherwise cost one event
 * per line. One copy of the chunk's body bytes buys one event per chunk.
 */
function coalesceBody(events: Pop3Event[]): Pop3Event[] {
  let runs = 0;
  for (let i = 1; i < events.length; i++) if (events[i]!.kind === 'BodyReceived' && events[i - 1]!.kind === 'BodyReceived') runs++;
  if (runs === 0) return events;
  const out: Pop3Event[] = [];
  let pieces: Uint8Array[] = [];
  const flush = (): void => {
    if (pieces.length === 1) out.push({ kind: 'BodyReceived', bytes: pieces[0]! });
    else if (pieces.length > 1) out.push({ kind: 'BodyReceived', bytes: Buffer.concat(pieces) });
    pieces = [];
  };
  for (const e of events) {
    if (e.kind === 'BodyReceived') pieces.push(e.bytes);
    else {
      flush();
      out.push(e);
    }
  }
  flush();
  return out;
}

function wireError(err: unknown): MailwireError {
  if (err instanceof WireError) return new ProtocolError(`The POP3 server broke the protocol: ${err.message}`, { protocol: 'pop3', cause: err });
  return new ProtocolError(`The POP3 session failed: ${(err as Error).message}`, { protocol: 'pop3', cause: err });
}
