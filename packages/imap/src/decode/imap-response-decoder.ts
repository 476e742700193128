/**
 * An ImapResponseDecoder turns the bytes an IMAP server sends into typed responses
 * (RFC 9051 §7, RFC 3501 §7 and the extensions in ../types.ts), sans I/O: push bytes in any
 * chunking, get every response they complete, in order.
 *
 * Theory of operation. An ImapFramer (@mailwire/wire) cuts the stream into whole messages
 * (lines plus literals); each message is read once, front to back, by an ImapReader, and
 * the grammar for its response name builds the typed value directly (FETCH items straight
 * into a FetchResult). Literals past `streamThresholdBytes` are not held: the decoder reports
 * `literal-begin` (sequence number and section read from the message so far), then
 * `literal-chunk` for each piece, and the final `fetch` lists the section in `streamed`.
 *
 * Strings and bytes. Strings are decoded as UTF-8 (invalid sequences become U+FFFD): 8-bit
 * text outside UTF8=ACCEPT is not valid IMAP, but servers send it, and UTF-8 is what they
 * mean. Mailbox names are decoded from modified UTF-7 unless `utf8` is set. Literal data
 * (body sections, literal-chunk bytes) are views of the pushed chunks, never copied or
 * decoded: the caller must not reuse a buffer it pushed.
 *
 * Errors. A response mailwire does not know, or a response code it does not know, is data
 * (kind 'unknown', or the code's raw text), never an error. Broken syntax in a known
 * response, or a limit passed, throws a WireError (a ProtocolError, code EPROTOCOL) with the
 * stream offset, and the decoder is poisoned: every later push throws.
 */
import { ImapFramer, ImapReader, WireError, type ImapFrame, type ImapFramerEvent } from '@mailwire/wire';
import type { ImapResponse, StatusResponse } from '../types.js';
import { DEFAULT_QUIRKS, type ImapQuirks } from '../quirks.js';
import { readRespText, readAtoms, readFlagList } from './resp-text.js';
import { readMsgAtt } from './fetch.js';
import {
  readEsearch, readId, readMailboxList, readMailboxStatus, readNamespace, readSearch, readVanished,
} from './mailbox-data.js';
import { readLiteralHead } from './literal-head.js';

export interface ImapResponseDecoderOptions {
  /** The longest line, CRLF included. Default 1 MiB. */
  maxLineBytes?: number;
  /** The largest literal held in memory. Default 64 MiB. */
  maxLiteralBytes?: number;
  /** The most bytes one response may hold. Default 128 MiB. */
  maxMessageBytes?: number;
  /** The deepest list nesting. Default 64. */
  maxDepth?: number;
  /** Literals larger than this are streamed as literal-chunk responses. Default: never. */
  streamThresholdBytes?: number;
  /** Server quirks to tolerate; default DEFAULT_QUIRKS (all parse quirks on). */
  quirks?: Partial<ImapQuirks>;
  /** UTF8=ACCEPT is enabled (RFC 6855): mailbox names are UTF-8, not modified UTF-7. */
  utf8?: boolean;
}

/** Options of one response decode (see decodeResponse). */
export interface DecodeOptions {
  quirks: ImapQuirks;
  utf8: boolean;
  maxDepth?: number;
}

const STATUS_NAMES = new Set(['OK', 'NO', 'BAD', 'PREAUTH', 'BYE']);

/**
 * Decodes one framed message into its typed response. Throws WireError on bad syntax.
 * `reader` (made with the same maxDepth) is reset and reused when given; nothing returned
 * keeps a reference to it.
 */
export function decodeResponse(frame: ImapFrame, options: DecodeOptions, reader?: ImapReader): ImapResponse {
  let r: ImapReader;
  if (reader === undefined) r = new ImapReader(frame, options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth });
  else {
    r = reader;
    r.reset(frame);
  }
  const first = r.peek();
  if (first === 0x2b /* + */) {
    r.pos++;
    r.sp();
    return { kind: 'continuation', text: r.text() };
  }
  if (first === 0x2a /* * */) {
    r.pos++;
    r.expectSP();
    const n = r.number();
    if (n !== undefined) {
      r.expectSP();
      const name = r.keyword();
      switch (name) {
        case 'FETCH': {
          r.expectSP();
          const fetch = readMsgAtt(r, n, options.quirks);
          r.expectEnd();
          return { kind: 'fetch', fetch };
        }
        case 'EXISTS':
          r.expectEnd();
          return { kind: 'exists', count: n };
        case 'RECENT':
          r.expectEnd();
          return { kind: 'recent', count: n };
        case 'EXPUNGE':
          r.expectEnd();
          return { kind: 'expunge', seq: n };
        default:
          if (name === undefined) throw r.error('a message-data name');
          return { kind: 'unknown', tag: null, name, raw: frame.bytes };
      }
    }
    const name = r.keyword();
    if (name === undefined) throw r.error('a response name');
    return untagged(r, name, frame, options);
  }
  const tag = r.tag();
  if (tag === undefined) throw r.error('"*", "+" or a tag');
  r.expectSP();
  const name = r.keyword();
  if (name !== 'OK' && name !== 'NO' && name !== 'BAD') throw r.error('OK, NO or BAD after a tag');
  return status(r, tag, name, options);
}

function status(r: ImapReader, tag: string | null, name: StatusResponse['status'], options: DecodeOptions): StatusResponse {
  if (!r.sp()) {
    r.expectEnd();
    return { kind: 'status', tag, status: name, text: '' };
  }
  const { code, text } = readRespText(r, options.quirks);
  const out: StatusResponse = { kind: 'status', tag, status: name, text };
  if (code) out.code = code;
  return out;
}

function untagged(r: ImapReader, name: string, frame: ImapFrame, options: DecodeOptions): ImapResponse {
  if (STATUS_NAMES.has(name)) return status(r, null, name as StatusResponse['status'], options);
  let out: ImapResponse;
  switch (name) {
    case 'CAPABILITY':
      out = { kind: 'capability', capabilities: readAtoms(r) };
      break;
    case 'ENABLED':
      out = { kind: 'enabled', capabilities: readAtoms(r) };
      break;
    case 'FLAGS':
      r.expectSP();
      out = { kind: 'flags', flags: readFlagList(r) };
      break;
    case 'LIST':
      r.expectSP();
      out = { kind: 'list', entry: readMailboxList(r, options.utf8) };
      break;
    case 'LSUB':
      r.expectSP();
      out = { kind: 'lsub', entry: readMailboxList(r, options.utf8) };
      break;
    case 'STATUS':
      r.expectSP();
      out = readMailboxStatus(r, options.utf8);
      break;
    case 'SEARCH':
      out = readSearch(r, options.quirks);
      break;
    case 'ESEARCH':
      out = readEsearch(r);
      break;
    case 'NAMESPACE':
      r.expectSP();
      out = readNamespace(r);
      break;
    case 'ID':
      r.expectSP();
      out = readId(r);
      break;
    case 'VANISHED':
      r.expectSP();
      out = readVanished(r);
      break;
    default:
      return { kind: 'unknown', tag: null, name, raw: frame.bytes };
  }
  while (r.sp()); // trailing spaces some servers leave
  r.expectEnd();
  return out;
}

export class ImapResponseDecoder {
  readonly quirks: ImapQuirks;
  /** UTF8=ACCEPT is enabled; the session sets this after ENABLE UTF8=ACCEPT succeeds. */
  utf8: boolean;
  readonly maxDepth: number | undefined;
  #framer: ImapFramer;
  #failed: WireError | null = null;
  #streaming: { seq: number | null; section: string | null } | null = null;
  /** The reader every message is decoded with, made on the first message. */
  #reader: ImapReader | null = null;

  constructor(options: ImapResponseDecoderOptions = {}) {
    this.#framer = new ImapFramer({
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
      ...(options.maxLiteralBytes === undefined ? {} : { maxLiteralBytes: options.maxLiteralBytes }),
      ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
      ...(options.streamThresholdBytes === undefined ? {} : { streamThresholdBytes: options.streamThresholdBytes }),
    });
    this.quirks = { ...DEFAULT_QUIRKS, ...options.quirks };
    this.utf8 = options.utf8 ?? false;
    this.maxDepth = options.maxDepth;
  }

  /** Bytes held for the response under way (streamed literal data is never held). */
  get bufferedBytes(): number {
    return this.#framer.bufferedBytes;
  }

  /** True when no response is partly received: a clean place for the stream to end. */
  get idle(): boolean {
    return this.#framer.idle;
  }

  /**
   * Every response this chunk completes, in order. Throws WireError (EPROTOCOL) on bad input.
   * Responses are appended to `out` as they complete, so a caller that passes its own array
   * keeps every complete response before the error, whatever the chunking: the responses
   * framed before a framing error in the same chunk are still decoded and appended (a
   * decoding error in one of them comes first in the stream, so it is the one thrown).
   */
  push(chunk: Uint8Array, out: ImapResponse[] = []): ImapResponse[] {
    if (this.#failed) throw new WireError('ended', `IMAP decoder already failed: ${this.#failed.message}`, this.#failed.offset);
    const events: ImapFramerEvent[] = [];
    let framing: unknown = null;
    try {
      this.#framer.push(chunk, events);
    } catch (err) {
      framing = err;
    }
    try {
      const options: DecodeOptions = { quirks: this.quirks, utf8: this.utf8 };
      if (this.maxDepth !== undefined) options.maxDepth = this.maxDepth;
      for (const e of events) {
        if (e.kind === 'message') {
          this.#streaming = null;
          const reader = (this.#reader ??= new ImapReader(e.frame, options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }));
          out.push(decodeResponse(e.frame, options, reader));
        } else if (e.kind === 'literal-begin') {
          const head = readLiteralHead(e.head);
          this.#streaming = head;
          out.push({ kind: 'literal-begin', seq: head.seq, section: head.section, size: e.size });
        } else {
          const s = this.#streaming;
          out.push({ kind: 'literal-chunk', seq: s?.seq ?? null, section: s?.section ?? null, bytes: e.bytes });
        }
      }
      if (framing !== null) throw framing;
    } catch (err) {
      // A non-WireError here is a bug in mailwire: poison the decoder but let it surface as it is.
      this.#failed = err instanceof WireError ? err : new WireError('syntax', `IMAP decoder failed: ${String(err)}`, 0);
      throw err;
    }
    return out;
  }
}
