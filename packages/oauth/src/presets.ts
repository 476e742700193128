/**
 * Presets: the authorization servers and exact scopes for Microsoft identity platform
 * (Entra ID, v2.0 endpoints) and Google, and any other OAuth 2.0 / OpenID provider by its
 * issuer URL (RFC 8414 / OpenID Connect Discovery).
 *
 * Microsoft's metadata is written out rather than discovered: for `common`,
 * `organizations` and `consumers` the discovered `issuer` holds a `{tenantid}`
 * placeholder that no issuer check can match, and we ask for no ID token anyway.
 */
export type ProviderName = 'microsoft' | 'google';

/** Microsoft 365 / Outlook.com delegated scopes (the seed document's "permission scope strings"). */
export const MICROSOFT_SCOPES = {
  imap: 'https://outlook.office.com/IMAP.AccessAsUser.All',
  pop3: 'https://outlook.office.com/POP.AccessAsUser.All',
  smtp: 'https://outlook.office.com/SMTP.Send',
  offline: 'offline_access',
  /** The client credentials grant (app-only): the application permissions IMAP.AccessAsApp, POP.AccessAsApp, SMTP.SendAsApp. */
  appOnly: 'https://outlook.office365.com/.default',
} as const;

/** Google's one scope for IMAP, POP3 and SMTP (XOAUTH2). */
export const GOOGLE_SCOPES = { mail: 'https://mail.google.com/' } as const;

/** The default delegated scopes of each preset: all three protocols and a refresh token. */
export const DEFAULT_SCOPES: Record<ProviderName, string[]> = {
  microsoft: [MICROSOFT_SCOPES.imap, MICROSOFT_SCOPES.pop3, MICROSOFT_SCOPES.smtp, MICROSOFT_SCOPES.offline],
  google: [GOOGLE_SCOPES.mail],
};

/** Where the tokens come from: a preset (Microsoft with a tenant), or an issuer to discover. */
export type ProviderConfig =
  | { kind: 'microsoft'; tenant?: string }
  | { kind: 'google' }
  | { kind: 'issuer'; issuer: string };

/** Authorization server metadata in RFC 8414 names (what oauth4webapi takes). */
export interface ServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  device_authorization_endpoint?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  [k: string]: unknown;
}

const TENANT = /^[A-Za-z0-9.-]+$/;

/** Microsoft identity platform v2.0 endpoints for a tenant (a GUID, a domain, or common/organizations/consumers). */
export function microsoftMetadata(tenant = 'common'): ServerMetadata {
  if (!TENANT.test(tenant)) throw new TypeError(`not a Microsoft tenant: ${JSON.stringify(tenant)}`);
  const base = `https://login.microsoftonline.com/${tenant}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    code_challenge_methods_supported: ['S256'],
  };
}

/** Google's OAuth 2.0 endpoints. */
export function googleMetadata(): ServerMetadata {
  return {
    issuer: 'https://accounts.google.com',
    authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_endpoint: 'https://oauth2.googleapis.com/token',
    device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
    revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
    code_challenge_methods_supported: ['S256'],
  };
}

/** The default scopes for a provider config (an issuer has none: the caller names them). */
export function defaultScopes(config: ProviderConfig): string[] {
  return config.kind === 'issuer' ? [] : [...DEFAULT_SCOPES[config.kind]];
}
