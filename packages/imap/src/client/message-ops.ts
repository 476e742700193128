/**
 * MessageOps holds ImapClient's message-level commands: FETCH (whole results, one body,
 * or one body streamed with flat memory), SEARCH (ESEARCH where offered, RFC 4731),
 * STORE (with UNCHANGEDSINCE, RFC 7162), COPY, MOVE (RFC 6851, with the COPY + STORE +
 * EXPUNGE fallback), EXPUNGE / UID EXPUNGE (RFC 4315) and APPEND (with APPENDUID).
 */
import { ProtocolError, UsageError } from '@mailwire/errors';
import type { MailwireError } from '@mailwire/errors';

import type { CommandArg } from '../command/arguments.js';
import { atom, list, literal, mailbox, num, seq, str } from '../command/arguments.js';
import type { SearchQuery } from '../command/search.js';
import { searchArgs, searchNeedsUtf8 } from '../command/search.js';
import { expandSequenceSet, sequenceSet } from '../command/sequence-set.js';
import type { FetchResult, ImapResponse, StatusResponse } from '../types.js';
import { AsyncQueue } from './async-queue.js';
import { bodyItem, bodyKey, fetchItemsArg, StreamedBodies } from './fetch-stream.js';
import type { FetchItem } from './fetch-stream.js';
import { MailboxOps } from './mailbox-ops.js';

export interface FetchOptions {
  uid?: boolean;
  /** CHANGEDSINCE (RFC 7162 §3.1.4). */
  changedSince?: bigint;
}

export interface StoreOptions {
  uid?: boolean;
  /** 'add' (+FLAGS), 'remove' (-FLAGS) or 'set' (FLAGS). Default 'add'. */
  action?: 'add' | 'remove' | 'set';
  /** .SILENT: the server sends no FETCH back. Default true. */
  silent?: boolean;
  /** UNCHANGEDSINCE (RFC 7162 §3.1.3). */
  unchangedSince?: bigint;
}

export interface CopyUid {
  uidValidity: number;
  sourceUids: string;
  destinationUids: string;
}

export interface AppendOptions {
  flags?: string[];
  internalDate?: Date;
  /** The size of an AsyncIterable message; without it the message is read into memory first. */
  size?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function codeOf(responses: readonly (ImapResponse | StatusResponse)[], name: string): unknown {
  for (const r of responses) if (r.kind === 'status' && (r as StatusResponse).code?.name === name) return (r as StatusResponse).code!.value;
  return undefined;
}

export abstract class MessageOps extends MailboxOps {
  /** The most body bytes fetch() and fetchBody() hold in memory at once (limits.maxLiteralBytes). */
  protected abstract maxHeldBytes(): number;
  /** Closes the connection, failing whatever is pending with `error`. */
  protected abstract failConnection(error: MailwireError): void;

  /** FETCH (RFC 9051 §6.4.5): results as they arrive. */
  async *fetch(set: string, items: FetchItem[], opts: FetchOptions = {}): AsyncIterable<FetchResult> {
    // Results waiting for the consumer count their body bytes against the same limit as the
    // bodies still arriving: a slow consumer holds at most about twice maxLiteralBytes.
    const queue = new AsyncQueue<FetchResult>(64, bodyBytes, this.maxHeldBytes());
    const bodies = new StreamedBodies(this.maxHeldBytes());
    const args: CommandArg[] = [seq(sequenceSet(set)), fetchItemsArg(items)];
    if (opts.changedSince !== undefined) args.push(list([atom('CHANGEDSINCE'), num(opts.changedSince)]));
    const running = this.exec(
      { name: opts.uid ? 'UID FETCH' : 'FETCH', args, stream: true },
      {
        onData: (r) => {
          const result = bodies.take(r);
          return result ? queue.push(result) : undefined;
        },
      },
    ).then(() => queue.end(), (err: unknown) => queue.fail(err));
    try {
      yield* queue;
    } finally {
      await running;
    }
  }

  /**
   * One message's body section (default the whole message), held in memory: at most
   * limits.maxLiteralBytes of it, past which the server is sending more than the client
   * may hold (it announced the size it liked) — EPROTOCOL and a closed connection, as in
   * fetch(). fetchBodyStream() has no such limit.
   */
  async fetchBody(set: string, opts: { uid?: boolean; section?: string } = {}): Promise<Uint8Array> {
    const max = this.maxHeldBytes();
    const parts: Uint8Array[] = [];
    let bytes = 0;
    // The pieces are collected straight from the connection loop: no queue, no iterator.
    await this.bodySection(set, opts, max, (chunk) => {
      bytes += chunk.length;
      if (bytes > max) {
        const err = new ProtocolError(`fetchBody() would hold more than ${max} bytes in memory (limits.maxLiteralBytes): use fetchBodyStream()`, { protocol: 'imap' });
        this.failConnection(err); // the rest of the body is not worth waiting for
        throw err;
      }
      parts.push(chunk);
      return undefined;
    });
    return ownBody(parts);
  }

  /** One message's body section streamed as it arrives: memory stays flat for any size. */
  fetchBodyStream(set: string, opts: { uid?: boolean; section?: string } = {}): AsyncIterable<Uint8Array> {
    return this.bodyStream(set, opts, Infinity);
  }

  /** fetchBodyStream(), refusing at its announcement a wanted literal larger than `max`. */
  private async *bodyStream(set: string, opts: { uid?: boolean; section?: string }, max: number): AsyncIterable<Uint8Array> {
    const queue = new AsyncQueue<Uint8Array>(8);
    const running = this.bodySection(set, opts, max, (bytes) => queue.push(bytes)).then(
      () => queue.end(),
      (err: unknown) => queue.fail(err),
    );
    try {
      yield* queue;
    } finally {
      await running;
    }
  }

  /**
   * FETCH of one body section, each piece of it handed to `sink` as it arrives (the
   * connection loop waits for the promise `sink` returns: backpressure). A wanted literal
   * larger than `max` is refused at its announcement; no such section at all is EPROTOCOL.
   */
  private async bodySection(
    set: string,
    opts: { uid?: boolean; section?: string },
    max: number,
    sink: (bytes: Uint8Array) => Promise<void> | undefined,
  ): Promise<void> {
    const wanted = bodyKey(opts.section);
    let target: number | null = null;
    let found = false;
    const items = opts.uid ? ['UID', bodyItem(opts.section)] : [bodyItem(opts.section)];
    await this.exec(
      { name: opts.uid ? 'UID FETCH' : 'FETCH', args: [seq(sequenceSet(set)), fetchItemsArg(items)], stream: true },
      {
        onData: (r) => {
          if (r.kind === 'literal-begin') {
            const b = r as { seq: number | null; section: string | null; size: number };
            if (target === null && b.section?.toUpperCase() === wanted) {
              if (b.size > max) {
                const err = new ProtocolError(`fetchBody() would hold a ${b.size}-byte body, more than ${max} bytes in memory (limits.maxLiteralBytes): use fetchBodyStream()`, { protocol: 'imap' });
                this.failConnection(err); // refused at the announcement, not after the bytes
                throw err;
              }
              target = b.seq;
            }
            return undefined;
          }
          if (r.kind === 'literal-chunk') {
            const c = r as { seq: number | null; section: string | null; bytes: Uint8Array };
            if (c.seq === target && c.section?.toUpperCase() === wanted) {
              found = true;
              return sink(c.bytes);
            }
            return undefined;
          }
          if (r.kind !== 'fetch' || found) return undefined;
          const f = (r as { fetch: FetchResult }).fetch;
          const key = Object.keys(f.body ?? {}).find((k) => k.toUpperCase() === wanted);
          if (key === undefined) return undefined;
          found = true;
          return sink(f.body![key]!);
        },
      },
    );
    if (!found) throw new ProtocolError(`The server sent no ${wanted} for ${set}`, { protocol: 'imap' });
  }

  /** SEARCH / UID SEARCH: the matching numbers; ESEARCH (RFC 4731) where offered. */
  async search(query: SearchQuery = {}, opts: { uid?: boolean } = {}): Promise<number[]> {
    const caps = this.caps();
    const args: CommandArg[] = [];
    const esearch = caps.has('ESEARCH') || caps.has('IMAP4REV2');
    if (esearch) args.push(atom('RETURN'), list([atom('ALL')]));
    const utf8 = this.enabledUtf8();
    if (!utf8 && searchNeedsUtf8(query)) args.push(atom('CHARSET'), atom('UTF-8'));
    args.push(...searchArgs(query));
    const outcome = await this.exec({ name: opts.uid ? 'UID SEARCH' : 'SEARCH', args });
    // One loop, not push(...ids): spreading a result of a few hundred thousand numbers
    // overflows the stack. The session already bounded how many there are
    // (maxResponsesPerCommand counts each number).
    const out: number[] = [];
    for (const r of outcome.data) {
      let ids: readonly number[] = [];
      if (r.kind === 'search') ids = (r as { ids: number[] }).ids;
      else if (r.kind === 'esearch') {
        const all = (r as { all?: string }).all;
        if (all) ids = expandSequenceSet(all, Number.POSITIVE_INFINITY);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  /** STORE / UID STORE. Returns the MODIFIED set (UNCHANGEDSINCE) and any FETCH the server sent back. */
  async store(set: string, flags: string[], opts: StoreOptions = {}): Promise<{ modified?: string; results: FetchResult[] }> {
    const prefix = { add: '+', remove: '-', set: '' }[opts.action ?? 'add'];
    const item = `${prefix}FLAGS${opts.silent === false ? '' : '.SILENT'}`;
    const args: CommandArg[] = [seq(sequenceSet(set))];
    if (opts.unchangedSince !== undefined) args.push(list([atom('UNCHANGEDSINCE'), num(opts.unchangedSince)]));
    args.push(atom(item), list(flags.map((f) => atom(f))));
    const outcome = await this.exec({ name: opts.uid ? 'UID STORE' : 'STORE', args });
    const modified = codeOf([outcome.response], 'MODIFIED');
    const results = outcome.data.filter((r) => r.kind === 'fetch').map((r) => (r as { fetch: FetchResult }).fetch);
    return { ...(typeof modified === 'string' ? { modified } : {}), results };
  }

  /** COPY / UID COPY; returns COPYUID (RFC 4315) where the server sends it. */
  async copy(set: string, destination: string, opts: { uid?: boolean } = {}): Promise<CopyUid | undefined> {
    const outcome = await this.exec({ name: opts.uid ? 'UID COPY' : 'COPY', args: [seq(sequenceSet(set)), mailbox(destination)] });
    return copyUid(codeOf([outcome.response, ...outcome.data], 'COPYUID'));
  }

  /**
   * MOVE / UID MOVE (RFC 6851) where offered; otherwise COPY, STORE +FLAGS.SILENT
   * (\Deleted), then UID EXPUNGE (UIDPLUS, RFC 4315) of just those messages — by the UIDs
   * given, or those the COPYUID names — or, failing both, a plain EXPUNGE, which also
   * removes EVERY OTHER message already marked \Deleted in the mailbox. `expungeAll: false`
   * refuses that case (EUSAGE, before anything is sent): then the fallback runs only for
   * a UID set on a server with UIDPLUS.
   */
  async move(set: string, destination: string, opts: { uid?: boolean; expungeAll?: boolean } = {}): Promise<CopyUid | undefined> {
    const caps = this.caps();
    if (caps.has('MOVE') || caps.has('IMAP4REV2')) {
      const outcome = await this.exec({ name: opts.uid ? 'UID MOVE' : 'MOVE', args: [seq(sequenceSet(set)), mailbox(destination)] });
      return copyUid(codeOf([outcome.response, ...outcome.data], 'COPYUID'));
    }
    const uidPlus = caps.has('UIDPLUS');
    if (opts.expungeAll === false && !(opts.uid && uidPlus)) {
      throw new UsageError('move() without MOVE would end with an EXPUNGE that also removes other messages marked \\Deleted: give UIDs on a server with UIDPLUS, or allow expungeAll', { protocol: 'imap' });
    }
    const result = await this.copy(set, destination, opts);
    await this.store(set, ['\\Deleted'], { uid: opts.uid === true, action: 'add', silent: true });
    const uids = opts.uid ? set : result?.sourceUids;
    if (uidPlus && uids !== undefined) await this.expunge({ uid: uids });
    else await this.expunge();
    return result;
  }

  /** EXPUNGE, or UID EXPUNGE of a set (RFC 4315) when `uid` is given. */
  async expunge(opts: { uid?: string } = {}): Promise<void> {
    if (opts.uid !== undefined) await this.exec({ name: 'UID EXPUNGE', args: [seq(sequenceSet(opts.uid))] });
    else await this.exec({ name: 'EXPUNGE' });
  }

  /** APPEND (RFC 9051 §6.3.12); returns APPENDUID (RFC 4315) where the server sends it. */
  async append(
    destination: string,
    message: Uint8Array | string | AsyncIterable<Uint8Array>,
    opts: AppendOptions = {},
  ): Promise<{ uidValidity: number; uid: number } | undefined> {
    let body: Uint8Array | { size: number; source: AsyncIterable<Uint8Array> };
    if (typeof message === 'string') body = new TextEncoder().encode(message);
    else if (message instanceof Uint8Array) body = message;
    else if (opts.size !== undefined) body = { size: opts.size, source: message };
    else {
      const parts: Uint8Array[] = [];
      for await (const p of message) parts.push(p);
      body = Buffer.concat(parts);
    }
    const args: CommandArg[] = [mailbox(destination)];
    if (opts.flags && opts.flags.length > 0) args.push(list(opts.flags.map((f) => atom(f))));
    if (opts.internalDate) args.push(str(dateTime(opts.internalDate), { preferQuoted: true }));
    args.push(literal(body));
    const outcome = await this.exec({ name: 'APPEND', args });
    const code = codeOf([outcome.response], 'APPENDUID') as { uidValidity?: number; uids?: string } | undefined;
    if (!code || typeof code.uidValidity !== 'number' || typeof code.uids !== 'string') return undefined;
    const uid = Number(code.uids);
    if (!Number.isInteger(uid)) throw new UsageError('APPENDUID for a single message expected', { protocol: 'imap' });
    return { uidValidity: code.uidValidity, uid };
  }

  private enabledUtf8(): boolean {
    const enabled = this.enabledExtensions();
    return enabled.has('UTF8=ACCEPT') || enabled.has('IMAP4REV2');
  }
}

/**
 * The body whole. A body that came as one piece is handed over as it is when it fills at
 * least half of the buffer under it (a read buffer or a message the framer joined, never
 * reused): no copy, and it keeps at most twice its size alive. Otherwise a copy of its own.
 */
function ownBody(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.byteLength * 2 >= only.buffer.byteLength) {
      return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
    }
  }
  return Buffer.concat(parts);
}

function bodyBytes(result: FetchResult): number {
  let n = 0;
  for (const section in result.body) n += result.body[section]!.length;
  return n;
}

function copyUid(value: unknown): CopyUid | undefined {
  const v = value as { uidValidity?: number; sourceUids?: string; destinationUids?: string } | undefined;
  if (!v || typeof v.uidValidity !== 'number' || typeof v.sourceUids !== 'string' || typeof v.destinationUids !== 'string') return undefined;
  return { uidValidity: v.uidValidity, sourceUids: v.sourceUids, destinationUids: v.destinationUids };
}
