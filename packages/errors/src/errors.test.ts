import { describe, expect, it } from 'vitest';
import { AuthenticationError, CommandError, MailwireError, OAuthError, ProtocolError, redactCommand } from './index.js';

describe('errors', () => {
  it('carry a stable code, protocol and the server text', () => {
    const e = new AuthenticationError('EAUTH', 'refused', { protocol: 'smtp', replyCode: 535, enhancedCode: '5.7.3', serverText: '535 5.7.3 no' });
    expect(e).toBeInstanceOf(MailwireError);
    expect(e).toBeInstanceOf(Error);
    expect([e.code, e.protocol, e.replyCode, e.enhancedCode, e.name]).toEqual(['EAUTH', 'smtp', 535, '5.7.3', 'AuthenticationError']);
    expect(new ProtocolError('x').code).toBe('EPROTOCOL');
    expect(new CommandError('x', { status: 'NO' }).code).toBe('ECOMMAND');
  });

  it.each([
    ['A01 AUTHENTICATE XOAUTH2 dXNlcj0=', 'A01 AUTHENTICATE XOAUTH2 [redacted]'],
    ['A01 AUTHENTICATE XOAUTH2', 'A01 AUTHENTICATE XOAUTH2'],
    ['AUTH PLAIN AGZvbwBiYXI=', 'AUTH PLAIN [redacted]'],
    ['auth xoauth2', 'auth xoauth2'],
    ['a2 LOGIN joe "secret"', 'a2 LOGIN [redacted]'],
    ['PASS hunter2', 'PASS [redacted]'],
    ['a3 SELECT INBOX', 'a3 SELECT INBOX'],
    ['a4 LOGIN joe {6}\r\nsecret', 'a4 LOGIN [redacted]'],
    ['a5 LOGIN joe hunter2\r\n', 'a5 LOGIN [redacted]\r\n'],
    ['PASS hunter2\r\n', 'PASS [redacted]\r\n'],
    ['AUTH PLAIN AGZvbwBiYXI=\r\n', 'AUTH PLAIN [redacted]\r\n'],
    ['AUTH PLAIN\r\n', 'AUTH PLAIN\r\n'],
  ])('redacts %s', (line, expected) => {
    expect(redactCommand(line)).toBe(expected);
  });

  it('OAuthError is an EOAUTH MailwireError of protocol oauth that says the step and the server code', () => {
    const e = new OAuthError('refresh', 'the refresh token was refused', { oauthCode: 'invalid_grant', status: 400, hint: 'sign in again' });
    expect(e).toBeInstanceOf(MailwireError);
    expect(e).toMatchObject({ name: 'OAuthError', code: 'EOAUTH', protocol: 'oauth', step: 'refresh', oauthCode: 'invalid_grant', status: 400, hint: 'sign in again' });
    expect(new OAuthError('cache', 'x').oauthCode).toBeUndefined();
  });
});
