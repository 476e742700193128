/**
 * Fetch plumbing for ImapClient: the FETCH item list as command arguments, and folding a
 * streaming FETCH's responses (fetch, literal-begin, literal-chunk) into FetchResults or
 * into the bytes of one body section.
 *
 *   fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822.SIZE" / "BODY" ["STRUCTURE"] /
 *               "UID" / "BODY" section ["<" number "." nz-number ">"] / "BODY.PEEK" section [...] / ...
 */
import { ProtocolError, UsageError } from '@mailwire/errors';

import type { CommandArg } from '../command/arguments.js';
import { atom, list } from '../command/arguments.js';
import type { FetchResult, ImapResponse } from '../types.js';

/** A FETCH item (../shared/API.md): the common ones by name, any other as a string. */
export type FetchItem = 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | `BODY.PEEK[${string}]` | (string & {});

/** The item list: `(UID FLAGS BODY.PEEK[])`, each item checked to be a bare token. */
export function fetchItemsArg(items: readonly string[]): CommandArg {
  if (items.length === 0) throw new UsageError('fetch() needs at least one item', { protocol: 'imap' });
  return list(items.map((item) => atom(item)));
}

/** The FETCH item for one body section: BODY.PEEK[section] (never sets \Seen). */
export function bodyItem(section = ''): string {
  if (/[\r\n\0{"]/.test(section)) throw new UsageError(`Not a body section: ${JSON.stringify(section)}`, { protocol: 'imap' });
  return `BODY.PEEK[${section}]`;
}

/** The key a server names the section with in its FETCH response. */
export function bodyKey(section = ''): string {
  return `BODY[${section.toUpperCase()}]`;
}

/** One streamed section being put back together: copied into a buffer of its announced size as each chunk arrives. */
interface Assembly {
  size: number;
  body: Buffer | null;
  filled: number;
}

/**
 * Collects streamed literal chunks per (seq, section) and puts them back into the
 * FetchResult's `body`, so fetch() callers see whole sections whatever the threshold. Each
 * chunk is copied at once into one buffer of the size the literal announced (allocated at
 * its first chunk): the bytes are copied while the read just brought them into the cache,
 * and the read buffer is not held until the section ends.
 */
export class StreamedBodies {
  private readonly sections = new Map<string, Assembly>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Returns a finished FetchResult for `fetch` responses, null for chunks held. */
  take(response: ImapResponse): FetchResult | null {
    if (response.kind === 'literal-begin') {
      // Refused at the announcement: waiting for bytes that could never be held would only
      // end at the progress timeout.
      const r = response as { seq: number | null; section: string | null; size: number };
      if (this.bytes + r.size > this.maxBytes) {
        throw new ProtocolError(`fetch() would hold a ${r.size}-byte body, more than ${this.maxBytes} bytes in memory (limits.maxLiteralBytes): use fetchBodyStream()`, { protocol: 'imap' });
      }
      this.sections.set(`${r.seq}\u0000${r.section}`, { size: r.size, body: null, filled: 0 });
      return null;
    }
    if (response.kind === 'literal-chunk') {
      const r = response as { seq: number | null; section: string | null; bytes: Uint8Array };
      this.bytes += r.bytes.length;
      if (this.bytes > this.maxBytes) {
        throw new ProtocolError(`fetch() would hold more than ${this.maxBytes} bytes of bodies in memory (limits.maxLiteralBytes): use fetchBodyStream()`, { protocol: 'imap' });
      }
      const key = `${r.seq}\u0000${r.section}`;
      let a = this.sections.get(key);
      if (!a) this.sections.set(key, (a = { size: 0, body: null, filled: 0 }));
      if (a.filled + r.bytes.length > a.size) {
        // More than announced (the framer never does this): grow, keeping what is there.
        const grown = Buffer.allocUnsafe(a.filled + r.bytes.length);
        if (a.body) a.body.copy(grown, 0, 0, a.filled);
        a.body = grown;
        a.size = grown.length;
      }
      a.body ??= Buffer.allocUnsafe(a.size);
      a.body.set(r.bytes, a.filled);
      a.filled += r.bytes.length;
      return null;
    }
    if (response.kind !== 'fetch') return null;
    const fetch = (response as { fetch: FetchResult }).fetch;
    if (fetch.streamed) {
      for (const section of Object.keys(fetch.streamed)) {
        const key = `${fetch.seq}\u0000${section}`;
        const a = this.sections.get(key);
        this.sections.delete(key);
        this.bytes -= a?.filled ?? 0;
        (fetch.body ??= {})[section] = a?.body ? (a.filled === a.body.length ? a.body : a.body.subarray(0, a.filled)) : Buffer.alloc(0);
      }
    }
    return fetch;
  }
}
