/**
 * MailboxOps holds ImapClient's mailbox-level commands (RFC 9051 §6.3 and extensions):
 * LIST, STATUS, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, NOOP, ENABLE (RFC 5161),
 * ID (RFC 2971), NAMESPACE (RFC 2342), COMPRESS=DEFLATE (RFC 4978). It is the base of
 * ImapClient, which supplies the connection plumbing.
 */
import { UsageError } from '@mailwire/errors';

import type { CommandArg } from '../command/arguments.js';
import { atom, list, mailbox, str } from '../command/arguments.js';
import type { SessionCommand } from '../session/session-types.js';
import type { ListEntry, MailboxStatus, NamespaceDescriptor } from '../types.js';
import type { CommandOutcome, RunOptions } from './connection.js';

/** STATUS items (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE). */
export type StatusItem = 'MESSAGES' | 'RECENT' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE' | 'HIGHESTMODSEQ';

export interface Namespaces {
  personal: NamespaceDescriptor[] | null;
  other: NamespaceDescriptor[] | null;
  shared: NamespaceDescriptor[] | null;
}

export abstract class MailboxOps {
  protected abstract exec(cmd: SessionCommand, options?: RunOptions): Promise<CommandOutcome>;
  protected abstract caps(): ReadonlySet<string>;
  protected abstract enabledExtensions(): ReadonlySet<string>;
  protected abstract forgetSelection(): void;

  /** LIST (RFC 9051 §6.3.9); names decoded from modified UTF-7. Default: every mailbox. */
  async list(reference = '', pattern = '*'): Promise<ListEntry[]> {
    const outcome = await this.exec({ name: 'LIST', args: [mailbox(reference), mailbox(pattern, true)] });
    return outcome.data.filter((r) => r.kind === 'list').map((r) => (r as { entry: ListEntry }).entry);
  }

  /** LSUB: the subscribed mailboxes (IMAP4rev1). */
  async lsub(reference = '', pattern = '*'): Promise<ListEntry[]> {
    const outcome = await this.exec({ name: 'LSUB', args: [mailbox(reference), mailbox(pattern, true)] });
    return outcome.data.filter((r) => r.kind === 'lsub' || r.kind === 'list').map((r) => (r as { entry: ListEntry }).entry);
  }

  /** STATUS (RFC 9051 §6.3.11). HIGHESTMODSEQ is asked only where CONDSTORE is offered. */
  async status(name: string, items?: StatusItem[]): Promise<MailboxStatus> {
    const caps = this.caps();
    const wanted = items ?? ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', ...(caps.has('CONDSTORE') || caps.has('QRESYNC') ? ['HIGHESTMODSEQ' as const] : [])];
    const outcome = await this.exec({ name: 'STATUS', args: [mailbox(name), list(wanted.map((i) => atom(i)))] });
    const found = outcome.data.find((r) => r.kind === 'mailbox-status');
    return found ? (found as { status: MailboxStatus }).status : {};
  }

  async create(name: string): Promise<void> {
    await this.exec({ name: 'CREATE', args: [mailbox(name)] });
  }

  async delete(name: string): Promise<void> {
    await this.exec({ name: 'DELETE', args: [mailbox(name)] });
  }

  async rename(from: string, to: string): Promise<void> {
    await this.exec({ name: 'RENAME', args: [mailbox(from), mailbox(to)] });
  }

  async subscribe(name: string): Promise<void> {
    await this.exec({ name: 'SUBSCRIBE', args: [mailbox(name)] });
  }

  async unsubscribe(name: string): Promise<void> {
    await this.exec({ name: 'UNSUBSCRIBE', args: [mailbox(name)] });
  }

  /** NOOP: lets the server report mailbox updates. */
  async noop(): Promise<void> {
    await this.exec({ name: 'NOOP' });
  }

  /** CLOSE (expunges \Deleted messages) or UNSELECT (RFC 3691) when `expunge` is false. */
  async closeMailbox(opts: { expunge?: boolean } = {}): Promise<void> {
    const unselect = opts.expunge === false;
    if (unselect && !this.caps().has('UNSELECT') && !this.caps().has('IMAP4REV2')) {
      throw new UsageError('The server does not offer UNSELECT', { protocol: 'imap' });
    }
    await this.exec({ name: unselect ? 'UNSELECT' : 'CLOSE' });
    this.forgetSelection();
  }

  /** ENABLE (RFC 5161): e.g. 'CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT'. Returns what the server enabled. */
  async enable(...extensions: string[]): Promise<string[]> {
    if (extensions.length === 0) throw new UsageError('enable() needs at least one extension', { protocol: 'imap' });
    const outcome = await this.exec({ name: 'ENABLE', args: extensions.map((e) => atom(e)) });
    return outcome.data.filter((r) => r.kind === 'enabled').flatMap((r) => (r as { capabilities: string[] }).capabilities);
  }

  /** ID (RFC 2971): tells the server who we are, returns what it says about itself. */
  async id(params: Record<string, string | null> | null = null): Promise<Record<string, string | null> | null> {
    let arg: CommandArg = atom('NIL');
    if (params && Object.keys(params).length > 0) {
      const items: CommandArg[] = [];
      for (const [k, v] of Object.entries(params)) items.push(str(k, { preferQuoted: true }), v === null ? atom('NIL') : str(v, { preferQuoted: true }));
      arg = list(items);
    }
    const outcome = await this.exec({ name: 'ID', args: [arg] });
    const found = outcome.data.find((r) => r.kind === 'id');
    return found ? (found as { params: Record<string, string | null> | null }).params : null;
  }

  /** NAMESPACE (RFC 2342, RFC 9051 §6.3.10). */
  async namespace(): Promise<Namespaces> {
    const outcome = await this.exec({ name: 'NAMESPACE' });
    const found = outcome.data.find((r) => r.kind === 'namespace') as (Namespaces & { kind: string }) | undefined;
    return found ? { personal: found.personal, other: found.other, shared: found.shared } : { personal: null, other: null, shared: null };
  }

  /** COMPRESS=DEFLATE (RFC 4978): from the OK on, both directions are deflated. */
  async compress(): Promise<void> {
    if (!this.caps().has('COMPRESS=DEFLATE')) throw new UsageError('The server does not offer COMPRESS=DEFLATE', { protocol: 'imap' });
    await this.exec({ name: 'COMPRESS', args: [atom('DEFLATE')] });
  }
}
