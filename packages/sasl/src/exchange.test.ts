/**
 * SaslExchange: the initial-response rule measured per protocol, the two-step form,
 * empty initial responses, the XOAUTH2/OAUTHBEARER error-challenge flow, limits and
 * cancellation, and the errors it builds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginClient, PlainClient, SaslExchange, XOAuth2Client, encodeXOAuth2 } from './index.js';
import type { SaslClientMechanism } from './index.js';

const USER = 'someone@contoso.onmicrosoft.com';
const token = (n: number) => 'Ew'.padEnd(n, 'A0b-_.~+/');

/** A mechanism whose initial response is exactly `ir` (null = none). */
const fixed = (ir: Uint8Array | null): SaslClientMechanism => ({ name: 'TEST', start: () => ir, next: () => new Uint8Array(0) });

describe('the initial-response rule', () => {
  it('a 2,000-character token: one line in IMAP with SASL-IR, two-step without it and in POP3 and SMTP', () => {
    const t = token(2000);
    const ir = encodeXOAuth2(USER, t);
    const run = (protocol: 'imap' | 'pop3' | 'smtp', saslIr?: boolean) =>
      new SaslExchange({ protocol, mechanism: new XOAuth2Client({ user: USER, accessToken: t }), saslIr: saslIr ?? false, tag: 'A01' });
    expect(run('imap', true).command()).toBe(`AUTHENTICATE XOAUTH2 ${ir}`);
    for (const [protocol, saslIr] of [['imap', false], ['pop3', undefined], ['smtp', undefined]] as const) {
      const ex = run(protocol, saslIr);
      expect(ex.command()).toBe(protocol === 'imap' ? 'AUTHENTICATE XOAUTH2' : 'AUTH XOAUTH2');
      expect(ex.initialResponseSent).toBe(false);
      expect(ex.onChallenge('')).toBe(ir);
    }
  });

  it('property: the IR rides on the line exactly when the measured line fits (255 POP3, 512 SMTP, 8192 IMAP with tag)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('imap', 'pop3', 'smtp'),
        fc.integer({ min: 0, max: 9000 }),
        fc.boolean(),
        fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
        (protocol, irBytes, saslIr, tag) => {
          const ir = new Uint8Array(irBytes).fill(0x41);
          const ex = new SaslExchange({ protocol, mechanism: fixed(ir), saslIr, tag });
          const b64 = irBytes === 0 ? '=' : Buffer.from(ir).toString('base64');
          const verb = protocol === 'imap' ? 'AUTHENTICATE' : 'AUTH';
          const lineOctets = (protocol === 'imap' ? tag.length + 1 : 0) + `${verb} TEST ${b64}\r\n`.length;
          const limit = { imap: 8192, pop3: 255, smtp: 512 }[protocol];
          const fits = (protocol !== 'imap' || saslIr) && lineOctets <= limit;
          expect(ex.command()).toBe(fits ? `${verb} TEST ${b64}` : `${verb} TEST`);
          if (!fits) expect(ex.onChallenge('')).toBe(irBytes === 0 ? '' : b64);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the boundary: a 255-octet POP3 line carries the IR, 256 does not; 512 and 513 for SMTP', () => {
    // 183 bytes are 244 base64 characters. "AUTH ABC " + 244 + CRLF = 255 octets.
    const named = (name: string, bytes: number): SaslClientMechanism => ({ ...fixed(new Uint8Array(bytes).fill(0x41)), name });
    expect(new SaslExchange({ protocol: 'pop3', mechanism: named('ABC', 183) }).command()).toMatch(/^AUTH ABC \S{244}$/);
    expect(new SaslExchange({ protocol: 'pop3', mechanism: named('ABCD', 183) }).command()).toBe('AUTH ABCD');
    // 375 bytes are 500 characters. "AUTH ABCD " + 500 + CRLF = 512 octets.
    expect(new SaslExchange({ protocol: 'smtp', mechanism: named('ABCD', 375) }).command()).toMatch(/^AUTH ABCD \S{500}$/);
    expect(new SaslExchange({ protocol: 'smtp', mechanism: named('ABCDE', 375) }).command()).toBe('AUTH ABCDE');
  });

  it("'always' and 'never' override the rule", () => {
    const long = new Uint8Array(3000).fill(0x42);
    expect(new SaslExchange({ protocol: 'pop3', mechanism: fixed(long), initialResponse: 'always' }).command()).toMatch(/^AUTH TEST Qk/);
    expect(new SaslExchange({ protocol: 'imap', mechanism: fixed(long), initialResponse: 'always', saslIr: false }).command()).toMatch(/^AUTHENTICATE TEST Qk/);
    const never = new SaslExchange({ protocol: 'imap', mechanism: fixed(Uint8Array.of(1)), initialResponse: 'never', saslIr: true });
    expect(never.command()).toBe('AUTHENTICATE TEST');
    expect(never.onChallenge('')).toBe('AQ==');
  });

  it("an empty initial response is '=' on the line and '' two-step; no initial response is neither", () => {
    expect(new SaslExchange({ protocol: 'smtp', mechanism: fixed(new Uint8Array(0)) }).command()).toBe('AUTH TEST =');
    expect(new SaslExchange({ protocol: 'imap', mechanism: fixed(new Uint8Array(0)), saslIr: true }).command()).toBe('AUTHENTICATE TEST =');
    const twoStep = new SaslExchange({ protocol: 'imap', mechanism: fixed(new Uint8Array(0)) });
    expect(twoStep.command()).toBe('AUTHENTICATE TEST');
    expect(twoStep.onChallenge('')).toBe('');
    const none = new SaslExchange({ protocol: 'smtp', mechanism: new LoginClient({ user: 'u', password: 'p' }), initialResponse: 'always' });
    expect(none.command()).toBe('AUTH LOGIN');
    expect(none.onChallenge('VXNlcm5hbWU6')).toBe('dQ==');
    expect(none.onChallenge('UGFzc3dvcmQ6')).toBe('cA==');
  });
});

describe('the XOAUTH2 error challenge', () => {
  it('is decoded, answered with an empty line, and carried on the final error', () => {
    const ex = new SaslExchange({ protocol: 'smtp', mechanism: new XOAuth2Client({ user: USER, accessToken: token(40) }) });
    expect(ex.command()).toMatch(/^AUTH XOAUTH2 /);
    const json = { status: '401', schemes: 'Bearer', scope: 'https://outlook.office.com/SMTP.Send' };
    expect(ex.onChallenge(Buffer.from(JSON.stringify(json)).toString('base64'))).toBe('');
    expect(ex.oauthError).toEqual(json);
    const error = ex.onFailure({ serverText: 'Authentication unsuccessful', replyCode: 535, enhancedCode: '5.7.3' });
    expect(error).toMatchObject({ code: 'EAUTH', oauthError: json, replyCode: 535, enhancedCode: '5.7.3', mechanism: 'XOAUTH2' });
    expect(error.hint).toContain('SMTP.Send');
    expect(error.message).not.toContain(token(40));
  });

  it('a challenge that is not JSON is still answered empty, with no oauthError', () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new XOAuth2Client({ user: USER, accessToken: 't' }), saslIr: true });
    ex.command();
    expect(ex.onChallenge(Buffer.from('not json').toString('base64'))).toBe('');
    expect(ex.oauthError).toBeUndefined();
  });
});

describe('limits and cancellation', () => {
  it("a challenge that is not base64 gets '*', and the failure says why", () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new LoginClient({ user: 'u', password: 'p' }) });
    ex.command();
    expect(ex.onChallenge('Username:')).toBe('*');
    expect(ex.state).toBe('cancelled');
    const error = ex.onFailure({ serverText: 'Authentication aborted by client.' });
    expect(error.message).toMatch(/client cancelled: the challenge is not base64/);
    expect(ex.state).toBe('failed');
  });

  it("two-step: the first challenge's content is ignored (a server's prose there still gets the initial response)", () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: fixed(Uint8Array.of(0x41)) });
    expect(ex.command()).toBe('AUTHENTICATE TEST');
    expect(ex.onChallenge('Ready for additional command text')).toBe('QQ==');
    expect(ex.onChallenge('not base64')).toBe('*');
  });

  it("more than maxChallenges challenges, or one longer than maxChallengeBytes, gets '*'", () => {
    const many = new SaslExchange({ protocol: 'pop3', mechanism: fixed(null), maxChallenges: 3 });
    many.command();
    expect([1, 2, 3, 4].map(() => many.onChallenge(''))).toEqual(['', '', '', '*']);
    const big = new SaslExchange({ protocol: 'smtp', mechanism: fixed(null), maxChallengeBytes: 8 });
    big.command();
    expect(big.onChallenge('QUFBQUFB')).toBe('');
    expect(big.onChallenge('QUFBQUFBQUFB')).toBe('*');
    expect(big.cancelReason).toMatch(/limit of 8/);
  });

  it("a mechanism that cannot answer (PLAIN challenged twice) gets '*'; a server OK after '*' throws", () => {
    const ex = new SaslExchange({ protocol: 'smtp', mechanism: new PlainClient({ user: 'u', password: 'p' }) });
    ex.command();
    expect(ex.onChallenge('Zm9v')).toBe('*');
    expect(() => ex.onSuccess()).toThrow(expect.objectContaining({ code: 'EAUTH' }));
  });

  it('failure details reach the error: IMAP response code, hint for PRIVACYREQUIRED and 5.7.139', () => {
    const imap = new SaslExchange({ protocol: 'imap', mechanism: new PlainClient({ user: 'u', password: 'secret-pw' }), saslIr: true, tag: 'a1' });
    imap.command();
    const e1 = imap.onFailure({ serverText: 'Plaintext authentication disabled.', responseCode: 'PRIVACYREQUIRED' });
    expect(e1).toMatchObject({ responseCode: 'PRIVACYREQUIRED', protocol: 'imap', command: 'AUTHENTICATE PLAIN [redacted]' });
    expect(e1.hint).toMatch(/tls/);
    expect(JSON.stringify({ ...e1, m: e1.message })).not.toContain('secret-pw');
    const smtp = new SaslExchange({ protocol: 'smtp', mechanism: new XOAuth2Client({ user: USER, accessToken: 't' }) });
    smtp.command();
    const e2 = smtp.onFailure({ serverText: 'Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', replyCode: 535, enhancedCode: '5.7.139' });
    expect(e2.hint).toMatch(/SMTP AUTH is disabled/);
  });
});
