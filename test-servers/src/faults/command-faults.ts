/**
 * CommandFaults holds the protocol-level faults every protocol session checks before
 * each command, and mid-session token expiry: `garbage` once after the greeting, then a
 * goodbye when the session's token was expired (UserTable.expireToken), or once when
 * `byeMidCommand` is set and the session is authenticated. Each protocol says its own
 * goodbye and decides how the connection ends.
 */
import type { ServerContext } from '../server-context.js';
import type { Connection } from '../net/connection.js';

export class CommandFaults {
  readonly #conn: Connection;
  readonly #ctx: ServerContext;
  #garbageSent = false;
  #byeSent = false;

  constructor(conn: Connection, ctx: ServerContext) {
    this.#conn = conn;
    this.#ctx = ctx;
  }

  /**
   * Writes the garbage fault if it is due, then says which goodbye the session owes
   * instead of its reply: 'token-expired', 'bye' (byeMidCommand, once), or null for none.
   */
  async beforeCommand(token: string | null, authenticated: boolean): Promise<'token-expired' | 'bye' | null> {
    const f = this.#ctx.faults;
    if (f.garbage !== undefined && !this.#garbageSent) {
      this.#garbageSent = true;
      await this.#conn.write(f.garbage);
    }
    if (token !== null && this.#ctx.users.isRevoked(token)) return 'token-expired';
    if (f.byeMidCommand && authenticated && !this.#byeSent) {
      this.#byeSent = true;
      return 'bye';
    }
    return null;
  }
}
