/**
 * The server-side verifiers: every stable failure reason, the XOAUTH2/OAUTHBEARER
 * error-challenge flow, decodeSaslResponse, and the property that garbage into any
 * mechanism at any step gives a failure (or a challenge), never a throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SASL_MECHANISMS, createClientMechanism, createServerMechanism, decodeSaslResponse, encodeXOAuth2, serverNextFromLine,
} from './index.js';
import type { SaslServerContext, SaslServerStep } from './index.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const asText = (step: SaslServerStep | 'cancel') => (step !== 'cancel' && step.kind === 'challenge' ? Buffer.from(step.challenge).toString('utf8') : null);

const ctx: SaslServerContext = {
  verifyToken: (user, t) => (user !== 'u@x' ? 'invalid' : t === 'good' ? 'ok' : t === 'old' ? 'expired' : 'invalid'),
  verifyPassword: (user, password) => user === 'u' && password === 'pw',
  lookupPassword: (user) => (user === 'u' ? 'pw' : null),
};

describe('decodeSaslResponse', () => {
  it("'*' cancels, '=' and '' are empty, base64 decodes, anything else throws bad-base64", () => {
    expect(decodeSaslResponse('*')).toBe('cancel');
    expect(decodeSaslResponse('=')).toEqual(new Uint8Array(0));
    expect(decodeSaslResponse('')).toEqual(new Uint8Array(0));
    expect(decodeSaslResponse('AQ==')).toEqual(Uint8Array.of(1));
    for (const bad of ['AQ=', 'AQ', 'A===', 'AR==', 'QUJD\r', 'QU JD', 'QUJD=', '====', 'Zm9v!', 'Zm9vYg=\u00e9']) {
      expect(() => decodeSaslResponse(bad), bad).toThrow(expect.objectContaining({ code: 'ESASLDECODE', reason: 'bad-base64' }));
    }
  });
});

describe('XOAUTH2 server', () => {
  it('ok, and the error-challenge flow: failure with JSON, then the final failure after the empty response', async () => {
    expect(await serverNextFromLine(createServerMechanism('XOAUTH2', ctx), encodeXOAuth2('u@x', 'good'))).toEqual({ kind: 'success', user: 'u@x' });
    const mech = createServerMechanism('XOAUTH2', ctx);
    const first = await serverNextFromLine(mech, encodeXOAuth2('u@x', 'old'));
    expect(first).toMatchObject({ kind: 'failure', reason: 'token-expired' });
    const json = Buffer.from((first as { errorChallenge: Uint8Array }).errorChallenge).toString();
    expect(Buffer.from(json).toString('base64')).toBe('eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=');
    expect(await serverNextFromLine(mech, '')).toEqual({ kind: 'failure', reason: 'token-expired' });
    expect(await serverNextFromLine(mech, '')).toEqual({ kind: 'failure', reason: 'exchange-ended' });
  });

  it('uses the personality JSON and names the malformed layouts', async () => {
    const outlook = { ...ctx, xoauth2Error: () => ({ status: '401', schemes: 'Bearer', scope: 'https://outlook.office.com/IMAP.AccessAsUser.All' }) };
    const step = await serverNextFromLine(createServerMechanism('xoauth2', outlook), encodeXOAuth2('u@x', 'nope'));
    expect(JSON.parse(Buffer.from((step as { errorChallenge: Uint8Array }).errorChallenge).toString())).toMatchObject({ schemes: 'Bearer', status: '401' });
    const cases: [string, string][] = [
      ['user=u@x\x01auth=Basic good\x01\x01', 'bad-scheme'],
      ['user=u@x\x01auth=bearer good\x01\x01', 'success'],
      ['user=u@x\x01auth=Bearer good\x01', 'malformed'],
      ['auth=Bearer good\x01user=u@x\x01\x01', 'malformed'],
      ['user=\x01auth=Bearer good\x01\x01', 'malformed'],
      ['user=u@x\x01auth=Bearer \x01\x01', 'malformed'],
      ['user=u@x\x01auth=Bearer  good\x01\x01', 'malformed'],
      ['user=u@x\x01x=y\x01auth=Bearer good\x01\x01', 'malformed'],
      ['user=u@x auth=Bearer good', 'malformed'],
    ];
    for (const [payload, reason] of cases) {
      const result = await serverNextFromLine(createServerMechanism('XOAUTH2', ctx), b64(payload));
      expect(result === 'cancel' ? 'cancel' : result.kind === 'failure' ? result.reason : result.kind, JSON.stringify(payload)).toBe(reason);
    }
    expect(await serverNextFromLine(createServerMechanism('XOAUTH2', ctx), 'not base64!')).toEqual({ kind: 'failure', reason: 'bad-base64' });
    expect(await serverNextFromLine(createServerMechanism('XOAUTH2', ctx), '*')).toBe('cancel');
  });

  it('two-step: next(null) is an empty challenge', async () => {
    expect(asText(await createServerMechanism('XOAUTH2', ctx).next(null))).toBe('');
  });
});

describe('OAUTHBEARER server', () => {
  const ir = (user: string, t: string) => createClientMechanism('OAUTHBEARER', { user, accessToken: t, host: 'h', port: 993 }).start()!;

  it('ok; invalid token -> invalid_token JSON, then AQ== -> final failure; anything else after it is malformed', async () => {
    expect(await createServerMechanism('OAUTHBEARER', ctx).next(ir('u@x', 'good'))).toEqual({ kind: 'success', user: 'u@x' });
    const mech = createServerMechanism('OAUTHBEARER', ctx);
    const step = await mech.next(ir('u@x', 'bad'));
    expect(step).toMatchObject({ kind: 'failure', reason: 'token-invalid' });
    expect(Buffer.from((step as { errorChallenge: Uint8Array }).errorChallenge).toString()).toBe('{"status":"invalid_token"}');
    expect(await serverNextFromLine(mech, 'AQ==')).toEqual({ kind: 'failure', reason: 'token-invalid' });
    const other = createServerMechanism('OAUTHBEARER', ctx);
    await other.next(ir('u@x', 'old'));
    expect(await serverNextFromLine(other, '')).toEqual({ kind: 'failure', reason: 'malformed' });
  });

  it('refuses a missing a=, channel binding, a wrong scheme and broken layouts', async () => {
    const cases: [string, string][] = [
      ['n,,\x01auth=Bearer good\x01\x01', 'malformed'],
      ['p=tls-unique,a=u@x,\x01auth=Bearer good\x01\x01', 'channel-binding'],
      ['n,a=u@x,\x01auth=Basic good\x01\x01', 'bad-scheme'],
      ['n,a=u@x,\x01auth=Bearer good\x01', 'malformed'],
      ['n,a=u@x,\x01\x01', 'malformed'],
      ['n,a=u@x,auth=Bearer good\x01\x01', 'malformed'],
      ['n,a=u@x,\x01auth=Bearer good\x01auth=Bearer good\x01\x01', 'malformed'],
      ['n,a=u=x,\x01auth=Bearer good\x01\x01', 'malformed'],
      ['y,a=u@x,\x01host=h\x01auth=Bearer good\x01\x01', 'success'],
    ];
    for (const [payload, reason] of cases) {
      const result = await createServerMechanism('OAUTHBEARER', ctx).next(bytes(payload));
      expect(result.kind === 'failure' ? result.reason : result.kind, JSON.stringify(payload)).toBe(reason);
    }
  });
});

describe('password mechanisms', () => {
  it('PLAIN: success with authzid, bad-password, malformed', async () => {
    expect(await createServerMechanism('PLAIN', ctx).next(bytes('admin\x00u\x00pw'))).toEqual({ kind: 'success', user: 'u', authzid: 'admin' });
    expect(await createServerMechanism('PLAIN', ctx).next(bytes('\x00u\x00nope'))).toEqual({ kind: 'failure', reason: 'bad-password' });
    for (const bad of ['u\x00pw', '\x00\x00pw', '\x00u\x00', 'a\x00u\x00pw\x00x']) {
      expect(await createServerMechanism('PLAIN', ctx).next(bytes(bad))).toEqual({ kind: 'failure', reason: 'malformed' });
    }
    expect(await createServerMechanism('PLAIN', ctx).next(Uint8Array.of(0, 0xff, 0, 0x41))).toEqual({ kind: 'failure', reason: 'malformed' });
  });

  it('LOGIN: prompts, accepts the user as initial response, refuses a bad password', async () => {
    const mech = createServerMechanism('LOGIN', ctx);
    expect(asText(await mech.next(null))).toBe('Username:');
    expect(asText(await mech.next(bytes('u')))).toBe('Password:');
    expect(await mech.next(bytes('pw'))).toEqual({ kind: 'success', user: 'u' });
    const withIr = createServerMechanism('LOGIN', ctx);
    expect(asText(await withIr.next(bytes('u')))).toBe('Password:');
    expect(await withIr.next(bytes('wrong'))).toEqual({ kind: 'failure', reason: 'bad-password' });
  });

  it('CRAM-MD5: unknown-user, bad-password, no initial response', async () => {
    const run = async (answer: (c: Uint8Array) => string) => {
      const mech = createServerMechanism('CRAM-MD5', ctx);
      const c = await mech.next(null);
      return mech.next(bytes(answer((c as { challenge: Uint8Array }).challenge)));
    };
    const client = (user: string, pw: string) => (c: Uint8Array) => Buffer.from(createClientMechanism('CRAM-MD5', { user, password: pw }).next(c)).toString();
    expect(await run(client('u', 'pw'))).toEqual({ kind: 'success', user: 'u' });
    expect(await run(client('u', 'px'))).toEqual({ kind: 'failure', reason: 'bad-password' });
    expect(await run(client('v', 'pw'))).toEqual({ kind: 'failure', reason: 'unknown-user' });
    expect(await run(() => 'u B913A602C7EDA7A495B4E6E7334D3890')).toEqual({ kind: 'failure', reason: 'malformed' });
    expect(await createServerMechanism('CRAM-MD5', ctx).next(bytes('u 0'))).toEqual({ kind: 'failure', reason: 'malformed' });
  });

  it('SCRAM-SHA-256: a full exchange with the client, a wrong password, an unknown user, channel binding', async () => {
    const run = async (user: string, password: string) => {
      const client = createClientMechanism('SCRAM-SHA-256', { user, password });
      const server = createServerMechanism('SCRAM-SHA-256', ctx);
      let step = await server.next(client.start());
      while (step.kind === 'challenge') step = await server.next(client.next(step.challenge));
      return step;
    };
    expect(await run('u', 'pw')).toEqual({ kind: 'success', user: 'u' });
    expect(await run('u', 'px')).toEqual({ kind: 'failure', reason: 'bad-password' });
    expect(await run('v', 'pw')).toEqual({ kind: 'failure', reason: 'unknown-user' });
    expect(await createServerMechanism('SCRAM-SHA-256', ctx).next(bytes('p=tls-unique,,n=u,r=abc'))).toEqual({ kind: 'failure', reason: 'channel-binding' });
    expect(await createServerMechanism('SCRAM-SHA-256', ctx).next(bytes('n,,m=x,n=u,r=abc'))).toEqual({ kind: 'failure', reason: 'unsupported-extension' });
  });
});

describe('garbage never throws', () => {
  it('property: random bytes at any step of every mechanism give a step, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SASL_MECHANISMS),
        fc.array(fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 80 }).map(bytes)), { minLength: 1, maxLength: 5 }),
        async (name, responses) => {
          const mech = createServerMechanism(name, ctx);
          for (const r of responses) {
            const step = await mech.next(r);
            expect(['challenge', 'failure', 'success']).toContain(step.kind);
            if (step.kind === 'failure') expect(step.reason).toMatch(/^[a-z-]+$/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: random lines through serverNextFromLine never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SASL_MECHANISMS), fc.string({ maxLength: 200 }), async (name, line) => {
        const step = await serverNextFromLine(createServerMechanism(name, ctx), line);
        expect(step === 'cancel' || ['challenge', 'failure', 'success'].includes(step.kind)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('property: after a valid SCRAM client-first, a garbage client-final fails and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 120 }), fc.constant('c=biws,r=abc,p=AAAA'), fc.constant('c=biws,r=abc')), async (garbage) => {
        const server = createServerMechanism('SCRAM-SHA-256', { ...ctx, nonce: () => 'SERVER' });
        expect((await server.next(bytes('n,,n=u,r=abc'))).kind).toBe('challenge');
        const step = await server.next(bytes(garbage));
        expect(step.kind).toBe('failure');
      }),
      { numRuns: 200 },
    );
  });

  it('unknown mechanism names are refused', () => {
    expect(() => createServerMechanism('DIGEST-MD5', ctx)).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
  });
});
