/**
 * IMAP checks of the session around the commands: an 8,192-octet line (RFC 7162 §4),
 * CAPABILITY after STARTTLS and STARTTLS refused over TLS (RFC 9051 §6.2.1), and with a
 * token CAPABILITY after login, AUTHENTICATE in two steps (§6.2.2) and with the initial
 * response on its line (RFC 4959 §3); and `probe --fingerprint`'s longest-line probe.
 */
import type { BehaviourCheck } from './behaviour.js';
import type { ConnectContext } from './context.js';
import { idOfLength, listOfLength, statusOf, tagged } from './imap-check-commands.js';
import { has, loggable, replyTo, said, withSession } from './imap-check-session.js';
import type { LineProbe } from './longest-line.js';
import { saslResponse, SetupFailed } from './open-for-checks.js';

/** RFC 7162 §4: a server SHOULD take command lines of at least 8,192 octets. */
export const IMAP_COMMAND_LINE = 8192;

export const lineLength: BehaviourCheck = {
  id: 'line-length',
  rfc: 'RFC 7162 §4',
  async run(ctx, verdict) {
    const login = loggable(ctx);
    await withSession(ctx, login, async (o) => {
      const t = o.tag();
      const line = has(o.capabilities, 'ID') ? idOfLength(t, IMAP_COMMAND_LINE)! : login ? listOfLength(t, IMAP_COMMAND_LINE) : undefined;
      if (line === undefined) return verdict('not run', 'the server does not offer ID, the one command before login that takes a long argument: give --user and a token to send a long LIST after login');
      const command = line.split(' ')[1];
      await o.conn.send(line);
      const last = (await replyTo(o.conn, t)).at(-1);
      const where = `${command} ${login ? 'after' : 'before'} login`;
      if (last !== undefined && tagged(t)(last) && ['OK', 'NO'].includes(statusOf(last))) verdict('pass', `an ${IMAP_COMMAND_LINE.toLocaleString('en-US')}-octet command line (${where}) was read whole and answered ${statusOf(last)}`);
      else verdict('fail', `an ${IMAP_COMMAND_LINE.toLocaleString('en-US')}-octet command line (${where}; servers SHOULD take 8,192) got ${said(last)}`);
    });
  },
};

export const capabilityAfterStarttls: BehaviourCheck = {
  id: 'capability-after-starttls',
  rfc: 'RFC 9051 §6.2.1',
  async run(ctx, verdict) {
    if (ctx.endpoint.security !== 'starttls') return verdict('not offered', ctx.endpoint.security === 'tls' ? 'implicit TLS: no STARTTLS on this port' : '--plaintext: STARTTLS not used');
    await withSession(ctx, false, async ({ capabilities }) => {
      const version = capabilities.some((c) => /^IMAP4REV[12]$/i.test(c));
      if (!version) verdict('fail', `CAPABILITY over TLS must list IMAP4rev1 or IMAP4rev2; it listed ${JSON.stringify(capabilities.join(' '))}`);
      else if (has(capabilities, 'STARTTLS')) verdict('fail', 'after STARTTLS the capabilities still list STARTTLS (the server SHOULD NOT advertise it once TLS is up)');
      else verdict('pass', `re-read over TLS, without STARTTLS: ${capabilities.join(' ')}`);
    });
  },
};

export const starttlsOverTls: BehaviourCheck = {
  id: 'starttls-over-tls',
  rfc: 'RFC 9051 §6.2.1',
  async run(ctx, verdict) {
    if (ctx.endpoint.security === 'none') return verdict('not run', '--plaintext: the connection has no TLS');
    await withSession(ctx, false, async (o) => {
      const t = o.tag();
      await o.conn.send(`${t} STARTTLS\r\n`);
      const last = (await replyTo(o.conn, t)).at(-1);
      const state = ctx.endpoint.security === 'tls' ? 'on the implicit TLS port' : 'after a successful STARTTLS';
      if (last !== undefined && tagged(t)(last) && statusOf(last) === 'BAD') verdict('pass', `STARTTLS ${state} gets a tagged BAD (${said(last)})`);
      else verdict('fail', `STARTTLS ${state} must get a tagged BAD; got ${said(last)}`);
    });
  },
};

export const capabilityAfterLogin: BehaviourCheck = {
  id: 'capability-after-login',
  rfc: 'RFC 9051 §6.2.2',
  needs: 'login',
  async run(ctx, verdict) {
    await withSession(ctx, true, async ({ capabilities, loginLines }) => {
      const version = capabilities.some((c) => /^IMAP4REV[12]$/i.test(c));
      if (!version) return verdict('fail', `CAPABILITY after login must list IMAP4rev1 or IMAP4rev2 (RFC 9051 §6.1.1); it listed ${JSON.stringify(capabilities.join(' '))}`);
      if (has(capabilities, 'STARTTLS')) return verdict('fail', 'after login over TLS the capabilities still list STARTTLS (the server SHOULD NOT advertise it once TLS is up, RFC 9051 §6.2.1; STARTTLS is not valid after login either)');
      // RFC 9051 §7.1: a CAPABILITY code (or untagged CAPABILITY) with the login's OK stands in for the command, so it must say the same.
      const sent = (loginLines ?? []).map((l) => /^\* CAPABILITY (.*)$/i.exec(l)?.[1] ?? /^\S+ OK \[CAPABILITY ([^\]]*)\]/i.exec(l)?.[1]).filter((c) => c !== undefined).at(-1);
      const norm = (list: readonly string[]) => [...new Set(list.map((c) => c.toUpperCase()))].sort().join(' ');
      if (sent !== undefined && norm(sent.split(' ').filter(Boolean)) !== norm(capabilities)) {
        return verdict('fail', `the capabilities sent with the login's OK (${sent}) differ from what CAPABILITY lists right after (${capabilities.join(' ')})`);
      }
      const before = new Set(ctx.capabilities.map((c) => c.toUpperCase()));
      const after = new Set(capabilities.map((c) => c.toUpperCase()));
      const added = capabilities.filter((c) => !before.has(c.toUpperCase()));
      const dropped = ctx.capabilities.filter((c) => !after.has(c.toUpperCase()));
      const change = added.length + dropped.length === 0 ? 'the same as before login' : `changed (${[...added.map((c) => `+${c}`), ...dropped.map((c) => `-${c}`)].join(' ')}; the server MAY)`;
      verdict('pass', `answered after login${sent !== undefined ? ', matching the list sent with the login\'s OK' : ''}: ${change}`);
    });
  },
};

export const twoStep: BehaviourCheck = {
  id: 'sasl-two-step',
  rfc: 'RFC 9051 §6.2.2',
  needs: 'login',
  async run(ctx, verdict) {
    try {
      await withSession(ctx, true, async () => undefined);
    } catch (error) {
      if (!(error instanceof SetupFailed) || !error.step.startsWith('AUTHENTICATE')) throw error;
      return verdict('fail', `AUTHENTICATE ${ctx.mechanism} without an initial response, the response after the "+" (which servers MUST support): ${error.message}`);
    }
    verdict('pass', `AUTHENTICATE ${ctx.mechanism} without an initial response: "+", the response on its own line, OK`);
  },
};

export const saslIrOneLine: BehaviourCheck = {
  id: 'sasl-ir-one-line',
  rfc: 'RFC 4959 §3',
  needs: 'login',
  async run(ctx, verdict) {
    // Made first: without TLS it throws, and no connection is opened.
    const response = saslResponse(ctx);
    await withSession(ctx, false, async (o) => {
      if (!has(o.capabilities, 'SASL-IR')) return verdict('not offered', 'SASL-IR is not offered: the initial response waits for the "+"');
      const t = o.tag();
      const line = `${t} AUTHENTICATE ${ctx.mechanism} ${response}\r\n`;
      await o.conn.send(line, { secret: true });
      const first = await o.conn.until((l) => tagged(t)(l) || l.startsWith('+'));
      const last = first?.at(-1);
      if (last !== undefined && last.startsWith('+')) {
        // An empty "+" asks again for what the line carried; a "+ <data>" is the error challenge of a refused token.
        await o.conn.send(ctx.mechanism.toUpperCase() === 'OAUTHBEARER' ? 'AQ==\r\n' : '\r\n');
        const end = (await replyTo(o.conn, t)).at(-1);
        return verdict('fail', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets) got ${said(last)} instead of the outcome, then ${said(end)}`);
      }
      if (last !== undefined && statusOf(last) === 'OK') verdict('pass', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets): OK, no "+"`);
      else verdict('fail', `AUTHENTICATE ${ctx.mechanism} with the initial response on its line (${line.length} octets; SASL-IR is offered) got ${said(last)}`);
    });
  },
};

/** Whether a command line of exactly `octets` octets is read whole and answered OK/NO with its tag (logged in: LIST, any length). */
async function lineAccepted(ctx: ConnectContext, octets: number): Promise<boolean> {
  if (!loggable(ctx)) return false;
  try {
    return await withSession(ctx, true, async (o) => {
      const t = o.tag();
      await o.conn.send(listOfLength(t, octets));
      const last = (await replyTo(o.conn, t)).at(-1);
      return last !== undefined && tagged(t)(last) && ['OK', 'NO'].includes(statusOf(last));
    });
  } catch {
    return false;
  }
}

/** How `probe --fingerprint` measures the longest IMAP command line the server takes (after login, with LIST). */
export const IMAP_LINE_PROBE: LineProbe = { floor: IMAP_COMMAND_LINE, needsLogin: true, accepts: lineAccepted };
