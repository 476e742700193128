/**
 * Properties: what a client mechanism encodes, the matching server verifier accepts
 * (random Unicode users, tokens up to 16 KB, over every protocol's framing through
 * SaslExchange); decode(encode(x)) = x; strict base64 round-trips and refuses
 * truncation; and the initial-response choice for long tokens.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SaslExchange, createClientMechanism, createServerMechanism, decodeBase64Strict, decodeXOAuth2, encodeBase64,
  encodeXOAuth2, serverNextFromLine,
} from './index.js';
import type { SaslCredentials, SaslProtocol, SaslServerContext } from './index.js';

/** Any Unicode text without the given separators, non-empty. */
const field = (...forbidden: string[]) =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => s.length > 0 && !forbidden.some((f) => s.includes(f)));
/** RFC 6750 b64token characters, a random pattern repeated out to 1 to 16 KB. */
const B64TOKEN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split('');
const bearerToken = fc
  .tuple(fc.string({ unit: fc.constantFrom(...B64TOKEN), minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 16 * 1024 }))
  .map(([seed, n]) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n));

/** Runs a whole exchange: client lines through the server verifier, server challenges back. */
async function authenticate(protocol: SaslProtocol, name: string, creds: SaslCredentials, ctx: SaslServerContext, saslIr = true) {
  const exchange = new SaslExchange({ protocol, mechanism: createClientMechanism(name, creds), saslIr, maxChallengeBytes: 64 * 1024 });
  const server = createServerMechanism(name, ctx);
  const command = exchange.command();
  const parts = command.split(' ');
  let step = await (parts.length === 3 ? serverNextFromLine(server, parts[2]!) : server.next(null));
  for (let i = 0; i < 6; i++) {
    if (step === 'cancel' || step.kind !== 'challenge') break;
    step = await serverNextFromLine(server, exchange.onChallenge(encodeBase64(step.challenge)));
  }
  if (step !== 'cancel' && step.kind === 'success') exchange.onSuccess();
  return { step, exchange };
}

const protocols = fc.constantFrom<SaslProtocol>('imap', 'pop3', 'smtp');

describe('client -> server round trips', () => {
  it('property: XOAUTH2 and OAUTHBEARER with Unicode users and tokens up to 16 KB verify, in every protocol', async () => {
    await fc.assert(
      fc.asyncProperty(protocols, fc.constantFrom('XOAUTH2', 'OAUTHBEARER'), field('\x01'), bearerToken, fc.boolean(), async (protocol, name, user, token, saslIr) => {
        const seen: [string, string][] = [];
        const { step, exchange } = await authenticate(protocol, name, { user, accessToken: token }, { verifyToken: (u, t) => (seen.push([u, t]), 'ok') }, saslIr);
        expect(step).toEqual({ kind: 'success', user });
        expect(seen).toEqual([[user, token]]);
        expect(exchange.state).toBe('done');
      }),
      { numRuns: 300 },
    );
  });

  it('property: a rejected token ends in the JSON error, an empty/AQ== answer and oauthError on the client', async () => {
    await fc.assert(
      fc.asyncProperty(protocols, fc.constantFrom('XOAUTH2', 'OAUTHBEARER'), field('\x01'), bearerToken.filter((t) => t.length >= 24), async (protocol, name, user, token) => {
        const exchange = new SaslExchange({ protocol, mechanism: createClientMechanism(name, { user, accessToken: token }), initialResponse: 'always' });
        const server = createServerMechanism(name, { verifyToken: () => 'expired' });
        const first = await serverNextFromLine(server, exchange.command().split(' ')[2]!);
        if (first === 'cancel' || first.kind !== 'failure' || first.errorChallenge === undefined) throw new Error('expected an error challenge');
        const answer = exchange.onChallenge(encodeBase64(first.errorChallenge));
        expect(answer).toBe(name === 'XOAUTH2' ? '' : 'AQ==');
        expect(await serverNextFromLine(server, answer)).toEqual({ kind: 'failure', reason: 'token-expired' });
        const error = exchange.onFailure({ serverText: 'Authentication failed.' });
        expect(error.oauthError).toEqual(name === 'XOAUTH2' ? { status: '401', schemes: 'bearer', scope: 'mail' } : { status: 'invalid_token' });
        expect(error.message.includes(token)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('property: PLAIN and LOGIN with Unicode users and passwords verify; a wrong password does not', async () => {
    await fc.assert(
      fc.asyncProperty(protocols, fc.constantFrom('PLAIN', 'LOGIN'), field('\x00'), field('\x00'), fc.boolean(), async (protocol, name, user, password, right) => {
        const ctx = { verifyPassword: (u: string, p: string) => u === user && p === password };
        const { step } = await authenticate(protocol, name, { user, password: right ? password : `${password}!` }, ctx);
        expect(step).toEqual(right ? { kind: 'success', user } : { kind: 'failure', reason: 'bad-password' });
      }),
      { numRuns: 300 },
    );
  });

  it('property: CRAM-MD5 and SCRAM-SHA-256 with Unicode users and passwords verify both ways', async () => {
    await fc.assert(
      fc.asyncProperty(protocols, fc.constantFrom('CRAM-MD5', 'SCRAM-SHA-256'), field(' ', '\x00'), field('\x00'), fc.boolean(), async (protocol, name, user, password, right) => {
        const ctx = { lookupPassword: (u: string) => (u === user ? password : null) };
        const { step, exchange } = await authenticate(protocol, name, { user, password: right ? password : `${password}!` }, ctx);
        expect(step).toEqual(right ? { kind: 'success', user } : { kind: 'failure', reason: 'bad-password' });
        expect(exchange.state).toBe(right ? 'done' : 'challenged');
      }),
      { numRuns: 120 },
    );
  });
});

describe('encode/decode', () => {
  it('property: decodeXOAuth2(encodeXOAuth2(u, t)) = { u, t } for Unicode users and tokens', () => {
    fc.assert(
      fc.property(field('\x01'), field('\x01').filter((t) => !t.startsWith(' ')), (user, accessToken) => {
        expect(decodeXOAuth2(encodeXOAuth2(user, accessToken))).toEqual({ user, accessToken });
      }),
      { numRuns: 500 },
    );
  });

  it('property: strict base64 round-trips, and any truncation or stray character is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (data, at) => {
        const text = encodeBase64(data);
        expect(decodeBase64Strict(text)).toEqual(data);
        expect(() => decodeBase64Strict(text.slice(0, -1))).toThrow(expect.objectContaining({ reason: 'bad-base64' }));
        const i = at % text.length;
        expect(() => decodeBase64Strict(`${text.slice(0, i)} ${text.slice(i + 1)}`)).toThrow(expect.objectContaining({ reason: 'bad-base64' }));
      }),
      { numRuns: 500 },
    );
  });
});

describe('long tokens pick their framing', () => {
  it('property: a 1,500-6,000 character token is one line in IMAP with SASL-IR, two-step without, and in POP3 and SMTP', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1500, max: 6000 }), field('\x01'), (n, user) => {
        const creds = { user, accessToken: 'E'.repeat(n) };
        const command = (protocol: SaslProtocol, saslIr: boolean) =>
          new SaslExchange({ protocol, mechanism: createClientMechanism('XOAUTH2', creds), saslIr, tag: 'A0001' }).command();
        expect(command('imap', true)).toBe(`AUTHENTICATE XOAUTH2 ${encodeXOAuth2(user, creds.accessToken)}`);
        expect(command('imap', false)).toBe('AUTHENTICATE XOAUTH2');
        expect(command('pop3', true)).toBe('AUTH XOAUTH2');
        expect(command('smtp', true)).toBe('AUTH XOAUTH2');
      }),
      { numRuns: 300 },
    );
  });
});
