/**
 * An ImapSession is the IMAP client protocol as a pure state machine (RFC 9051, RFC 3501):
 * no sockets, timers or promises. Bytes go in with `receive()`, commands with
 * `enqueue()`, and `next()` says what to do: write bytes, wait for data, or an event.
 *
 * Theory of operation
 *
 *   greeting --* OK-->    not-authenticated --AUTHENTICATE/LOGIN OK--> authenticated
 *            --* PREAUTH-->                                            authenticated
 *   authenticated --SELECT/EXAMINE OK--> selected --CLOSE/UNSELECT OK--> authenticated
 *   selected --SELECT/EXAMINE NO--> authenticated            (RFC 9051 §6.3.2)
 *   any --* BYE / LOGOUT OK / a protocol failure--> logout   (nothing more is sent)
 *
 * Commands get tags from a counter (A1, A2, ...) and are written in order; several may be
 * in flight (pipelining, RFC 9051 §5.5) except the exclusive ones (AUTHENTICATE, LOGIN,
 * STARTTLS, COMPRESS, IDLE, SELECT, ...), which wait for every earlier command and hold
 * back every later one until they complete, and a command that claims the same kind of
 * untagged data as one in flight (two STATUS, a FETCH and a STORE), which waits for it,
 * and one carrying a literal of more than 64 KiB, which waits for every earlier command
 * (written while the server sends a large answer, it could deadlock both sides). A synchronizing literal stops the writing
 * until the server's "+"; if the server answers NO/BAD instead, the rest of that command
 * is never sent (an OK instead is fatal: the server cannot have run it).
 *
 * A continuation request ("+") goes to whoever waits for one: the command whose literal
 * is pending, else the AUTHENTICATE in flight (its SASL driver answers), else the IDLE in
 * flight (IdleAccepted). A "+" nobody waits for, a tagged response with an unknown tag or
 * for a command already completed, and anything the decoder refuses are fatal
 * (ProtocolFailed): the connection must be closed. Untagged data goes to the command
 * that claims it (claims.ts); the rest becomes UpdateReceived / StatusReceived.
 *
 * Capabilities: read from the greeting's or any OK's [CAPABILITY] code and from untagged
 * CAPABILITY; dropped after STARTTLS (RFC 9051 §6.2.1) and after authentication unless the
 * tagged OK carries them (RFC 9051 §6.2.2), so the client asks again.
 *
 * STARTTLS and COMPRESS switch the byte stream after their OK: while one is in flight,
 * input is decoded one line at a time, and whatever follows its OK is kept aside
 * (`takeUnread()`) instead of being parsed as IMAP — for STARTTLS it is an injection
 * (the client fails with ESTARTTLS), for COMPRESS the first deflated bytes.
 */
import { MailwireError, ProtocolError, redactCommand, UsageError } from '@mailwire/errors';

import { encodeCommand, encoderCapabilitiesFor } from '../command/encoder.js';
import type { CommandPart, EncoderCapabilities } from '../command/encoder.js';
import type { FetchResult, ImapResponse, StatusResponse } from '../types.js';
import { claims, claimsCode, heldItems, isExclusive, sharesClaims, switchesStream, toUpdate } from './claims.js';
import { InputGate } from './input-gate.js';
import type { CommandHandle, PendingCommand as Pending, ResponseDecoder, SessionCommand, SessionState, SessionStep } from './session-types.js';

export interface ImapSessionOptions {
  decoder: ResponseDecoder;
  /** Tag prefix; tags are prefix + counter. Default 'A'. */
  tagPrefix?: string;
  /** Makes the n-th tag (1-based) instead; for replaying recorded sessions. Must give atoms, each unique. */
  tag?: (n: number) => string;
  /**
   * The most untagged responses held for one command that is not streamed (a SEARCH or
   * ESEARCH ALL result counts each number). Past it the server is flooding the client:
   * ProtocolFailed (EPROTOCOL). Default DEFAULT_MAX_RESPONSES_PER_COMMAND.
   */
  maxResponsesPerCommand?: number;
}

/** The default of ImapSessionOptions.maxResponsesPerCommand. */
export const DEFAULT_MAX_RESPONSES_PER_COMMAND = 1_000_000;


const encoder = new TextEncoder();
const NEED_DATA: SessionStep = Object.freeze({ kind: 'need-data' }) as SessionStep;
const MAX_REMEMBERED_TAGS = 64;

/**
 * A response held until its command completes, with its bytes copied out of the pushed
 * chunk: the decoder's views would otherwise keep whole read buffers alive, so a server
 * could make a few held bytes pin tens of kilobytes each (an unknown response's `raw`, a
 * body sent back with a STORE).
 */
function ownBytes(response: ImapResponse): ImapResponse {
  if (response.kind === 'unknown') {
    const u = response as { raw: Uint8Array };
    return { ...response, raw: Uint8Array.prototype.slice.call(u.raw) } as ImapResponse;
  }
  if (response.kind === 'fetch') {
    const body = (response as { fetch: FetchResult }).fetch.body;
    if (body) for (const key of Object.keys(body)) body[key] = Uint8Array.prototype.slice.call(body[key]!);
  }
  return response;
}

/** Literal bytes past which a command is not pipelined behind others (see carriesLargeLiteral). */
const LARGE_LITERAL_BYTES = 64 * 1024;

/**
 * True for a command carrying a literal too large to sit in the socket buffers: written
 * while earlier commands are answered, it could deadlock — the client blocked writing it
 * because the server does not read, the server blocked writing a large answer the client
 * does not read meanwhile. Such a command waits until nothing else is in flight.
 */
function carriesLargeLiteral(parts: readonly CommandPart[]): boolean {
  return parts.some((part) => (part.kind === 'stream' ? part.size : part.kind === 'bytes' ? part.bytes.length : 0) > LARGE_LITERAL_BYTES);
}

/** ImapSession: the sans-I/O IMAP client session. */
export class ImapSession {
  private readonly decoder: ResponseDecoder;
  private readonly tagPrefix: string;
  private readonly makeTag: ((n: number) => string) | undefined;
  private readonly maxResponses: number;
  private counter = 0;
  /** Steps not yet taken by next(), from `outHead` on (a queue without shift()). */
  private readonly out: SessionStep[] = [];
  private outHead = 0;
  /** Commands not yet completely written, in order. */
  private readonly unsent: Pending[] = [];
  /** Commands written (at least partly) and not yet completed, in order. */
  private readonly inflight: Pending[] = [];
  private readonly completedTags: string[] = [];
  private greeted = false;
  private dead = false;
  private byeReceived = false;
  private readonly gate = new InputGate();
  private caps = new Set<string>();
  private capsKnown = false;
  private readonly enabledSet = new Set<string>();
  private stateValue: SessionState = 'not-authenticated';

  constructor(options: ImapSessionOptions) {
    this.decoder = options.decoder;
    this.tagPrefix = options.tagPrefix ?? 'A';
    this.makeTag = options.tag;
    this.maxResponses = options.maxResponsesPerCommand ?? DEFAULT_MAX_RESPONSES_PER_COMMAND;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Upper-cased capability names; empty while unknown (see `capabilitiesKnown`). */
  get capabilities(): ReadonlySet<string> {
    return this.caps;
  }

  /** False after STARTTLS or authentication until the server told them again. */
  get capabilitiesKnown(): boolean {
    return this.capsKnown;
  }

  /** Capabilities switched on with ENABLE (RFC 5161), upper-cased. */
  get enabled(): ReadonlySet<string> {
    return this.enabledSet;
  }

  /** True once the greeting arrived and the session has not ended. */
  get ready(): boolean {
    return this.greeted && !this.dead && this.stateValue !== 'logout';
  }

  /** True while an IDLE the server accepted runs and DONE has not been asked for (RFC 2177). */
  get idling(): boolean {
    return this.inflight.some((p) => p.idleAccepted && !p.doneRequested);
  }

  /** Commands enqueued and not yet completed. */
  get pendingCount(): number {
    return this.unsent.length + this.inflight.length;
  }

  /** What the encoder may use now, from capabilities and ENABLE. */
  encoderCapabilities(): EncoderCapabilities {
    return encoderCapabilitiesFor(this.caps, this.enabledSet);
  }

  /** Feeds bytes from the server; an empty chunk means the server closed the stream. */
  receive(bytes: Uint8Array): void {
    if (this.dead) return;
    if (bytes.length === 0) return this.closed();
    this.gate.pass(bytes, (b) => this.feed(b), () => this.dead);
  }

  /**
   * The bytes received after a STARTTLS or COMPRESS OK, which are not IMAP: the client
   * fails STARTTLS if there are any, and inflates them for COMPRESS. Resumes normal input.
   */
  takeUnread(): Uint8Array {
    return this.gate.take();
  }

  /** Enqueues a command; its events carry the returned handle. Throws UsageError when the session ended. */
  enqueue(cmd: SessionCommand): CommandHandle {
    if (this.dead || this.stateValue === 'logout') {
      throw new UsageError('The IMAP session has ended; connect again', { protocol: 'imap' });
    }
    const name = cmd.name.toUpperCase();
    const n = ++this.counter;
    const tag = this.makeTag ? this.makeTag(n) : `${this.tagPrefix}${n}`;
    let parts: CommandPart[];
    let text: string;
    if (cmd.sasl) {
      const line = cmd.sasl.command();
      if (/[\r\n\0]/.test(line)) throw new UsageError('A SASL command line cannot hold CR, LF or NUL', { protocol: 'imap' });
      parts = [{ kind: 'bytes', bytes: encoder.encode(`${tag} ${line}\r\n`) }];
      text = redactCommand(`${tag} ${line}`);
    } else if (name === 'DONE') {
      throw new UsageError('DONE is sent by finishIdle()', { protocol: 'imap' });
    } else {
      const encoded = encodeCommand(tag, name, cmd.args ?? [], this.encoderCapabilities());
      parts = encoded.parts;
      text = encoded.text;
    }
    const handle: CommandHandle = { id: this.counter, tag, name, text };
    this.unsent.push({ handle, cmd, parts, next: 0, awaitingContinuation: false, data: [], held: 0, idleAccepted: false, doneRequested: false });
    this.pump();
    return handle;
  }

  /** Ends an IDLE (RFC 2177): sends DONE now, or as soon as the server accepted the IDLE. */
  finishIdle(handle: CommandHandle): void {
    const p = this.inflight.find((x) => x.handle === handle) ?? this.unsent.find((x) => x.handle === handle);
    if (!p || p.handle.name !== 'IDLE' || p.doneRequested) return;
    p.doneRequested = true;
    if (p.idleAccepted) this.out.push({ kind: 'write', bytes: encoder.encode('DONE\r\n'), handle });
  }

  /** The next thing to do. */
  next(): SessionStep {
    if (this.outHead < this.out.length) {
      const step = this.out[this.outHead]!;
      this.out[this.outHead++] = NEED_DATA; // let the step be collected
      return step;
    }
    if (this.outHead > 0) {
      this.out.length = 0;
      this.outHead = 0;
    }
    return NEED_DATA;
  }

  private feed(bytes: Uint8Array): void {
    // The responses complete before a framing error in the same chunk are handled before it,
    // as they would be had the bytes come one at a time: the result does not depend on the split.
    const responses: ImapResponse[] = [];
    let failure: unknown = null;
    try {
      this.decoder.push(bytes, responses);
    } catch (err) {
      failure = err;
    }
    for (const response of responses) {
      if (this.dead) return;
      this.handle(response);
    }
    if (failure === null || this.dead) return;
    this.fatal(failure instanceof ProtocolError
      ? failure
      : new ProtocolError(`The server's response broke the protocol: ${(failure as Error).message}`, { protocol: 'imap', cause: failure }));
  }

  private handle(response: ImapResponse): void {
    if (!this.greeted) return this.greeting(response);
    if (response.kind === 'continuation') return this.continuation(response.text);
    if (response.kind === 'status') {
      const status = response as StatusResponse;
      if (status.tag !== null) return this.tagged(status);
      return this.untaggedStatus(status);
    }
    if (response.kind === 'capability') this.setCapabilities((response as { capabilities: string[] }).capabilities);
    if (response.kind === 'enabled') {
      for (const c of (response as { capabilities: string[] }).capabilities) this.enabledSet.add(c.toUpperCase());
      if (this.enabledSet.has('UTF8=ACCEPT') || this.enabledSet.has('IMAP4REV2')) this.decoder.utf8 = true;
    }
    const owner = this.inflight.find((p) => claims(p.handle.name, response) || this.ownsEsearch(p, response));
    if (response.kind === 'literal-begin' && !owner?.cmd.stream) {
      // Only a streaming command takes a literal past the stream threshold; any other is
      // refused at its announcement rather than read (and dropped) for as long as it claims.
      const size = (response as { size: number }).size;
      return this.fatal(new ProtocolError(
        `The server announced a ${size}-byte literal that no command asked for${owner ? ` (during ${owner.handle.name})` : ''}`,
        { protocol: 'imap', ...(owner ? { command: owner.handle.text } : {}) },
      ));
    }
    if (owner) return this.deliver(owner, response);
    const update = toUpdate(response);
    if (update) this.out.push({ kind: 'UpdateReceived', update });
  }

  private ownsEsearch(p: Pending, response: ImapResponse): boolean {
    return response.kind === 'esearch' && (response as { tag?: string }).tag === p.handle.tag;
  }

  private deliver(owner: Pending, response: ImapResponse): void {
    if (owner.cmd.stream) return void this.out.push({ kind: 'DataReceived', handle: owner.handle, response });
    owner.held += heldItems(response);
    if (owner.held > this.maxResponses) {
      owner.data.length = 0;
      return this.fatal(new ProtocolError(
        `The server sent more than ${this.maxResponses} responses for ${owner.handle.tag} ${owner.handle.name} (maxResponsesPerCommand)`,
        { protocol: 'imap', command: owner.handle.text },
      ));
    }
    owner.data.push(ownBytes(response));
  }

  private greeting(response: ImapResponse): void {
    const status = response.kind === 'status' ? (response as StatusResponse) : null;
    if (!status || status.tag !== null || status.status === 'NO' || status.status === 'BAD') {
      return this.fatal(new ProtocolError('The server did not start with a greeting (* OK, * PREAUTH or * BYE)', { protocol: 'imap' }));
    }
    this.greeted = true;
    this.readCapabilityCode(status);
    if (status.status === 'PREAUTH') this.stateValue = 'authenticated';
    if (status.status === 'BYE') {
      this.stateValue = 'logout';
      this.byeReceived = true;
    }
    this.out.push({ kind: 'GreetingReceived', response: status });
    this.pump();
  }

  private continuation(text: string): void {
    const writing = this.inflight.find((p) => p.awaitingContinuation);
    if (writing) {
      writing.awaitingContinuation = false;
      return this.pump();
    }
    const auth = this.inflight.find((p) => p.cmd.sasl && p.next >= p.parts.length);
    if (auth) {
      let answer: string;
      try {
        answer = auth.cmd.sasl!.onChallenge(text);
      } catch (err) {
        // The driver's failure ends the session like any other: an event, never a throw out of receive().
        return this.fatal(err instanceof MailwireError ? err : new ProtocolError('The SASL mechanism could not answer the server\'s challenge', { protocol: 'imap', cause: err }));
      }
      if (/[\r\n\0]/.test(answer)) return this.fatal(new ProtocolError('The SASL answer would break the line', { protocol: 'imap' }));
      this.out.push({ kind: 'write', bytes: encoder.encode(`${answer}\r\n`), secret: true, handle: auth.handle });
      return;
    }
    const idle = this.inflight.find((p) => p.handle.name === 'IDLE' && !p.idleAccepted);
    if (idle) {
      idle.idleAccepted = true;
      this.out.push({ kind: 'IdleAccepted', handle: idle.handle });
      if (idle.doneRequested) this.out.push({ kind: 'write', bytes: encoder.encode('DONE\r\n'), handle: idle.handle });
      return;
    }
    this.fatal(new ProtocolError('The server sent a continuation request ("+") no command was waiting for', { protocol: 'imap', serverText: `+ ${text}` }));
  }

  private tagged(status: StatusResponse): void {
    const index = this.inflight.findIndex((p) => p.handle.tag === status.tag);
    if (index < 0) {
      const again = this.completedTags.includes(status.tag!);
      return this.fatal(new ProtocolError(
        again ? `The server completed command ${status.tag} a second time` : `The server answered tag ${status.tag}, which no command has`,
        { protocol: 'imap', serverText: `${status.tag} ${status.status} ${status.text}` },
      ));
    }
    const p = this.inflight[index]!;
    if (p.next < p.parts.length && status.status === 'OK') {
      // OK for a command whose literal was never sent: the server cannot have run it.
      return this.fatal(new ProtocolError(`The server said OK to ${p.handle.tag} ${p.handle.name} before its literal was sent`, {
        protocol: 'imap',
        command: p.handle.text,
        serverText: `${status.tag} ${status.status} ${status.text}`,
      }));
    }
    this.inflight.splice(index, 1);
    this.completedTags.push(p.handle.tag);
    if (this.completedTags.length > MAX_REMEMBERED_TAGS) this.completedTags.shift();
    if (p.next < p.parts.length) {
      // Answered before its literal went out (NO/BAD for a synchronizing literal): the rest is never sent.
      p.next = p.parts.length;
      p.awaitingContinuation = false;
      const queued = this.unsent.indexOf(p);
      if (queued >= 0) this.unsent.splice(queued, 1);
    }
    const ok = status.status === 'OK';
    if (ok) this.transition(p.handle.name, status);
    else if ((p.handle.name === 'SELECT' || p.handle.name === 'EXAMINE') && this.stateValue === 'selected') this.stateValue = 'authenticated';
    this.readCapabilityCode(status);
    if (ok && switchesStream(p.handle.name)) this.gate.close();
    else if (switchesStream(p.handle.name)) this.gate.release();
    this.out.push(ok
      ? { kind: 'CommandCompleted', handle: p.handle, response: status, data: p.data }
      : { kind: 'CommandFailed', handle: p.handle, response: status, data: p.data });
    this.pump();
  }

  private transition(name: string, status: StatusResponse): void {
    switch (name) {
      case 'AUTHENTICATE':
      case 'LOGIN':
        this.stateValue = 'authenticated';
        if (status.code?.name !== 'CAPABILITY') this.dropCapabilities();
        break;
      case 'STARTTLS':
        this.dropCapabilities();
        break;
      case 'SELECT':
      case 'EXAMINE':
        this.stateValue = 'selected';
        break;
      case 'CLOSE':
      case 'UNSELECT':
        this.stateValue = 'authenticated';
        break;
      case 'LOGOUT':
        this.stateValue = 'logout';
        break;
    }
  }

  private untaggedStatus(status: StatusResponse): void {
    this.readCapabilityCode(status);
    if (status.status === 'BYE') {
      this.byeReceived = true;
      this.stateValue = 'logout';
      if (!this.inflight.some((p) => p.handle.name === 'LOGOUT')) this.out.push({ kind: 'ByeReceived', response: status });
      return;
    }
    const code = status.code?.name;
    const owner = code === undefined ? undefined : (this.inflight.find((p) => claimsCode(p.handle.name, code)) ?? this.inflight[0]);
    if (owner) return this.deliver(owner, status);
    this.out.push({ kind: 'StatusReceived', response: status });
  }

  private readCapabilityCode(status: StatusResponse): void {
    if (status.code?.name === 'CAPABILITY' && Array.isArray(status.code.value)) this.setCapabilities(status.code.value as string[]);
  }

  private setCapabilities(list: string[]): void {
    this.caps = new Set(list.map((c) => c.toUpperCase()));
    this.capsKnown = true;
  }

  private dropCapabilities(): void {
    this.caps = new Set();
    this.capsKnown = false;
  }

  /** Writes whatever may be written now. */
  private pump(): void {
    if (!this.greeted || this.dead) return;
    while (this.unsent.length > 0) {
      const p = this.unsent[0]!;
      if (p.next === 0) {
        const alone = isExclusive(p.handle.name) || carriesLargeLiteral(p.parts);
        const blocked = this.inflight.some((q) => isExclusive(q.handle.name) || sharesClaims(q.handle.name, p.handle.name)) || (alone && this.inflight.length > 0);
        if (blocked || this.byeReceived) return;
        this.inflight.push(p);
      }
      if (p.awaitingContinuation) return;
      while (p.next < p.parts.length) {
        const part = p.parts[p.next++]!;
        if (part.kind === 'continue') {
          p.awaitingContinuation = true;
          return;
        }
        if (part.kind === 'bytes') {
          this.out.push(part.secret ? { kind: 'write', bytes: part.bytes, secret: true, handle: p.handle } : { kind: 'write', bytes: part.bytes, handle: p.handle });
        } else {
          this.out.push({ kind: 'write-stream', size: part.size, source: part.source, handle: p.handle, ...(part.secret ? { secret: true } : {}) });
        }
      }
      this.unsent.shift();
      if (switchesStream(p.handle.name)) this.gate.hold();
    }
  }

  private fatal(error: MailwireError): void {
    if (this.dead) return;
    this.dead = true;
    this.stateValue = 'logout';
    this.out.push({ kind: 'ProtocolFailed', error });
  }

  private closed(): void {
    if (this.dead) return;
    const clean = (this.byeReceived || this.stateValue === 'logout') && this.inflight.every((p) => p.handle.name === 'LOGOUT');
    this.dead = true;
    this.stateValue = 'logout';
    this.out.push({ kind: 'ConnectionClosed', clean });
  }
}
