/**
 * Issue 11, item 3 — credentials never leak: every auth form of every protocol runs with
 * the transcript on, once with the right secret and once with a wrong one, and neither the
 * transcript nor any error (message, serverText, command, hint, JSON) holds the secret, its
 * base64 (at every alignment), or the base64 of a SASL response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServers, type TestServers } from '@mailwire/test-servers';

import { makeClient, type Protocol } from './clients.js';

const USER = 'alice@contoso.com';
const PASSWORD = 'Pw-7hUNTER2-secret';
const TOKEN = 'ya29.TOKEN-q8Zr-secret';
const WRONG_PASSWORD = 'Pw-WRONG-0ther-secret';
const WRONG_TOKEN = 'ya29.WRONG-tok-secret';

/** The secret and every way it could be encoded into a line. */
function needles(secret: string): string[] {
  const out = [secret, Buffer.from(secret).toString('hex')];
  // base64 at each of the three alignments a secret can have inside a longer base64 string.
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.from('\0'.repeat(k) + secret).toString('base64');
    out.push(b64.slice(Math.ceil((k * 4) / 3) + 1, -4));
  }
  return out;
}

/** The SASL responses the client sends (where they do not depend on a challenge), base64. */
function saslResponses(user: string, password: string, token: string): string[] {
  const b = (s: string) => Buffer.from(s).toString('base64');
  return [
    b(`\0${user}\0${password}`),
    b(`user=${user}\x01auth=Bearer ${token}\x01\x01`),
    b(`n,a=${user},\x01auth=Bearer ${token}\x01\x01`),
    b(password),
  ];
}

interface Form {
  protocol: Protocol;
  name: string;
  mechanism: string;
  token: boolean;
  initialResponse?: 'always' | 'never';
  personality?: 'dovecot' | 'gmail';
}

const SASL: Record<Protocol, string[]> = {
  imap: ['XOAUTH2', 'OAUTHBEARER', 'PLAIN', 'SCRAM-SHA-256', 'CRAM-MD5', 'LOGIN'],
  pop3: ['XOAUTH2', 'OAUTHBEARER', 'PLAIN', 'SCRAM-SHA-256', 'CRAM-MD5', 'LOGIN'],
  smtp: ['XOAUTH2', 'OAUTHBEARER', 'PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'],
};
const isToken = (m: string) => m === 'XOAUTH2' || m === 'OAUTHBEARER';

const FORMS: Form[] = [];
for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
  for (const mechanism of SASL[protocol]) {
    for (const initialResponse of ['always', 'never'] as const) FORMS.push({ protocol, name: `AUTH ${mechanism} (${initialResponse === 'always' ? 'one-line' : 'two-step'})`, mechanism, token: isToken(mechanism), initialResponse });
  }
}
// The LOGIN command of IMAP (the gmail personality offers no AUTH=LOGIN) and POP3's USER/PASS.
FORMS.push({ protocol: 'imap', name: 'LOGIN command', mechanism: 'LOGIN', token: false, personality: 'gmail' });
FORMS.push({ protocol: 'pop3', name: 'USER/PASS', mechanism: 'USER', token: false });

const servers: Partial<Record<'dovecot' | 'gmail', TestServers>> = {};
beforeAll(async () => {
  const users = [{ user: USER, tokens: [TOKEN], password: PASSWORD }];
  servers.dovecot = await startTestServers({ users, mechanisms: ['PLAIN', 'LOGIN', 'XOAUTH2', 'OAUTHBEARER', 'SCRAM-SHA-256', 'CRAM-MD5'] });
  servers.gmail = await startTestServers({ users, personality: 'gmail' });
});
afterAll(async () => {
  await servers.dovecot?.stop();
  await servers.gmail?.stop();
});

/** Everything a person or a log could see of one run. */
function visible(err: unknown): string[] {
  if (err === undefined) return [];
  const e = err as Record<string, unknown>;
  const cause = e.cause as Record<string, unknown> | undefined;
  return [String(e.message), String(e.serverText), String(e.command), String(e.hint), String(e.stack), JSON.stringify(err), String(cause?.message), JSON.stringify(cause ?? null)];
}

describe('no secret in any transcript or error, for every auth form', () => {
  const seen: string[] = [];
  let runs = 0;

  it.each(FORMS)('$protocol $name: right and wrong secret', async (form) => {
    const s = servers[form.personality ?? 'dovecot']!;
    for (const right of [true, false]) {
      const lines: string[] = [];
      const secret = form.token ? (right ? TOKEN : WRONG_TOKEN) : right ? PASSWORD : WRONG_PASSWORD;
      const client = makeClient(form.protocol, {
        host: s.host,
        port: s[form.protocol].tlsPort,
        security: 'tls',
        tls: { ca: s.ca },
        auth: { user: USER, mechanism: form.mechanism, ...(form.token ? { accessToken: secret } : { password: secret }), ...(form.initialResponse ? { initialResponse: form.initialResponse } : {}) },
        transcript: (e) => lines.push(`${e.dir} ${e.line}`),
      });
      const err = await client.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      client.close();
      if (right) expect(err, `${form.name} must log in with the right secret`).toBeUndefined();
      else expect(err, `${form.name} must fail with a wrong secret`).toMatchObject({ code: 'EAUTH' });
      // The exchange was there to be redacted: the client spoke after the greeting.
      const used = form.name === 'LOGIN command' ? /^C \S+ LOGIN / : form.mechanism === 'USER' ? /^C USER / : new RegExp(`^C (\\S+ AUTHENTICATE|AUTH) ${form.mechanism}\\b`);
      expect(lines.some((l) => used.test(l)), `${form.name} was the form used`).toBe(true);
      seen.push(...lines, ...visible(err));
      runs++;
    }
  });

  it('the collected output holds none of the secrets or SASL responses', () => {
    expect(runs).toBe(FORMS.length * 2);
    const text = seen.join('\n');
    const all = [PASSWORD, TOKEN, WRONG_PASSWORD, WRONG_TOKEN].flatMap(needles);
    all.push(...saslResponses(USER, PASSWORD, TOKEN), ...saslResponses(USER, WRONG_PASSWORD, WRONG_TOKEN));
    for (const needle of all) expect(text.includes(needle), `found ${JSON.stringify(needle)}`).toBe(false);
  });
});
