/**
 * Known answers from the specifications, byte for byte: the seed's XOAUTH2 vector,
 * RFC 7628 §4.1/§4.3 (OAUTHBEARER), RFC 4616 §4 (PLAIN), RFC 4959/4954 (PLAIN on the
 * command line), RFC 2195 §2 (CRAM-MD5, both sides), RFC 7677 §3 (SCRAM-SHA-256, both
 * sides, with the example's nonces and salt injected).
 */
import { describe, expect, it } from 'vitest';
import {
  CramMd5Client, OAuthBearerClient, PlainClient, SaslExchange, ScramSha256Client, XOAuth2Client,
  createClientMechanism, createServerMechanism, encodeXOAuth2, parseXOAuth2Error, serverNextFromLine,
} from './index.js';
import type { SaslServerStep } from './index.js';

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('latin1'));
const challengeB64 = (step: SaslServerStep | 'cancel') => {
  if (step === 'cancel' || step.kind !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return Buffer.from(step.challenge).toString('base64');
};

describe('XOAUTH2', () => {
  it("encodes the seed's vector", () => {
    expect(encodeXOAuth2('test@contoso.onmicrosoft.com', 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA')).toBe(
      'dXNlcj10ZXN0QGNvbnRvc28ub25taWNyb3NvZnQuY29tAWF1dGg9QmVhcmVyIEV3QkFBbDNCQUFVRkZwVUFvN0ozVmUwYmpMQldaV0NjbFJDM0VvQUEBAQ==',
    );
  });

  it('shared mailbox: user= is the shared address while the token is the user\'s', async () => {
    const aliceToken = 'EwB-token-of-alice';
    const mech = new XOAuth2Client({ user: 'shared@contoso.com', accessToken: aliceToken });
    expect(text(mech.start())).toBe(`user=shared@contoso.com\x01auth=Bearer ${aliceToken}\x01\x01`);
    const verified: string[] = [];
    const server = createServerMechanism('XOAUTH2', { verifyToken: (user, token) => (verified.push(`${user}|${token}`), 'ok') });
    await expect(server.next(mech.start())).resolves.toEqual({ kind: 'success', user: 'shared@contoso.com' });
    expect(verified).toEqual([`shared@contoso.com|${aliceToken}`]);
  });

  it("decodes Dovecot's error challenge", () => {
    expect(parseXOAuth2Error('eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=')).toEqual({ status: '401', schemes: 'bearer', scope: 'mail' });
  });

  it('refuses \\x01 in the user or the token before anything is encoded', () => {
    expect(() => encodeXOAuth2('a\x01b', 't')).toThrow(expect.objectContaining({ code: 'ESASLINPUT', protocol: 'sasl' }));
    expect(() => new XOAuth2Client({ user: 'u', accessToken: 'to\x01ken' })).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
    try {
      encodeXOAuth2('u', 'secret\x01token');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('secret');
    }
  });
});

describe('OAUTHBEARER (RFC 7628)', () => {
  const rfc = { user: 'user@example.com', accessToken: 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==', host: 'server.example.com', port: 143 };

  it('§4.1: the IMAP initial response', () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new OAuthBearerClient(rfc), saslIr: true, tag: 't1' });
    expect(ex.command()).toBe(
      'AUTHENTICATE OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB',
    );
  });

  it('§4.3: the error challenge is answered with AQ== and lands on the error as oauthError', () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new OAuthBearerClient(rfc), saslIr: true });
    ex.command();
    expect(ex.onChallenge('eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=')).toBe('AQ==');
    const error = ex.onFailure({ serverText: 'SASL authentication failed' });
    expect(error.oauthError).toEqual({ status: 'invalid_token', scope: 'example_scope', 'openid-configuration': 'https://example.com/.well-known/openid-configuration' });
    expect(error.hint).toMatch(/expired or is not valid.*example_scope/);
  });

  it('escapes , and = in the authzid (RFC 5801 saslname) and refuses \\x01', () => {
    expect(text(new OAuthBearerClient({ user: 'a,b=c', accessToken: 't' }).start())).toBe('n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01');
    expect(() => new OAuthBearerClient({ user: 'u', accessToken: 't', host: 'h\x01' })).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
  });
});

describe('PLAIN (RFC 4616, RFC 4959, RFC 4954)', () => {
  it('§4: with and without authzid', () => {
    expect(text(new PlainClient({ user: 'tim', password: 'tanstaaftanstaaf' }).start())).toBe('\x00tim\x00tanstaaftanstaaf');
    expect(text(new PlainClient({ authzid: 'Ursel', user: 'Kurt', password: 'xipj3plmq' }).start())).toBe('Ursel\x00Kurt\x00xipj3plmq');
  });

  it('RFC 4959 §3 and RFC 4954 §4 examples on the command line', () => {
    const imap = new SaslExchange({ protocol: 'imap', mechanism: createClientMechanism('plain', { authzid: 'test', user: 'test', password: 'test' }), saslIr: true });
    expect(imap.command()).toBe('AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=');
    const smtp = new SaslExchange({ protocol: 'smtp', mechanism: createClientMechanism('PLAIN', { authzid: 'test', user: 'test', password: '1234' }) });
    expect(smtp.command()).toBe('AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=');
  });

  it('refuses NUL in any field', () => {
    for (const creds of [{ user: 'a\x00b', password: 'p' }, { user: 'u', password: 'p\x00' }, { user: 'u', password: 'p', authzid: '\x00' }]) {
      expect(() => new PlainClient(creds)).toThrow(expect.objectContaining({ code: 'ESASLINPUT' }));
    }
  });
});

describe('CRAM-MD5 (RFC 2195 §2)', () => {
  const challenge = 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+';
  const answer = 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw';

  it('client: no initial response, then the example answer', () => {
    expect(challenge).toBe(b64('<1896.697170952@postoffice.reston.mci.net>'));
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new CramMd5Client({ user: 'tim', password: 'tanstaaftanstaaf' }), saslIr: true });
    expect(ex.command()).toBe('AUTHENTICATE CRAM-MD5');
    expect(ex.onChallenge(challenge)).toBe(answer);
  });

  it('server: the example challenge from injected nonce and hostname, and the answer verifies', async () => {
    const server = createServerMechanism('CRAM-MD5', { nonce: () => '1896.697170952', hostname: 'postoffice.reston.mci.net', lookupPassword: (u) => (u === 'tim' ? 'tanstaaftanstaaf' : null) });
    expect(challengeB64(await server.next(null))).toBe(challenge);
    await expect(serverNextFromLine(server, answer)).resolves.toEqual({ kind: 'success', user: 'tim' });
  });
});

describe('SCRAM-SHA-256 (RFC 7677 §3)', () => {
  const clientFirst = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

  it('client: every message of the example, and success after the server signature', () => {
    const ex = new SaslExchange({ protocol: 'smtp', mechanism: new ScramSha256Client({ user: 'user', password: 'pencil' }, { nonce: 'rOprNGfwEbeRWgbNEkqO' }) });
    expect(ex.command()).toBe(`AUTH SCRAM-SHA-256 ${b64(clientFirst)}`);
    expect(ex.onChallenge(b64(serverFirst))).toBe(b64(clientFinal));
    expect(ex.onChallenge(b64(serverFinal))).toBe('');
    ex.onSuccess();
    expect(ex.state).toBe('done');
  });

  it('server: the example server-first and server-final from injected nonce and salt, then success', async () => {
    const server = createServerMechanism('SCRAM-SHA-256', {
      lookupPassword: (u) => (u === 'user' ? 'pencil' : null),
      nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
      scramSalt: () => Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    });
    expect(challengeB64(await server.next(null))).toBe('');
    expect(challengeB64(await serverNextFromLine(server, b64(clientFirst)))).toBe(b64(serverFirst));
    expect(challengeB64(await serverNextFromLine(server, b64(clientFinal)))).toBe(b64(serverFinal));
    await expect(serverNextFromLine(server, '')).resolves.toEqual({ kind: 'success', user: 'user' });
  });

  it('a wrong server signature cancels, and a server that then says OK is not trusted', () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new ScramSha256Client({ user: 'user', password: 'pencil' }, { nonce: 'rOprNGfwEbeRWgbNEkqO' }), saslIr: true });
    ex.command();
    ex.onChallenge(b64(serverFirst));
    expect(ex.onChallenge(b64('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toBe('*');
    expect(ex.cancelReason).toMatch(/server signature is wrong/);
    expect(() => ex.onSuccess()).toThrow(expect.objectContaining({ code: 'EAUTH', mechanism: 'SCRAM-SHA-256' }));
  });

  it('a server that says OK without sending v= is not trusted', () => {
    const ex = new SaslExchange({ protocol: 'pop3', mechanism: new ScramSha256Client({ user: 'user', password: 'pencil' }, { nonce: 'rOprNGfwEbeRWgbNEkqO' }) });
    ex.command();
    ex.onChallenge(b64(serverFirst));
    expect(() => ex.onSuccess()).toThrow(expect.objectContaining({ code: 'EAUTH', hint: expect.stringContaining('proving') }));
    expect(ex.state).toBe('failed');
  });

  it('server-final as success data is verified too', () => {
    const ex = new SaslExchange({ protocol: 'imap', mechanism: new ScramSha256Client({ user: 'user', password: 'pencil' }, { nonce: 'rOprNGfwEbeRWgbNEkqO' }), saslIr: true });
    ex.command();
    ex.onChallenge(b64(serverFirst));
    ex.onSuccess(b64(serverFinal));
    expect(ex.state).toBe('done');
  });

  it.each([
    ['a nonce that does not extend ours', 'r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /does not extend/],
    ['a nonce equal to ours', 'r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /does not extend/],
    ['an iteration count that would burn the CPU', `${serverFirst.replace('i=4096', 'i=100000000')}`, /iteration count/],
    ['an iteration count of zero', `${serverFirst.replace('i=4096', 'i=0')}`, /iteration count/],
    ['a mandatory extension', `m=ext,${serverFirst}`, /extension/],
    ['a server error', 'e=unknown-user', /refused: unknown-user/],
    ['a salt that is not base64', serverFirst.replace('s=W22ZaJ0SNY7soEsUEjb6gQ==', 's=W22Z*'), /salt/],
    ['attributes out of order', 's=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOxyz,i=4096', /not r=,s=,i=/],
  ])('the client cancels on %s', (_what, challenge, reason) => {
    const ex = new SaslExchange({ protocol: 'smtp', mechanism: new ScramSha256Client({ user: 'user', password: 'pencil' }, { nonce: 'rOprNGfwEbeRWgbNEkqO' }) });
    ex.command();
    expect(ex.onChallenge(b64(challenge))).toBe('*');
    expect(ex.cancelReason).toMatch(reason);
    expect(ex.onFailure({ serverText: 'Authentication aborted by client.', replyCode: 501, enhancedCode: '5.5.2' }).message).not.toContain('pencil');
  });
});
