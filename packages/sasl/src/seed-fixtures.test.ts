/**
 * The seed document's exchanges (fixtures/sasl/seed-*.txt), replayed through
 * SaslExchange: the client bytes it produces must equal the transcript's C lines byte
 * for byte (the SMTP command verb compared case-insensitively, see the fixture headers),
 * and the outcome must be the seed's. The same C lines are fed to the server-side
 * XOAUTH2 verifier.
 */
import { AuthenticationError } from '@mailwire/errors';
import { describe, expect, it } from 'vitest';
import { XOAuth2Client, createServerMechanism, decodeXOAuth2, isTokenRejection, serverNextFromLine } from './index.js';
import type { SaslProtocol } from './index.js';
import { entryText, loadFixture, replayFixture } from './replay.test-util.js';

const USER = 'someuser@example.com';
const TOKEN = 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg';
const SEED_B64 = 'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==';

const seedReplay = (protocol: SaslProtocol, name: string) => {
  expect(loadFixture(name).headers['source']).toMatch(/Microsoft/);
  return replayFixture(protocol, name, new XOAuth2Client({ user: USER, accessToken: TOKEN }), {
    initialResponse: protocol === 'imap' ? 'auto' : 'never',
    caseInsensitiveCommand: protocol === 'smtp',
  });
};

describe('the seed exchanges, client side', () => {
  it.each([
    ['imap', 'seed-imap-success.txt'],
    ['pop3', 'seed-pop3-success.txt'],
    ['smtp', 'seed-smtp-success.txt'],
  ] as const)('%s success: the client bytes equal the C lines', (protocol, name) => {
    const r = seedReplay(protocol, name);
    expect(r.clientLines).toEqual(r.expectedLines);
    expect(r.outcome).toBe('success');
    expect(r.exchange.state).toBe('done');
    expect(r.exchange.initialResponseSent).toBe(protocol === 'imap');
  });

  it('imap failure: one line with SASL-IR, then EAUTH with a hint naming the IMAP scope', () => {
    const r = seedReplay('imap', 'seed-imap-failure.txt');
    expect(r.clientLines).toEqual(r.expectedLines);
    const error = r.outcome as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'EAUTH', protocol: 'imap', mechanism: 'XOAUTH2', serverText: 'AUTHENTICATE failed.' });
    expect(error.command).toBe('AUTHENTICATE XOAUTH2 [redacted]');
    expect(error.hint).toContain('IMAP.AccessAsUser.All');
    expect(isTokenRejection(error)).toBe(true);
  });

  it('pop3 failure: the client sends the padded base64 the seed truncated, then EAUTH', () => {
    const r = seedReplay('pop3', 'seed-pop3-failure.txt');
    expect(r.clientLines.slice(0, 1)).toEqual(r.expectedLines.slice(0, 1));
    expect(r.clientLines[1]).toBe(`${SEED_B64}\r\n`);
    expect(r.expectedLines[1]).toBe(`${SEED_B64.slice(0, -1)}\r\n`);
    const error = r.outcome as AuthenticationError;
    expect(error).toMatchObject({ code: 'EAUTH', protocol: 'pop3', serverText: 'Authentication failure: unknown user name or bad password.' });
    expect(error.hint).toContain('POP.AccessAsUser.All');
    expect(isTokenRejection(error)).toBe(true);
  });

  it('smtp failure: 535 5.7.3 carried as replyCode and enhancedCode, with the Microsoft hint', () => {
    const r = seedReplay('smtp', 'seed-smtp-failure.txt');
    expect(r.clientLines).toEqual(r.expectedLines);
    const error = r.outcome as AuthenticationError;
    expect(error).toMatchObject({ code: 'EAUTH', protocol: 'smtp', replyCode: 535, enhancedCode: '5.7.3' });
    expect(error.serverText).toBe('Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]');
    expect(error.hint).toContain('SMTP.Send');
    expect(error.hint).toContain('shared mailbox');
    expect(isTokenRejection(error)).toBe(true);
  });

  it('no error message or field carries the token or the base64', () => {
    for (const [protocol, name] of [['imap', 'seed-imap-failure.txt'], ['pop3', 'seed-pop3-failure.txt'], ['smtp', 'seed-smtp-failure.txt']] as const) {
      const error = seedReplay(protocol, name).outcome as AuthenticationError;
      const all = JSON.stringify({ ...error, message: error.message, stack: error.stack });
      expect(all).not.toContain(TOKEN);
      expect(all).not.toContain(SEED_B64.slice(0, 40));
    }
  });
});

describe('the seed exchanges, server side', () => {
  const clientResponse = (name: string) => {
    const cs = loadFixture(name).entries.filter((e) => e.dir === 'C').map((e) => entryText(e).replace(/\r\n$/, ''));
    const auth = cs.findIndex((t) => /AUTH/i.test(t));
    const parts = cs[auth]!.split(' ');
    return parts.length > 2 ? parts[parts.length - 1]! : cs[auth + 1]!;
  };

  it.each(['seed-imap-success.txt', 'seed-imap-failure.txt', 'seed-pop3-success.txt', 'seed-smtp-success.txt', 'seed-smtp-failure.txt'])(
    '%s: the client response decodes to the seed user and token and verifies',
    async (name) => {
      const b64 = clientResponse(name);
      expect(decodeXOAuth2(b64)).toEqual({ user: USER, accessToken: TOKEN });
      const seen: string[] = [];
      const mech = createServerMechanism('XOAUTH2', { verifyToken: (u, t) => (seen.push(`${u} ${t}`), 'ok') });
      await expect(serverNextFromLine(mech, b64)).resolves.toEqual({ kind: 'success', user: USER });
      expect(seen).toEqual([`${USER} ${TOKEN}`]);
    },
  );

  it("seed-pop3-failure.txt: the seed's truncated base64 is rejected cleanly as bad-base64", async () => {
    const b64 = clientResponse('seed-pop3-failure.txt');
    expect(b64.endsWith('AQ=')).toBe(true);
    const mech = createServerMechanism('XOAUTH2', { verifyToken: () => 'ok' });
    await expect(serverNextFromLine(mech, b64)).resolves.toEqual({ kind: 'failure', reason: 'bad-base64' });
    expect(() => decodeXOAuth2(b64)).toThrow(expect.objectContaining({ code: 'ESASLDECODE', reason: 'bad-base64' }));
  });
});
