/** What the IMAP behaviour checks share: a session opened for one check and closed after it, a command's reply, and how a line is quoted in a detail. */
import type { CheckConnection } from './check-connection.js';
import type { ConnectContext } from './context.js';
import { statusOf, tagged } from './imap-check-commands.js';
import type { OpenedForChecks } from './open-for-checks.js';
export { withSession } from './open-for-checks.js';

export const has = (caps: readonly string[], name: string) => caps.some((c) => c.toUpperCase() === name);
/** With a token, over TLS, an OAuth mechanism on offer: a check that can go either way logs in (never without TLS). */
export const loggable = (ctx: ConnectContext & { oauthOffered?: boolean }) => ctx.user !== undefined && ctx.token !== undefined && ctx.endpoint.security !== 'none' && ctx.oauthOffered !== false;
export const said = (line: string | null | undefined) => (line === null || line === undefined ? 'the connection closed' : JSON.stringify(line.slice(0, 200)));

/** Lines up to the tagged reply of `tag`; the last is that reply, or the list ends early where the connection closed. */
export async function replyTo(conn: CheckConnection, tag: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const line = await conn.line();
    if (line === null) return got;
    got.push(line);
    if (tagged(tag)(line)) return got;
  }
}

/** Sends a NOOP and says whether it was answered OK: the connection still reads commands. */
export async function stillAnswers(o: OpenedForChecks): Promise<boolean> {
  const t = o.tag();
  await o.conn.send(`${t} NOOP\r\n`);
  return statusOf((await replyTo(o.conn, t)).at(-1)) === 'OK';
}
