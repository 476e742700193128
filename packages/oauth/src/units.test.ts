/** The parts that need no server: presets, argument parsing, sealing, hints. */
import { describe, expect, it } from 'vitest';
import { appOnlyTokenHint, failureHint } from '@mailwire/sasl';
import { DEFAULT_SCOPES, googleMetadata, microsoftMetadata, MICROSOFT_SCOPES, oauthHint, parseLoginArgs } from './index.js';
import { isSealed, open, seal } from './sealed.js';

describe('presets', () => {
  it('asks Microsoft for the exact scope strings of the seed document, plus offline_access', () => {
    expect(DEFAULT_SCOPES.microsoft).toEqual([
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/POP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
    ]);
    expect(MICROSOFT_SCOPES.appOnly).toBe('https://outlook.office365.com/.default');
    expect(DEFAULT_SCOPES.google).toEqual(['https://mail.google.com/']);
  });

  it('writes the v2.0 endpoints of a tenant and refuses what is not one', () => {
    expect(microsoftMetadata('organizations')).toMatchObject({
      authorization_endpoint: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
      token_endpoint: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token',
      device_authorization_endpoint: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode',
    });
    expect(microsoftMetadata().issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(() => microsoftMetadata('x/../evil')).toThrow(/not a Microsoft tenant/);
    expect(googleMetadata().device_authorization_endpoint).toBe('https://oauth2.googleapis.com/device/code');
  });
});

describe('parseLoginArgs', () => {
  it('takes a preset with its defaults, and --flag=value forms', () => {
    const a = parseLoginArgs(['microsoft', '--client-id=abc', '--tenant', 'contoso.onmicrosoft.com', '--device'], {});
    expect(a).toMatchObject({ provider: { kind: 'microsoft', tenant: 'contoso.onmicrosoft.com' }, clientId: 'abc', device: true, appOnly: false, account: 'microsoft', scopes: DEFAULT_SCOPES.microsoft, port: 0 });
    expect(parseLoginArgs(['google', '--client-id', 'g', '--account', 'home'], { MAILWIRE_CLIENT_SECRET: 's' })).toMatchObject({ provider: { kind: 'google' }, clientSecret: 's', account: 'home', scopes: ['https://mail.google.com/'] });
  });

  it('gives app-only the .default scope and wants a tenant, a secret and the mailbox', () => {
    const a = parseLoginArgs(['microsoft', '--client-id', 'abc', '--tenant', 'contoso.com', '--app-only', '--client-secret', 's', '--user', 'shared@contoso.com'], {});
    expect(a).toMatchObject({ appOnly: true, scopes: ['https://outlook.office365.com/.default'], user: 'shared@contoso.com' });
    expect(() => parseLoginArgs(['microsoft', '--client-id', 'abc', '--tenant', 'contoso.com', '--app-only', '--user', 'x@y'], {})).toThrow(/--client-secret/);
    expect(() => parseLoginArgs(['microsoft', '--client-id', 'abc', '--tenant', 'contoso.com', '--app-only', '--client-secret', 's'], {})).toThrow(/--user MAILBOX/);
    expect(() => parseLoginArgs(['microsoft', '--client-id', 'abc', '--app-only', '--device', '--client-secret', 's', '--user', 'x@y'], {})).toThrow(/do not go together/);
  });

  it('splits --scope on spaces and commas and refuses unknown options', () => {
    expect(parseLoginArgs(['--issuer', 'https://id.example.com', '--client-id', 'c', '--scope', 'a b,c', '--scope', 'd'], {}).scopes).toEqual(['a', 'b', 'c', 'd']);
    expect(parseLoginArgs(['--issuer', 'https://id.example.com', '--client-id', 'c', '--scope', 'a'], {}).account).toBe('id.example.com');
    expect(() => parseLoginArgs(['google', '--client-id', 'c', '--bogus'], {})).toThrow(/unknown option --bogus/);
    expect(() => parseLoginArgs(['yahoo', '--client-id', 'c'], {})).toThrow(/unknown provider yahoo/);
    expect(() => parseLoginArgs(['google', '--client-id', 'c', '--port', '70000'], {})).toThrow(/not a port/);
  });
});

describe('sealed values', () => {
  it('round-trips under a passphrase and under a raw 32-byte key, and binds the value to its place', () => {
    const s = seal('refresh-token-value', 'pass', 'work.refreshToken');
    expect(isSealed(s)).toBe(true);
    expect(JSON.stringify(s)).not.toContain('refresh-token-value');
    expect(open(s, 'pass', 'work.refreshToken')).toBe('refresh-token-value');
    expect(() => open(s, 'pass', 'home.refreshToken')).toThrow(/does not open/);
    expect(() => open(s, 'other', 'work.refreshToken')).toThrow(/does not open/);
    expect(() => open(s, undefined, 'work.refreshToken')).toThrow(/encrypted and no key/);
    const key = new Uint8Array(32).fill(7);
    const r = seal('x', key, 'a');
    expect(r.salt).toBeUndefined();
    expect(open(r, key, 'a')).toBe('x');
    expect(() => open({ ...r, data: Buffer.from('tampered').toString('base64') }, key, 'a')).toThrow(/does not open/);
    expect(() => seal('x', new Uint8Array(16), 'a')).toThrow(/32 bytes/);
  });
});

describe('hints', () => {
  it('names the Entra ID fix for its AADSTS codes and the OAuth error codes', () => {
    expect(oauthHint('invalid_client', 'AADSTS7000218: The request body must contain client_assertion or client_secret')).toMatch(/Allow public client flows/);
    expect(oauthHint('invalid_request', 'AADSTS50011: The redirect URI does not match')).toMatch(/redirect URI/);
    expect(oauthHint('invalid_grant', undefined)).toMatch(/mailwire login/);
    expect(oauthHint('something_else', undefined)).toBeUndefined();
  });

  it('explains the service principal step for a refused app-only token', () => {
    const hint = failureHint({ protocol: 'pop3', mechanism: 'XOAUTH2', serverText: 'Authentication failure: unknown user name or bad password.', appOnly: true });
    expect(hint).toBe(appOnlyTokenHint('pop3'));
    expect(hint).toMatch(/POP\.AccessAsApp.*New-ServicePrincipal.*Add-MailboxPermission/s);
    expect(appOnlyTokenHint('smtp', 'a@b.c')).toMatch(/SMTP\.SendAsApp.*-Identity a@b\.c/s);
  });
});
