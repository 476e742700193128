/**
 * IMAP STARTTLS (RFC 9051 §6.2.1), AUTHENTICATE with SASL-IR (§6.2.2, RFC 4959) through
 * packages/sasl, and LOGIN (§6.2.3), answering in the personality's words. A failed
 * XOAUTH2/OAUTHBEARER sends the error challenge first (sasl-driver.ts).
 */
import { SASL_MECHANISMS } from '@mailwire/sasl';
import { runSaslExchange } from '../sasl-driver.js';
import { authAllowed } from '../server-context.js';
import { astring, atom } from './tokenizer.js';
import { NOT_AUTHED, type Handler } from './handler.js';
import type { ImapSession } from './session.js';

async function loggedIn(s: ImapSession, tag: string, user: string, text: string): Promise<void> {
  s.user = s.ctx.users.get(user)?.user ?? user;
  s.ctx.store.addUser(s.user);
  s.state = 'authenticated';
  const mode = s.texts.authCapability;
  const caps = s.capabilities().join(' ');
  if (mode === 'untagged') await s.send(`* CAPABILITY ${caps}`);
  await s.send(`${tag} OK ${mode === 'code' ? `[CAPABILITY ${caps}] ` : ''}${text}`);
}

export const authCommands: Record<string, Handler> = {
  STARTTLS: {
    states: NOT_AUTHED,
    async run(s, tag) {
      if (s.conn.secure) return s.send(`${tag} BAD ${s.texts.bad('TLS is already active.')}`);
      await s.conn.startTls(`${tag} OK ${s.texts.startTls}\r\n`, s.ctx.tls);
    },
  },
  AUTHENTICATE: {
    states: NOT_AUTHED,
    async run(s, tag, args) {
      const mech = atom(args[0]);
      if (mech === undefined || args.length > 2) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
      if (!authAllowed(s.ctx, s.conn)) return s.send(`${tag} NO ${s.texts.privacyRequired}`);
      if (!SASL_MECHANISMS.includes(mech)) return s.send(`${tag} NO ${s.texts.authFailed}`);
      const ir = args[1] === undefined ? undefined : astring(args[1]);
      const outcome = await runSaslExchange(s.conn, s.ctx, mech, ir, { challenge: (b64) => `+ ${b64}\r\n`, maxLineBytes: s.ctx.limits.maxLineBytes });
      if (outcome.kind === 'closed') return;
      if (outcome.kind === 'cancel') return s.send(`${tag} BAD ${s.texts.authAborted}`);
      if (outcome.kind === 'failure') return s.send(`${tag} NO ${s.texts.authFailed}`);
      s.token = outcome.token;
      await loggedIn(s, tag, outcome.user, s.texts.authOk(outcome.user, outcome.mechanism));
    },
  },
  LOGIN: {
    states: NOT_AUTHED,
    async run(s, tag, args) {
      const user = astring(args[0]);
      const password = astring(args[1]);
      if (user === undefined || password === undefined || args.length !== 2) return s.send(`${tag} BAD ${s.texts.bad('Invalid arguments.')}`);
      if (!authAllowed(s.ctx, s.conn)) return s.send(`${tag} NO ${s.texts.privacyRequired}`);
      const u = s.ctx.users.withPassword(user, password);
      if (!u) return s.send(`${tag} NO ${s.texts.loginFailed}`);
      await loggedIn(s, tag, u.user, s.texts.loginOk(u.user));
    },
  },
};
