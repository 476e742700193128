/**
 * The shapes an ImapSession takes and gives: the commands a client enqueues, the handle
 * that names one, and the steps `next()` returns — bytes to write, a need for more data,
 * or an event named in the past tense (STYLE.md, after imap-next).
 */
import type { MailwireError } from '@mailwire/errors';

import type { CommandArg } from '../command/arguments.js';
import type { CommandPart } from '../command/encoder.js';
import type { ImapResponse, MailboxUpdate, StatusResponse } from '../types.js';

/** What a session needs from a response decoder (ImapResponseDecoder fits). */
export interface ResponseDecoder {
  /**
   * The responses `chunk` completes, appended to `out` as each completes: on a WireError
   * thrown later in the chunk, `out` still holds every complete response before it.
   */
  push(chunk: Uint8Array, out?: ImapResponse[]): ImapResponse[];
  /** Set once UTF8=ACCEPT is enabled (RFC 6855): mailbox names arrive as UTF-8. */
  utf8?: boolean;
}

/** A SASL exchange as the session drives it (SaslExchange fits). */
export interface SaslDriver {
  /** The command after the tag: `AUTHENTICATE XOAUTH2 [ir]`. */
  command(): string;
  /** Answers a challenge (the text after "+ "): base64, '' for empty, '*' to cancel. */
  onChallenge(text: string): string;
}

/** A command to send, as data. */
export interface SessionCommand {
  /** The command name, `UID ` prefix included: 'SELECT', 'UID FETCH'. */
  name: string;
  args?: CommandArg[];
  /** Hand each response to the caller as it arrives (DataReceived) instead of collecting it. */
  stream?: boolean;
  /** AUTHENTICATE: the exchange that answers the server's challenges. */
  sasl?: SaslDriver;
}

/** A CommandHandle names one enqueued command in the events about it. */
export interface CommandHandle {
  readonly id: number;
  readonly tag: string;
  /** Upper-cased, `UID ` prefix included. */
  readonly name: string;
  /** The command as text for errors: literal bodies left out, secrets redacted. */
  readonly text: string;
}

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export type SessionEvent =
  | { kind: 'GreetingReceived'; response: StatusResponse }
  | { kind: 'CommandCompleted'; handle: CommandHandle; response: StatusResponse; data: ImapResponse[] }
  | { kind: 'CommandFailed'; handle: CommandHandle; response: StatusResponse; data: ImapResponse[] }
  /** A response for a streaming command, as it arrived. */
  | { kind: 'DataReceived'; handle: CommandHandle; response: ImapResponse }
  /** A change to the selected mailbox no command asked about (RFC 9051 §7.4, §7.5). */
  | { kind: 'UpdateReceived'; update: MailboxUpdate }
  /** An untagged OK/NO/BAD no command claimed (e.g. an [ALERT]). */
  | { kind: 'StatusReceived'; response: StatusResponse }
  | { kind: 'IdleAccepted'; handle: CommandHandle }
  | { kind: 'ByeReceived'; response: StatusResponse }
  /** The server broke the protocol: the connection must be closed. */
  | { kind: 'ProtocolFailed'; error: MailwireError }
  /** The server closed the stream; `clean` after LOGOUT or BYE. */
  | { kind: 'ConnectionClosed'; clean: boolean };

export type SessionStep =
  | { kind: 'write'; bytes: Uint8Array; secret?: boolean; handle?: CommandHandle }
  /** Stream exactly `size` bytes from `source` (a literal body), then continue. */
  | { kind: 'write-stream'; size: number; source: AsyncIterable<Uint8Array>; secret?: boolean; handle: CommandHandle }
  | { kind: 'need-data' }
  | SessionEvent;

/** A command inside the session (not part of the public surface): its parts and progress. */
export interface PendingCommand {
  handle: CommandHandle;
  cmd: SessionCommand;
  parts: CommandPart[];
  /** Index of the next part to write. */
  next: number;
  /** True while a synchronizing literal waits for "+". */
  awaitingContinuation: boolean;
  data: ImapResponse[];
  /** What `data` counts towards maxResponsesPerCommand (see claims.ts heldItems). */
  held: number;
  idleAccepted: boolean;
  doneRequested: boolean;
}
