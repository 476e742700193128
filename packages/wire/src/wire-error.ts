import { ProtocolError } from '@mailwire/errors';

/**
 * Why a wire decoder gave up. Each limit has its own reason; `syntax` is everything the
 * framing grammar rejects.
 */
export type WireErrorReason =
  | 'line-too-long' // maxLineBytes
  | 'literal-too-large' // maxLiteralBytes (held in memory) / maxMessageBytes
  | 'too-deep' // maxDepth (parenthesised list nesting)
  | 'too-many-lines' // maxReplyLines (SMTP multi-line reply), maxBodyLines
  | 'syntax'
  | 'ended'; // push() after the decoder already failed or saw EOF mid-frame

/** The option that names each limit, for messages and for callers that branch on it. */
export const WIRE_LIMIT_OPTION: Record<Exclude<WireErrorReason, 'syntax' | 'ended'>, string> = {
  'line-too-long': 'maxLineBytes',
  'literal-too-large': 'maxLiteralBytes',
  'too-deep': 'maxDepth',
  'too-many-lines': 'maxReplyLines',
};

/**
 * A WireError says the peer's bytes broke the framing or one of the decoder's limits.
 * It is a ProtocolError (code `EPROTOCOL`, as ../shared/API.md says) whose `reason` is the
 * stable code naming what was broken, and `limit` the option name where a limit was hit.
 * `offset` is the byte offset in the stream where the decoder stopped. A decoder that
 * threw is poisoned: every later push throws again (reason `ended`).
 */
export class WireError extends ProtocolError {
  readonly reason: WireErrorReason;
  readonly limit?: string;
  readonly offset: number;

  constructor(reason: WireErrorReason, message: string, offset: number, limit?: string) {
    super(message, { protocol: 'wire' });
    this.reason = reason;
    this.offset = offset;
    if (limit !== undefined) this.limit = limit;
  }
}
