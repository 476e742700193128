/**
 * An OAuthServer is one authorization server and one client registered at it: the
 * metadata (from a preset or discovered from an issuer URL), the client ID, and how the
 * client authenticates (none for a public client, a secret for a confidential one).
 * Every flow takes one.
 *
 * Plain http is refused except on a loopback issuer (127.0.0.1, ::1, localhost), where a
 * test or a local authorization server runs.
 */
import { OAuthError } from '@mailwire/errors';
import * as oauth from 'oauth4webapi';
import { toOAuthError } from './oauth-errors.js';
import { googleMetadata, microsoftMetadata, type ProviderConfig } from './presets.js';

export interface OAuthServer {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** Options every oauth4webapi request takes (plain http on loopback only). */
  http: { [oauth.allowInsecureRequests]?: boolean };
  /** The provider config it came from (stored with the tokens). */
  config: ProviderConfig;
}

export interface ClientRegistration {
  clientId: string;
  /** A confidential client's secret (Google's installed apps have one; app-only Microsoft needs one). */
  clientSecret?: string;
}

/** True for a URL whose host is a loopback address or localhost. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function httpOptions(issuer: URL): OAuthServer['http'] {
  return issuer.protocol === 'http:' && isLoopbackUrl(issuer) ? { [oauth.allowInsecureRequests]: true } : {};
}

/** Resolves a provider config (discovering an issuer's metadata) into an OAuthServer. */
export async function openServer(config: ProviderConfig, registration: ClientRegistration, signal?: AbortSignal): Promise<OAuthServer> {
  const client: oauth.Client = { client_id: registration.clientId };
  const clientAuth = registration.clientSecret !== undefined && registration.clientSecret !== '' ? oauth.ClientSecretPost(registration.clientSecret) : oauth.None();
  if (config.kind === 'microsoft' || config.kind === 'google') {
    const as = (config.kind === 'microsoft' ? microsoftMetadata(config.tenant) : googleMetadata()) as oauth.AuthorizationServer;
    return { as, client, clientAuth, http: {}, config };
  }
  let issuer: URL;
  try {
    issuer = new URL(config.issuer);
  } catch {
    throw new OAuthError('discovery', `not an issuer URL: ${JSON.stringify(config.issuer)}`);
  }
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopbackUrl(issuer))) {
    throw new OAuthError('discovery', `the issuer must be an https URL (plain http only on loopback): ${issuer.href}`);
  }
  const http = httpOptions(issuer);
  try {
    const response = await oauth.discoveryRequest(issuer, { ...http, algorithm: 'oidc', ...(signal ? { signal } : {}) });
    const as = await oauth.processDiscoveryResponse(issuer, response);
    return { as, client, clientAuth, http, config };
  } catch (error) {
    throw toOAuthError('discovery', error, `discovering ${issuer.href}`);
  }
}
