/**
 * The seed document's exchanges (fixtures/sasl/seed-*.txt), replayed through
 * SaslExchange: the client bytes it produces must equal the transcript's C lines byte
 * for byte (the SMTP command verb compared case-insensitively, see the fixture headers),
 * and the outcome must be the seed's. The same C lines are fed to the server-side
 * XOAUTH2 verifier.
 */
import { readFileSync } from 'node:fs';
import { AuthenticationError } from '@mailwire/errors';
import { describe, expect, it } from 'vitest';
import { parseTranscript } from '../../../test-servers/src/transcript.js';
import type { TranscriptEntry } from '../../../test-servers/src/transcript.js';
import { SaslExchange, XOAuth2Client, createServerMechanism, decodeXOAuth2, isTokenRejection, serverNextFromLine } from './index.js';
import type { SaslProtocol } from './index.js';

const USER = 'someuser@example.com';
const TOKEN = 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg';
const SEED_B64 = 'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==';

function load(name: string) {
  const text = readFileSync(new URL(`../../../fixtures/sasl/${name}`, import.meta.url), 'utf8');
  return parseTranscript(text);
}

const line = (e: TranscriptEntry) => Buffer.from(e.bytes).toString('latin1').replace(/\r\n$/, '');

interface Replay {
  clientLines: string[];
  expectedLines: string[];
  outcome: 'success' | AuthenticationError;
  exchange: SaslExchange;
}

/** Replays a seed transcript: the exchange answers every server line the way a session would. */
function replay(protocol: SaslProtocol, name: string): Replay {
  const { entries, headers } = load(name);
  expect(headers['source']).toMatch(/Microsoft/);
  let saslIr = false;
  let exchange: SaslExchange | undefined;
  let tag = '';
  const clientLines: string[] = [];
  const expectedLines: string[] = [];
  let outcome: Replay['outcome'] | undefined;
  for (const entry of entries) {
    const text = line(entry);
    if (entry.dir === 'C') {
      if (exchange === undefined && /^(\S+ )?AUTH(ENTICATE)? /i.test(text)) {
        tag = protocol === 'imap' ? text.split(' ')[0]! : '';
        exchange = new SaslExchange({
          protocol,
          mechanism: new XOAuth2Client({ user: USER, accessToken: TOKEN }),
          saslIr,
          tag,
          initialResponse: protocol === 'imap' ? 'auto' : 'never',
        });
        const sent = `${tag ? `${tag} ` : ''}${exchange.command()}`;
        // SMTP: the seed writes "auth xoauth2"; verbs and mechanism names are case-insensitive.
        clientLines.push(protocol === 'smtp' ? sent.toUpperCase() : sent);
        expectedLines.push(protocol === 'smtp' ? text.toUpperCase() : text);
      } else if (exchange !== undefined) {
        expectedLines.push(text);
      }
      continue;
    }
    if (exchange === undefined) {
      if (/^\* CAPABILITY /i.test(text)) saslIr = / SASL-IR( |$)/i.test(text);
      continue;
    }
    if (protocol === 'imap') {
      const m = /^(\S+) (OK|NO|BAD) (?:\[([^\]]+)\] )?(.*)$/.exec(text);
      if (text.startsWith('+')) clientLines.push(exchange.onChallenge(text.replace(/^\+ ?/, '')));
      else if (m && m[1] === tag && m[2] === 'OK') (exchange.onSuccess(), (outcome = 'success'));
      else if (m && m[1] === tag) outcome = exchange.onFailure({ serverText: m[4]!, ...(m[3] ? { responseCode: m[3] } : {}) });
    } else if (protocol === 'pop3') {
      if (text.startsWith('+OK')) (exchange.onSuccess(), (outcome = 'success'));
      else if (text.startsWith('+')) clientLines.push(exchange.onChallenge(text.replace(/^\+ ?/, '')));
      else if (text.startsWith('-ERR')) outcome = exchange.onFailure({ serverText: text.replace(/^-ERR ?/, '') });
    } else {
      const m = /^(\d{3})(?:[ -](?:(\d\.\d{1,3}\.\d{1,3}) )?(.*))?$/.exec(text)!;
      const code = Number(m[1]);
      if (code === 334) clientLines.push(exchange.onChallenge(m[3] ?? ''));
      else if (code === 235) (exchange.onSuccess(), (outcome = 'success'));
      else outcome = exchange.onFailure({ serverText: m[3] ?? '', replyCode: code, ...(m[2] ? { enhancedCode: m[2] } : {}) });
    }
  }
  if (exchange === undefined || outcome === undefined) throw new Error(`${name}: no complete exchange`);
  return { clientLines, expectedLines, outcome, exchange };
}

describe('the seed exchanges, client side', () => {
  it.each([
    ['imap', 'seed-imap-success.txt'],
    ['pop3', 'seed-pop3-success.txt'],
    ['smtp', 'seed-smtp-success.txt'],
  ] as const)('%s success: the client bytes equal the C lines', (protocol, name) => {
    const r = replay(protocol, name);
    expect(r.clientLines).toEqual(r.expectedLines);
    expect(r.outcome).toBe('success');
    expect(r.exchange.state).toBe('done');
    expect(r.exchange.initialResponseSent).toBe(protocol === 'imap');
  });

  it('imap failure: one line with SASL-IR, then EAUTH with a hint naming the IMAP scope', () => {
    const r = replay('imap', 'seed-imap-failure.txt');
    expect(r.clientLines).toEqual(r.expectedLines);
    const error = r.outcome as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'EAUTH', protocol: 'imap', mechanism: 'XOAUTH2', serverText: 'AUTHENTICATE failed.' });
    expect(error.command).toBe('AUTHENTICATE XOAUTH2 [redacted]');
    expect(error.hint).toContain('IMAP.AccessAsUser.All');
    expect(isTokenRejection(error)).toBe(true);
  });

  it('pop3 failure: the client sends the padded base64 the seed truncated, then EAUTH', () => {
    const r = replay('pop3', 'seed-pop3-failure.txt');
    expect(r.clientLines.slice(0, 1)).toEqual(r.expectedLines.slice(0, 1));
    expect(r.clientLines[1]).toBe(SEED_B64);
    expect(r.clientLines[1]).toBe(`${r.expectedLines[1]}=`);
    const error = r.outcome as AuthenticationError;
    expect(error).toMatchObject({ code: 'EAUTH', protocol: 'pop3', serverText: 'Authentication failure: unknown user name or bad password.' });
    expect(error.hint).toContain('POP.AccessAsUser.All');
    expect(isTokenRejection(error)).toBe(true);
  });

  it('smtp failure: 535 5.7.3 carried as replyCode and enhancedCode, with the Microsoft hint', () => {
    const r = replay('smtp', 'seed-smtp-failure.txt');
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
      const error = replay(protocol, name).outcome as AuthenticationError;
      const all = JSON.stringify({ ...error, message: error.message, stack: error.stack });
      expect(all).not.toContain(TOKEN);
      expect(all).not.toContain(SEED_B64.slice(0, 40));
    }
  });
});

describe('the seed exchanges, server side', () => {
  const clientResponse = (name: string) => {
    const cs = load(name).entries.filter((e) => e.dir === 'C').map(line);
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
