/**
 * The Pop3Session serves one POP3 client (RFC 1939) against the user's INBOX, in the
 * words of a personality: CAPA (RFC 2449), STLS (RFC 2595), USER/PASS, AUTH with SASL
 * (RFC 5034) through packages/sasl, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT.
 *
 * Theory of operation. AUTHORIZATION reads commands until USER/PASS or AUTH succeeds;
 * TRANSACTION works on a snapshot of INBOX taken then (message numbers stay stable,
 * RFC 1939 §5), marking deletions; QUIT enters UPDATE and only then removes the marked
 * messages from the store. A connection that ends any other way deletes nothing. Bodies
 * go out dot-stuffed (packages/wire dotStuff). Garbage, byeMidCommand and mid-session
 * token expiry are the faults acted on here.
 */
import { SASL_MECHANISMS } from '@mailwire/sasl';
import { dotStuff } from '@mailwire/wire';
import { CommandFaults } from '../faults/command-faults.js';
import type { Connection } from '../net/connection.js';
import { runSaslExchange } from '../sasl-driver.js';
import { authAllowed, type ServerContext } from '../server-context.js';
import type { StoredMessage } from '../store/mail-store.js';

const MAX_POP3_LINE = 8192;

export class Pop3Session {
  readonly #conn: Connection;
  readonly #ctx: ServerContext;
  #state: 'authorization' | 'transaction' | 'update' = 'authorization';
  #user: string | null = null;
  #pendingUser: string | null = null;
  #token: string | null = null;
  #messages: StoredMessage[] = [];
  #deleted = new Set<number>();
  readonly #faults: CommandFaults;

  constructor(conn: Connection, ctx: ServerContext) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#faults = new CommandFaults(conn, ctx);
  }

  get #t() {
    return this.#ctx.personality.pop3;
  }

  #send(...lines: string[]): Promise<void> {
    return this.#conn.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  #ok(text: string): Promise<void> {
    return this.#send(text ? `+OK ${text}` : '+OK');
  }

  #err(text: string): Promise<void> {
    return this.#send(`-ERR ${text}`);
  }

  async run(): Promise<void> {
    await this.#ok(this.#t.greeting);
    while (this.#state !== 'update' && !this.#conn.ended) {
      const raw = await this.#conn.readLine(MAX_POP3_LINE);
      if (raw === null) return;
      if (raw === 'too-long') {
        await this.#err('Line too long.');
        continue;
      }
      if (await this.#faultsBefore()) return;
      const line = raw.toString('latin1');
      const [verb = '', ...args] = line.split(' ');
      await this.#dispatch(verb.toUpperCase(), args);
    }
  }

  /** Faults and token expiry before a command; true when the session ended. */
  async #faultsBefore(): Promise<boolean> {
    const fault = await this.#faults.beforeCommand(this.#token, this.#state === 'transaction');
    if (fault === null) return false;
    await this.#err(fault === 'token-expired' ? this.#t.tokenExpired : '[SYS/TEMP] Server shutting down.');
    this.#conn.destroy();
    return true;
  }

  async #dispatch(verb: string, args: string[]): Promise<void> {
    const inAuth = this.#state === 'authorization';
    switch (verb) {
      case 'CAPA': return this.#capa();
      case 'NOOP': return inAuth ? this.#err(this.#t.wrongState) : this.#ok('');
      case 'QUIT': return this.#quit();
      case 'STLS':
        if (!inAuth || this.#conn.secure) return this.#err(this.#t.wrongState);
        await this.#conn.startTls(`+OK ${this.#t.stls}\r\n`, this.#ctx.tls);
        return;
      case 'USER':
        if (!inAuth) return this.#err(this.#t.wrongState);
        if (!authAllowed(this.#ctx, this.#conn)) return this.#err(this.#t.passFailed);
        this.#pendingUser = args.join(' ');
        return this.#ok(this.#t.userOk);
      case 'PASS': return inAuth ? this.#pass(args.join(' ')) : this.#err(this.#t.wrongState);
      case 'AUTH': return inAuth ? this.#auth(args) : this.#err(this.#t.wrongState);
    }
    if (inAuth) return this.#err(this.#t.unknown);
    switch (verb) {
      case 'STAT': {
        const live = this.#live();
        return this.#ok(`${live.length} ${live.reduce((n, [, m]) => n + m.raw.length, 0)}`);
      }
      case 'LIST': return this.#listing(args[0], (n, m) => `${n} ${m.raw.length}`);
      case 'UIDL': return this.#listing(args[0], (n, m) => `${n} ${m.uid}`);
      case 'RETR': return this.#retr(args[0], null);
      case 'TOP': return this.#retr(args[0], args[1] ?? null);
      case 'DELE': {
        const n = this.#number(args[0]);
        if (n === null) return this.#err(this.#t.noSuchMessage);
        this.#deleted.add(n);
        return this.#ok('Marked to be deleted.');
      }
      case 'RSET':
        this.#deleted.clear();
        return this.#ok('');
      default: return this.#err(this.#t.unknown);
    }
  }

  async #capa(): Promise<void> {
    const lines = [...this.#t.capa];
    if (!this.#conn.secure && this.#state === 'authorization') lines.push('STLS');
    lines.push('USER');
    if (authAllowed(this.#ctx, this.#conn)) lines.push(`SASL ${this.#ctx.personality.mechanisms.join(' ')}`);
    await this.#ok(this.#t.capaOk);
    await this.#send(...lines, '.');
  }

  async #pass(password: string): Promise<void> {
    const u = this.#pendingUser === null ? undefined : this.#ctx.users.withPassword(this.#pendingUser, password);
    this.#pendingUser = null;
    if (!authAllowed(this.#ctx, this.#conn) || !u) return this.#err(this.#t.passFailed);
    return this.#loggedIn(u.user, this.#t.passOk);
  }

  async #auth(args: string[]): Promise<void> {
    const mech = (args[0] ?? '').toUpperCase();
    if (!authAllowed(this.#ctx, this.#conn) || !SASL_MECHANISMS.includes(mech) || args.length > 2) return this.#err(this.#t.authFailed);
    const outcome = await runSaslExchange(this.#conn, this.#ctx, mech, args[1], { challenge: (b64) => `+ ${b64}\r\n`, maxLineBytes: MAX_POP3_LINE });
    if (outcome.kind === 'closed') return;
    if (outcome.kind === 'cancel') return this.#err(this.#t.authAborted);
    if (outcome.kind === 'failure') return this.#err(this.#t.authFailed);
    this.#token = outcome.token;
    return this.#loggedIn(outcome.user, this.#t.authOk);
  }

  async #loggedIn(user: string, text: string): Promise<void> {
    this.#user = this.#ctx.users.get(user)?.user ?? user;
    this.#ctx.store.addUser(this.#user);
    this.#messages = [...this.#ctx.store.find(this.#user, 'INBOX')!.messages];
    this.#state = 'transaction';
    await this.#ok(text);
  }

  /** [message number, message] of the messages not marked deleted. */
  #live(): [number, StoredMessage][] {
    return this.#messages.flatMap((m, i) => (this.#deleted.has(i + 1) ? [] : [[i + 1, m] as [number, StoredMessage]]));
  }

  #number(arg: string | undefined): number | null {
    if (arg === undefined || !/^\d{1,9}$/.test(arg)) return null;
    const n = Number(arg);
    return n >= 1 && n <= this.#messages.length && !this.#deleted.has(n) ? n : null;
  }

  async #listing(arg: string | undefined, line: (n: number, m: StoredMessage) => string): Promise<void> {
    if (arg !== undefined) {
      const n = this.#number(arg);
      return n === null ? this.#err(this.#t.noSuchMessage) : this.#ok(line(n, this.#messages[n - 1]!));
    }
    await this.#ok('');
    await this.#send(...this.#live().map(([n, m]) => line(n, m)), '.');
  }

  async #retr(arg: string | undefined, lines: string | null): Promise<void> {
    const n = this.#number(arg);
    if (n === null || (lines !== null && !/^\d{1,9}$/.test(lines))) return this.#err(this.#t.noSuchMessage);
    const msg = this.#messages[n - 1]!;
    let body = msg.raw;
    if (lines !== null) {
      const split = body.indexOf('\r\n\r\n');
      const headerEnd = split < 0 ? body.length : split + 4;
      let end = headerEnd;
      for (let k = 0; k < Number(lines) && end < body.length; k++) {
        const lf = body.indexOf(0x0a, end);
        end = lf < 0 ? body.length : lf + 1;
      }
      body = body.subarray(0, end);
    }
    await this.#conn.write(Buffer.concat([Buffer.from(lines === null ? `+OK ${msg.raw.length} octets\r\n` : '+OK\r\n'), dotStuff(body)]));
  }

  async #quit(): Promise<void> {
    if (this.#state === 'transaction') {
      const box = this.#ctx.store.find(this.#user!, 'INBOX')!;
      box.remove(new Set([...this.#deleted].map((n) => this.#messages[n - 1]!.uid)));
    }
    this.#state = 'update';
    await this.#ok(this.#t.quit);
  }
}
