/**
 * The ImapSession serves one IMAP client (RFC 9051) against the mail store, in the words
 * of a personality.
 *
 * Theory of operation. A loop reads whole commands (CommandReader: lines and literals)
 * and dispatches on the command name to a handler, by state: not authenticated
 * (CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, AUTHENTICATE, LOGIN), authenticated (+ SELECT,
 * EXAMINE, LIST, LSUB, STATUS, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, APPEND,
 * NAMESPACE, ENABLE, IDLE) and selected (+ FETCH, SEARCH, STORE, COPY, MOVE, EXPUNGE,
 * CLOSE, UNSELECT, CHECK and their UID forms). A selected session keeps `view`, the UIDs
 * the client knows by sequence number; before each tagged reply (and during IDLE, on
 * every store change) `sync()` reports the difference as EXPUNGE and EXISTS. A command
 * that cannot be parsed gets BAD; nothing a client sends ends the loop except LOGOUT,
 * the end of the stream, or a limit (BYE). Faults: garbage, byeMidCommand,
 * oversizedLiteral (fetch.ts); a token expired mid-session ends it with BYE.
 */
import { CommandFaults } from '../faults/command-faults.js';
import type { Connection } from '../net/connection.js';
import { authAllowed, type ServerContext } from '../server-context.js';
import type { Mailbox } from '../store/mail-store.js';
import { readCommand } from './command-reader.js';
import { ImapSyntaxError, tokenize, type Token } from './tokenizer.js';
import { HANDLERS } from './handlers.js';

export type ImapState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export class ImapSession {
  readonly conn: Connection;
  readonly ctx: ServerContext;
  state: ImapState = 'not-authenticated';
  user: string | null = null;
  /** The token this session authenticated with, if any (for mid-session expiry). */
  token: string | null = null;
  mailbox: Mailbox | null = null;
  readOnly = false;
  /** UIDs the client knows, by sequence number - 1. */
  view: number[] = [];
  oversizedSent = false;
  readonly #onChange = () => void this.onMailboxChange?.();
  onMailboxChange: (() => void) | null = null;

  readonly #faults: CommandFaults;

  constructor(conn: Connection, ctx: ServerContext) {
    this.conn = conn;
    this.ctx = ctx;
    this.#faults = new CommandFaults(conn, ctx);
  }

  get texts() {
    return this.ctx.personality.imap;
  }

  /** The capability list for the current state and connection security. */
  capabilities(): string[] {
    const p = this.ctx.personality;
    if (this.state !== 'not-authenticated') return p.imap.authenticatedCapabilities;
    const mayAuth = authAllowed(this.ctx, this.conn);
    return p.imap.capabilities.flatMap((c) => {
      if (c === '{STARTTLS}') return this.conn.secure ? [] : ['STARTTLS'];
      if (c === '{AUTH}') return mayAuth ? p.mechanisms.map((m) => `AUTH=${m}`) : ['LOGINDISABLED'];
      return [c];
    });
  }

  /** Writes lines, each with CRLF appended. */
  send(...lines: string[]): Promise<void> {
    return this.conn.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  ok(tag: string, command: string, code?: string): Promise<void> {
    return this.send(`${tag} OK ${code ? `[${code}] ` : ''}${this.texts.ok(command.replace(/^UID /, ''))}`);
  }

  async run(): Promise<void> {
    const caps = this.capabilities().join(' ');
    await this.send(`* OK ${this.texts.greeting(caps)}`);
    const limits = this.ctx.limits;
    while (this.state !== 'logout' && !this.conn.ended) {
      const cmd = await readCommand(this.conn, { maxLineBytes: limits.maxLineBytes, maxLiteralBytes: limits.maxLiteralBytes });
      if (cmd.kind === 'closed') return;
      if (cmd.kind === 'fatal') return this.conn.write(cmd.reply);
      if (cmd.kind === 'error') {
        await this.conn.write(cmd.reply);
        continue;
      }
      if (await this.#faultsBefore()) return;
      let tokens: Token[];
      try {
        tokens = tokenize(cmd.text, cmd.literals);
      } catch (e) {
        await this.send(`${cmd.tag} BAD ${this.texts.bad(e instanceof ImapSyntaxError ? e.message : 'syntax error')}`);
        continue;
      }
      const name = tokens[1]?.t === 'atom' ? tokens[1].v.toUpperCase() : '';
      if (tokens[0]?.t !== 'atom' || cmd.tag === '*' || cmd.tag === '+' || !/^[\x21-\x7e]+$/.test(cmd.tag) || name === '') {
        await this.send(`${cmd.tag || '*'} BAD ${this.texts.bad('missing tag or command')}`);
        continue;
      }
      const handler = HANDLERS[name];
      if (!handler || !handler.states.includes(this.state)) {
        await this.send(`${cmd.tag} BAD ${this.texts.bad(handler ? `${name}: not valid in this state` : `${name}: Unknown command.`)}`);
        continue;
      }
      await handler.run(this, cmd.tag, tokens.slice(2), name);
    }
  }

  /** Faults and token expiry, checked before each command; true when the session ended. */
  async #faultsBefore(): Promise<boolean> {
    const fault = await this.#faults.beforeCommand(this.token, this.state !== 'not-authenticated');
    if (fault === 'token-expired') {
      await this.send(`* BYE ${this.texts.tokenExpiredBye}`);
      this.state = 'logout';
      return true;
    }
    if (fault === 'bye') {
      await this.send('* BYE Server shutting down.');
      this.conn.destroy();
      return true;
    }
    return false;
  }

  /** Selects a mailbox (or none) and listens to its changes. */
  select(box: Mailbox | null, readOnly: boolean): void {
    this.mailbox?.listeners.delete(this.#onChange);
    this.mailbox = box;
    this.readOnly = readOnly;
    this.view = box ? box.messages.map((m) => m.uid) : [];
    box?.listeners.add(this.#onChange);
    this.state = box ? 'selected' : 'authenticated';
  }

  /** Reports expunged and new messages since the client's view (RFC 9051 §7.4.1, §7.3.1). */
  async sync(): Promise<void> {
    const box = this.mailbox;
    if (!box) return;
    const present = new Set(box.messages.map((m) => m.uid));
    const lines: string[] = [];
    for (let i = 0; i < this.view.length; ) {
      if (present.has(this.view[i]!)) i++;
      else {
        lines.push(`* ${i + 1} EXPUNGE`);
        this.view.splice(i, 1);
      }
    }
    const known = new Set(this.view);
    const added = box.messages.filter((m) => !known.has(m.uid)).map((m) => m.uid);
    if (added.length > 0) {
      this.view.push(...added);
      lines.push(`* ${this.view.length} EXISTS`);
    }
    if (lines.length > 0) await this.send(...lines);
  }

  /** Messages of the view that still exist, as [seq, message]. */
  visible(): { seq: number; msg: import('../store/mail-store.js').StoredMessage }[] {
    const box = this.mailbox;
    if (!box) return [];
    return this.view.flatMap((uid, i) => {
      const msg = box.byUid(uid);
      return msg ? [{ seq: i + 1, msg }] : [];
    });
  }

  /** Called when the connection ends. */
  end(): void {
    this.select(null, false);
  }
}
