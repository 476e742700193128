/**
 * Dovecot's recorded OAuth answers (fixtures/sasl/dovecot-*.txt, from the recipe's
 * recorded lines) replayed from both sides: SaslExchange must produce the C lines byte
 * for byte and raise the error Dovecot's words call for; the server verifiers must
 * produce Dovecot's error challenges byte for byte and fail or succeed where it did.
 */
import { AuthenticationError } from '@mailwire/errors';
import { describe, expect, it } from 'vitest';
import { createClientMechanism, createServerMechanism, encodeBase64, isTokenRejection, serverNextFromLine } from './index.js';
import type { SaslProtocol, SaslServerStep } from './index.js';
import { entryText, loadFixture, replayFixture } from './replay.test-util.js';

const PORTS: Record<SaslProtocol, number> = { imap: 10143, pop3: 10110, smtp: 10587 };
const cases = (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) =>
  (['xoauth2', 'oauthbearer'] as const).map((mech) => ({ protocol, mech, name: `dovecot-${protocol}-${mech}-rejected.txt` })),
);
const successes = [
  { protocol: 'imap', name: 'dovecot-imap-xoauth2-success.txt' },
  { protocol: 'smtp', name: 'dovecot-smtp-xoauth2-success.txt' },
] as const;

const client = (protocol: SaslProtocol, mech: string, token: string) =>
  createClientMechanism(mech, { user: 'user@example.com', accessToken: token, host: '127.0.0.1', port: PORTS[protocol] });

describe('Dovecot fixtures, client side', () => {
  it.each(cases)('$name: the client lines match and the error carries what Dovecot said', ({ protocol, mech, name }) => {
    const r = replayFixture(protocol, name, client(protocol, mech, 'expired-token-0123'));
    expect(r.clientLines).toEqual(r.expectedLines);
    expect(r.exchange.initialResponseSent).toBe(true);
    const error = r.outcome as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.oauthError).toEqual(mech === 'xoauth2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
    expect(error).toMatchObject({ code: 'EAUTH', protocol, mechanism: mech.toUpperCase() });
    if (protocol === 'imap') expect(error.responseCode).toBe('AUTHENTICATIONFAILED');
    if (protocol === 'smtp') expect(error).toMatchObject({ replyCode: 535, enhancedCode: '5.7.8' });
    expect(error.hint).toMatch(/expired or is not valid/);
    expect(isTokenRejection(error)).toBe(true);
  });

  it.each(successes)('$name: one line, then done', ({ protocol, name }) => {
    const r = replayFixture(protocol, name, client(protocol, 'XOAUTH2', 'good-token-0123'));
    expect(r.clientLines).toEqual(r.expectedLines);
    expect(r.outcome).toBe('success');
  });
});

/** Drives a server verifier with a fixture's C lines; returns the server's SASL lines and final step. */
async function serve(protocol: SaslProtocol, name: string, mech: string, verdict: 'ok' | 'expired') {
  const cont = protocol === 'smtp' ? '334 ' : '+ ';
  const mechanism = createServerMechanism(mech, { verifyToken: (user, token) => (user === 'user@example.com' && token.endsWith('-token-0123') ? verdict : 'invalid') });
  const sent: string[] = [];
  const expected: string[] = [];
  let final: SaslServerStep | 'cancel' | undefined;
  let started = false;
  for (const entry of loadFixture(name).entries) {
    const text = entryText(entry).replace(/\r\n$/, '');
    if (entry.dir === 'S') {
      if (started && text.startsWith(cont.trimEnd())) expected.push(text);
      continue;
    }
    const parts = text.split(' ');
    const step = started ? await serverNextFromLine(mechanism, text) : await serverNextFromLine(mechanism, parts[parts.length - 1]!);
    started = true;
    if (step !== 'cancel' && step.kind === 'challenge') sent.push(`${cont}${encodeBase64(step.challenge)}`);
    else if (step !== 'cancel' && step.kind === 'failure' && step.errorChallenge) sent.push(`${cont}${encodeBase64(step.errorChallenge)}`);
    else final = step;
  }
  return { sent, expected, final };
}

describe('Dovecot fixtures, server side', () => {
  it.each(cases)("$name: the verifier sends Dovecot's error challenge byte for byte, then fails", async ({ protocol, mech, name }) => {
    const { sent, expected, final } = await serve(protocol, name, mech, 'expired');
    expect(sent).toEqual(expected);
    expect(sent).toHaveLength(1);
    expect(final).toEqual({ kind: 'failure', reason: 'token-expired' });
  });

  it.each(successes)('$name: the verifier accepts', async ({ protocol, name }) => {
    const { sent, final } = await serve(protocol, name, 'XOAUTH2', 'ok');
    expect(sent).toEqual([]);
    expect(final).toEqual({ kind: 'success', user: 'user@example.com' });
  });
});
