/**
 * chooseMechanism's documented preferences, createClientMechanism's refusals,
 * resolveToken, isTokenRejection per protocol, withFreshTokenRetry's single retry,
 * failureHint's common causes, and redactSaslLine.
 */
import { AuthenticationError, CommandError } from '@mailwire/errors';
import { describe, expect, it } from 'vitest';
import {
  SaslExchange, chooseMechanism, createClientMechanism, failureHint, isTokenRejection, redactSaslLine, resolveToken, withFreshTokenRetry,
} from './index.js';
import type { SaslFailureDetails, SaslProtocol } from './index.js';

const offered = (...names: string[]) => new Set(names);

describe('chooseMechanism', () => {
  it('a token: OAUTHBEARER where offered, else XOAUTH2', () => {
    expect(chooseMechanism(offered('PLAIN', 'XOAUTH2', 'OAUTHBEARER'), { accessToken: 't' })).toBe('OAUTHBEARER');
    expect(chooseMechanism(offered('LOGIN', 'XOAUTH2'), { accessToken: async () => 't' })).toBe('XOAUTH2');
  });

  it('a password: SCRAM-SHA-256 > PLAIN > LOGIN > CRAM-MD5', () => {
    expect(chooseMechanism(offered('CRAM-MD5', 'LOGIN', 'PLAIN', 'SCRAM-SHA-256'), { password: 'p' })).toBe('SCRAM-SHA-256');
    expect(chooseMechanism(offered('CRAM-MD5', 'LOGIN', 'PLAIN'), { password: 'p' })).toBe('PLAIN');
    expect(chooseMechanism(offered('CRAM-MD5', 'LOGIN'), { password: 'p' })).toBe('LOGIN');
    expect(chooseMechanism(offered('CRAM-MD5', 'XOAUTH2'), { password: 'p' })).toBe('CRAM-MD5');
  });

  it('an explicit mechanism must be offered (any case); ENOAUTHMECH names what is offered', () => {
    expect(chooseMechanism(offered('XOAUTH2'), { accessToken: 't', mechanism: 'xoauth2' })).toBe('XOAUTH2');
    expect(() => chooseMechanism(offered('PLAIN', 'LOGIN'), { accessToken: 't', mechanism: 'XOAUTH2' })).toThrow(
      expect.objectContaining({ code: 'ENOAUTHMECH', message: expect.stringContaining('PLAIN, LOGIN') }),
    );
    expect(() => chooseMechanism(offered('PLAIN'), { accessToken: 't' })).toThrow(expect.objectContaining({ code: 'ENOAUTHMECH' }));
    expect(() => chooseMechanism(offered(), { password: 'p' })).toThrow(expect.objectContaining({ code: 'ENOAUTHMECH', message: expect.stringContaining('none') }));
    expect(() => chooseMechanism(offered('PLAIN'), {})).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });
});

describe('createClientMechanism', () => {
  it('knows the six names in any case, refuses others and missing credentials', () => {
    for (const name of ['xoauth2', 'OAuthBearer', 'PLAIN', 'login', 'cram-md5', 'SCRAM-SHA-256']) {
      expect(createClientMechanism(name, { user: 'u', password: 'p', accessToken: 't' }).name).toBe(name.toUpperCase());
    }
    expect(() => createClientMechanism('DIGEST-MD5', { user: 'u', password: 'p' })).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
    expect(() => createClientMechanism('XOAUTH2', { user: 'u', password: 'p' })).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
    expect(() => createClientMechanism('PLAIN', { user: 'u', accessToken: 't' })).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
  });
});

function failure(protocol: SaslProtocol, mechanism: string, details: SaslFailureDetails, challenge?: object): AuthenticationError {
  const ex = new SaslExchange({ protocol, mechanism: createClientMechanism(mechanism, { user: 'u@x', password: 'p', accessToken: 'tok' }), saslIr: true });
  ex.command();
  if (challenge) ex.onChallenge(Buffer.from(JSON.stringify(challenge)).toString('base64'));
  return ex.onFailure(details);
}

describe('isTokenRejection', () => {
  it('true for the token failures of each protocol', () => {
    expect(isTokenRejection(failure('imap', 'XOAUTH2', { serverText: 'Authentication failed.', responseCode: 'AUTHENTICATIONFAILED' }))).toBe(true);
    expect(isTokenRejection(failure('imap', 'XOAUTH2', { serverText: 'AUTHENTICATE failed.' }))).toBe(true);
    expect(isTokenRejection(failure('pop3', 'XOAUTH2', { serverText: '[AUTH] Authentication failed.' }))).toBe(true);
    expect(isTokenRejection(failure('smtp', 'OAUTHBEARER', { serverText: 'Authentication failed.', replyCode: 535, enhancedCode: '5.7.8' }))).toBe(true);
    expect(isTokenRejection(failure('imap', 'XOAUTH2', { serverText: 'x', responseCode: 'UNAVAILABLE' }, { status: '401' }))).toBe(true);
    expect(isTokenRejection(new AuthenticationError('ETOKENEXPIRED', 'Session invalidated - AccessTokenExpired', { protocol: 'imap' }))).toBe(true);
  });

  it('false for passwords, SMTP AUTH disabled, plaintext refusals, temporary failures, other codes', () => {
    expect(isTokenRejection(failure('imap', 'PLAIN', { serverText: 'Authentication failed.', responseCode: 'AUTHENTICATIONFAILED' }))).toBe(false);
    expect(isTokenRejection(failure('smtp', 'XOAUTH2', { serverText: 'SmtpClientAuthentication is disabled for the Tenant.', replyCode: 535, enhancedCode: '5.7.139' }))).toBe(false);
    expect(isTokenRejection(failure('imap', 'XOAUTH2', { serverText: 'Plaintext authentication disabled.', responseCode: 'PRIVACYREQUIRED' }))).toBe(false);
    expect(isTokenRejection(failure('imap', 'XOAUTH2', { serverText: 'Temporary authentication failure.', responseCode: 'UNAVAILABLE' }))).toBe(false);
    expect(isTokenRejection(failure('smtp', 'XOAUTH2', { serverText: 'Temporary failure', replyCode: 454, enhancedCode: '4.7.0' }))).toBe(false);
    expect(isTokenRejection(new AuthenticationError('ENOAUTHMECH', 'no mech', { mechanism: 'XOAUTH2' }))).toBe(false);
  });
});

describe('resolveToken and withFreshTokenRetry', () => {
  const rejected = () => failure('smtp', 'XOAUTH2', { serverText: 'Authentication unsuccessful', replyCode: 535, enhancedCode: '5.7.3' });

  it('resolves strings and providers; refuses a provider that gives no token', async () => {
    await expect(resolveToken('abc')).resolves.toBe('abc');
    await expect(resolveToken(async () => 'def')).resolves.toBe('def');
    await expect(resolveToken(async () => '' as string)).rejects.toMatchObject({ code: 'ESASLINPUT' });
  });

  it('a provider is asked once more and the attempt retried once after a token rejection', async () => {
    const tokens = ['old', 'new', 'newer'];
    const asked: string[] = [];
    const result = await withFreshTokenRetry(async () => tokens.shift()!, async (t) => {
      asked.push(t);
      if (t === 'old') throw rejected();
      return `ok with ${t}`;
    });
    expect(result).toBe('ok with new');
    expect(asked).toEqual(['old', 'new']);
  });

  it('tells the provider which token was refused when it asks again (and nothing the first time)', async () => {
    const requests: unknown[] = [];
    await withFreshTokenRetry(async (request) => {
      requests.push(request);
      return request?.rejected === 'old' ? 'new' : 'old';
    }, async (t) => {
      if (t === 'old') throw rejected();
      return t;
    });
    expect(requests).toEqual([undefined, { rejected: 'old' }]);
  });

  it('never a loop: a second rejection is thrown', async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
      throw rejected();
    };
    await expect(withFreshTokenRetry(async () => `t${calls}`, attempt)).rejects.toMatchObject({ code: 'EAUTH' });
    expect(calls).toBe(2);
  });

  it('a string token and non-token failures are not retried', async () => {
    let calls = 0;
    await expect(withFreshTokenRetry('static', async () => (calls++, Promise.reject(rejected())))).rejects.toMatchObject({ code: 'EAUTH' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(withFreshTokenRetry(async () => 't', async () => (calls++, Promise.reject(new CommandError('no'))))).rejects.toMatchObject({ code: 'ECOMMAND' });
    expect(calls).toBe(1);
  });
});

describe('failureHint', () => {
  it('names the common causes', () => {
    const hint = (protocol: SaslProtocol, mechanism: string, d: Partial<Parameters<typeof failureHint>[0]>) => failureHint({ protocol, mechanism, serverText: '', ...d }) ?? '';
    expect(hint('smtp', 'XOAUTH2', { serverText: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' })).toMatch(/SMTP AUTH is disabled/);
    expect(hint('smtp', 'PLAIN', { serverText: 'Username and Password not accepted. https://support.google.com/mail/?p=BadCredentials', replyCode: 535, enhancedCode: '5.7.8' })).toMatch(/app password/);
    expect(hint('smtp', 'XOAUTH2', { serverText: 'Username and Password not accepted.', replyCode: 535, enhancedCode: '5.7.8' })).toMatch(/mail\.google\.com/);
    expect(hint('imap', 'XOAUTH2', { oauthError: { status: '400', scope: 'https://mail.google.com/' } })).toMatch(/scope "https:\/\/mail\.google\.com\/"/);
    expect(hint('imap', 'XOAUTH2', { oauthError: { status: '401', scope: 'mail' } })).toMatch(/expired/);
    expect(hint('pop3', 'PLAIN', { serverText: '[AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.' })).toMatch(/tls/);
    expect(hint('imap', 'XOAUTH2', { serverText: 'AUTHENTICATE failed.' })).toMatch(/shared mailbox.*FullAccess/);
    expect(failureHint({ protocol: 'imap', mechanism: 'PLAIN', serverText: 'Mailbox is locked' })).toBeUndefined();
  });
});

describe('redactSaslLine', () => {
  it('keeps only lines without secrets', () => {
    expect(['', '*', '=', 'dGVzdAB0ZXN0AHRlc3Q=', 'AQ=='].map(redactSaslLine)).toEqual(['', '*', '=', '[redacted]', '[redacted]']);
  });
});
