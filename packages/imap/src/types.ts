/**
 * The typed values of IMAP (RFC 3501, RFC 9051 and the extensions mailwire speaks), as the
 * response decoder produces them and the client hands them to callers. The shapes named in
 * ../shared/API.md are the contract; the rest extends it.
 */

export interface Address {
  name: string | null;
  /** RFC 3501 addr-adl (source route); almost always null. */
  adl?: string | null;
  mailbox: string | null;
  host: string | null;
}

export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[];
  sender: Address[];
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  bcc: Address[];
  inReplyTo: string | null;
  messageId: string | null;
}

export interface BodyStructure {
  /** Lower-cased. */
  type: string;
  /** Lower-cased. */
  subtype: string;
  /** Keys lower-cased, values as sent. */
  parameters: Record<string, string>;
  id?: string | null;
  description?: string | null;
  encoding?: string;
  size?: number;
  lines?: number;
  md5?: string | null;
  disposition?: { type: string; parameters: Record<string, string> } | null;
  language?: string[] | null;
  location?: string | null;
  /** message/rfc822 */
  envelope?: Envelope;
  bodyStructure?: BodyStructure;
  /** multipart */
  parts?: BodyStructure[];
  /** Extension data past the fields RFC 3501 names, kept raw. */
  extension?: unknown[];
}

export interface FetchResult {
  seq: number;
  uid?: number;
  flags?: string[];
  internalDate?: string;
  size?: number;
  envelope?: Envelope;
  bodyStructure?: BodyStructure;
  /** Key: the section as the server names it, e.g. 'BODY[]', 'BODY[HEADER]', 'BINARY[1]', 'BODY[]<0>'. */
  body?: Record<string, Uint8Array>;
  /** Sizes of sections that were streamed (not held in memory), by the same keys as body. */
  streamed?: Record<string, number>;
  /** RFC 7162 CONDSTORE */
  modSeq?: bigint;
  /** RFC 3516 BINARY.SIZE[section] */
  binarySize?: Record<string, number>;
  /** Gmail X-GM-EXT-1 */
  gmailMessageId?: bigint;
  gmailThreadId?: bigint;
  gmailLabels?: string[];
  /** FETCH items mailwire does not know, by item name, as generic values. */
  unknown?: Record<string, unknown>;
}

export interface ListEntry {
  /** Decoded from modified UTF-7 (or as sent with UTF8=ACCEPT). */
  name: string;
  delimiter: string | null;
  /** As sent, e.g. '\\HasNoChildren', '\\Sent' (RFC 6154). */
  attributes: string[];
  /** The name exactly as the server sent it (still modified UTF-7). */
  rawName?: string;
}

export interface MailboxInfo {
  exists: number;
  recent?: number;
  flags: string[];
  permanentFlags?: string[];
  uidValidity?: number;
  uidNext?: number;
  unseen?: number;
  highestModSeq?: bigint;
  readOnly: boolean;
}

export type MailboxUpdate =
  | { type: 'exists'; count: number }
  | { type: 'expunge'; seq: number }
  | { type: 'fetch'; seq: number; flags?: string[]; uid?: number; modSeq?: bigint }
  | { type: 'recent'; count: number }
  | { type: 'vanished'; uids: string; earlier: boolean }
  | { type: 'flags'; flags: string[] };

/** A response code (`[NAME value]`). Known codes have typed values, see ResponseCodeValue. */
export interface ResponseCode {
  /** Upper-cased. */
  name: string;
  /**
   * CAPABILITY, PERMANENTFLAGS, BADCHARSET: string[]; UIDVALIDITY, UIDNEXT, UNSEEN: number;
   * HIGHESTMODSEQ: bigint; APPENDUID: { uidValidity, uids }; COPYUID: { uidValidity,
   * sourceUids, destinationUids } (undefined where Exchange sends it bare); MODIFIED: string
   * (a sequence set); an unknown code: its raw text, or undefined when it has none.
   */
  value?: unknown;
}

export interface StatusResponse {
  kind: 'status';
  /** null for untagged. */
  tag: string | null;
  status: 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';
  code?: ResponseCode;
  text: string;
}

export interface NamespaceDescriptor {
  prefix: string;
  delimiter: string | null;
}

export interface MailboxStatus {
  messages?: number;
  recent?: number;
  uidNext?: number;
  uidValidity?: number;
  unseen?: number;
  deleted?: number;
  size?: number;
  highestModSeq?: bigint;
}

/** Every response the decoder produces. */
export type ImapResponse =
  | { kind: 'fetch'; fetch: FetchResult }
  | StatusResponse
  | { kind: 'continuation'; text: string }
  | { kind: 'list'; entry: ListEntry }
  | { kind: 'lsub'; entry: ListEntry }
  | { kind: 'capability'; capabilities: string[] }
  | { kind: 'enabled'; capabilities: string[] }
  | { kind: 'flags'; flags: string[] }
  | { kind: 'exists'; count: number }
  | { kind: 'recent'; count: number }
  | { kind: 'expunge'; seq: number }
  | { kind: 'vanished'; earlier: boolean; uids: string }
  /** SEARCH: numbers as sent; MODSEQ per RFC 7162. */
  | { kind: 'search'; ids: number[]; modSeq?: bigint }
  /** RFC 4731 / RFC 9051 ESEARCH; `all` is a sequence set string, never expanded. */
  | { kind: 'esearch'; tag?: string; uid: boolean; min?: number; max?: number; count?: number; all?: string; modSeq?: bigint }
  | { kind: 'mailbox-status'; mailbox: string; status: MailboxStatus }
  | { kind: 'id'; params: Record<string, string | null> | null }
  | { kind: 'namespace'; personal: NamespaceDescriptor[] | null; other: NamespaceDescriptor[] | null; shared: NamespaceDescriptor[] | null }
  /**
   * A large literal being streamed (see the decoder's `streamThresholdBytes`): `begin` once
   * with the message's sequence number and section, `chunk` for each piece of bytes, then
   * the `fetch` response for the whole message with that section listed in `streamed`.
   */
  | { kind: 'literal-begin'; seq: number | null; section: string | null; size: number }
  | { kind: 'literal-chunk'; seq: number | null; section: string | null; bytes: Uint8Array }
  /** A response mailwire does not know: its name and the rest as generic values. */
  | { kind: 'unknown'; tag: string | null; name: string; raw: Uint8Array };
