/**
 * SMTP behaviour checks: what the server does with commands a client may send, tested on
 * the wire (not read from EHLO). Each check opens its own connection, so one that leaves
 * the server confused cannot spoil the next.
 */
import type { BehaviourCheck } from './behaviour.js';
import type { ConnectContext } from './context.js';
import type { LineProbe } from './longest-line.js';
import { openForChecks, smtpLast } from './open-for-checks.js';

/** RFC 5321 §4.5.3.1.4: a command line of 512 octets, CRLF included, must be accepted. */
export const SMTP_COMMAND_LINE = 512;

/** "NOOP xxx...\r\n", exactly `octets` long with its CRLF. */
export function noopOfLength(octets: number): string {
  return `NOOP ${'x'.repeat(octets - 'NOOP \r\n'.length)}\r\n`;
}

/** NOOP takes a string argument (RFC 5321 §4.1.1.9), so a 512-octet NOOP is a legal command the server must answer 250. */
const lineLength: BehaviourCheck = {
  id: 'line-length',
  rfc: 'RFC 5321 §4.5.3.1.4',
  async run(ctx, verdict) {
    const { conn } = await openForChecks(ctx);
    try {
      await conn.send(noopOfLength(SMTP_COMMAND_LINE));
      const last = (await conn.until(smtpLast))?.at(-1);
      if (last?.startsWith('250')) verdict('pass', `a ${SMTP_COMMAND_LINE}-octet command line is answered 250`);
      else verdict('fail', `a ${SMTP_COMMAND_LINE}-octet NOOP (the length servers must take) got ${last === undefined ? 'no reply: the connection closed' : JSON.stringify(last)}`);
    } finally {
      conn.close();
    }
  },
};

/** Whether a NOOP of exactly `octets` octets is answered 250 (any other reply, a close or a stall is no). */
async function noopAccepted(ctx: ConnectContext, octets: number): Promise<boolean> {
  const { conn } = await openForChecks(ctx);
  try {
    await conn.send(noopOfLength(octets));
    return (await conn.until(smtpLast))?.at(-1)?.startsWith('250') === true;
  } catch {
    return false;
  } finally {
    conn.close();
  }
}

export const SMTP_LINE_PROBE: LineProbe = { floor: SMTP_COMMAND_LINE, accepts: noopAccepted };

export const SMTP_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [lineLength];
