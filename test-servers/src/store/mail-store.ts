/**
 * The MailStore is the in-memory mail store behind all three protocols: users, their
 * mailboxes (INBOX, Sent, Drafts, Trash with special-use attributes, RFC 6154), and
 * messages with flags, UIDs, UIDVALIDITY and UIDNEXT (RFC 9051 §2.3.1). SMTP delivers
 * into it, IMAP and POP3 read it. Sessions subscribe to a mailbox to hear of changes
 * (IDLE, RFC 2177). Deterministic when given a clock: fixtures depend on it.
 */

export interface StoredMessage {
  uid: number;
  flags: Set<string>;
  internalDate: Date;
  raw: Buffer;
}

export type MailboxListener = () => void;

export class Mailbox {
  name: string;
  readonly specialUse: string | null;
  readonly uidValidity: number;
  uidNext = 1;
  subscribed = true;
  messages: StoredMessage[] = [];
  readonly listeners = new Set<MailboxListener>();

  constructor(name: string, uidValidity: number, specialUse: string | null = null) {
    this.name = name;
    this.uidValidity = uidValidity;
    this.specialUse = specialUse;
  }

  /** Adds a message and tells every listener; returns its UID. */
  append(raw: Buffer, flags: Iterable<string>, internalDate: Date): number {
    const uid = this.uidNext++;
    this.messages.push({ uid, flags: new Set(flags), internalDate, raw });
    this.changed();
    return uid;
  }

  /** Removes the messages with these UIDs. */
  remove(uids: Set<number>): void {
    if (uids.size === 0) return;
    this.messages = this.messages.filter((m) => !uids.has(m.uid));
    this.changed();
  }

  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  byUid(uid: number): StoredMessage | undefined {
    return this.messages.find((m) => m.uid === uid);
  }
}

export interface StoreOptions {
  /** UIDVALIDITY of new mailboxes (default 1, then counting up per mailbox created). */
  uidValidity?: number;
  /** The clock for INTERNALDATE (default: the real time). */
  now?: () => Date;
}

/** The default mailboxes of every user, with their special-use attributes (RFC 6154 §2). */
const DEFAULT_MAILBOXES: [string, string | null][] = [
  ['INBOX', null],
  ['Drafts', '\\Drafts'],
  ['Sent', '\\Sent'],
  ['Trash', '\\Trash'],
];

export class MailStore {
  readonly #users = new Map<string, Map<string, Mailbox>>();
  #nextValidity: number;
  readonly now: () => Date;

  constructor(options: StoreOptions = {}) {
    this.#nextValidity = options.uidValidity ?? 1;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates a user's default mailboxes (idempotent). Users are case-insensitive. */
  addUser(user: string): void {
    const key = user.toLowerCase();
    if (this.#users.has(key)) return;
    const boxes = new Map<string, Mailbox>();
    for (const [name, use] of DEFAULT_MAILBOXES) boxes.set(name, new Mailbox(name, this.#nextValidity++, use));
    this.#users.set(key, boxes);
  }

  hasUser(user: string): boolean {
    return this.#users.has(user.toLowerCase());
  }

  /** A user's mailboxes by name; INBOX is matched case-insensitively (RFC 9051 §5.1). */
  mailboxes(user: string): Map<string, Mailbox> {
    const boxes = this.#users.get(user.toLowerCase());
    if (!boxes) throw new Error(`no such user ${user}`);
    return boxes;
  }

  find(user: string, name: string): Mailbox | undefined {
    return this.mailboxes(user).get(name.toUpperCase() === 'INBOX' ? 'INBOX' : name);
  }

  create(user: string, name: string): Mailbox | null {
    const boxes = this.mailboxes(user);
    if (this.find(user, name)) return null;
    const box = new Mailbox(name, this.#nextValidity++);
    boxes.set(name, box);
    return box;
  }

  delete(user: string, name: string): boolean {
    if (name.toUpperCase() === 'INBOX') return false;
    return this.mailboxes(user).delete(name);
  }

  rename(user: string, from: string, to: string): boolean {
    const boxes = this.mailboxes(user);
    const box = this.find(user, from);
    if (!box || this.find(user, to) || from.toUpperCase() === 'INBOX') return false;
    boxes.delete(box.name);
    box.name = to;
    boxes.set(to, box);
    return true;
  }

  /** Delivers a message to a local user's INBOX; false when the user is not local. */
  deliver(user: string, raw: Buffer): boolean {
    if (!this.hasUser(user)) return false;
    this.find(user, 'INBOX')!.append(raw, [], this.now());
    return true;
  }
}
