/**
 * Turns what oauth4webapi throws into an OAuthError (packages/errors) that says which step
 * failed, the server's error code and description, and a hint for the causes people meet
 * (Entra ID's AADSTS codes, Google's, a revoked refresh token). Never copies a token, a
 * code or a secret into the error: only the server's error fields and our own words.
 */
import { OAuthError, type OAuthStep } from '@mailwire/errors';
import * as oauth from 'oauth4webapi';

/** Hints keyed on the server's words (AADSTS codes first: their description says the rest). */
const HINTS: [RegExp, string][] = [
  [/AADSTS7000218|AADSTS7000215|client_assertion.*or.*client_secret/i, 'Entra ID wants a client secret for this app: for the device code flow turn on "Allow public client flows" (Authentication blade); for the client credentials grant pass --client-secret.'],
  [/AADSTS50011/, 'The redirect URI is not registered: add the platform "Mobile and desktop applications" with the redirect URI http://127.0.0.1/callback (Entra ID ignores the port of a loopback redirect; see docs/oauth.md).'],
  [/AADSTS700016/, 'No application with this client ID exists in the tenant: check --client-id and --tenant (use "common" or "organizations" for a multi-tenant app).'],
  [/AADSTS65001|AADSTS90094|consent/i, 'The permissions were not consented: a user or an admin must grant IMAP.AccessAsUser.All / POP.AccessAsUser.All / SMTP.Send (API permissions blade, "Grant admin consent").'],
  [/AADSTS70011|invalid_scope/i, 'A scope was refused: Microsoft wants the full scope strings (https://outlook.office.com/IMAP.AccessAsUser.All ...), app-only wants exactly https://outlook.office365.com/.default, Google wants https://mail.google.com/.'],
  [/AADSTS700082|AADSTS70008|AADSTS50173|AADSTS50076/, 'The refresh token expired or was revoked (inactivity, a password change, a policy): sign in again with `mailwire login`.'],
  [/AADSTS7000112|AADSTS500011/, 'The resource or application is disabled in the tenant: an admin must enable it.'],
];

const BY_CODE: Record<string, string> = {
  invalid_grant: 'The grant was refused: a refresh token that was revoked or expired, or a code already used. Sign in again with `mailwire login`.',
  invalid_client: 'The authorization server does not know this client or its secret: check --client-id and --client-secret.',
  unauthorized_client: 'This client may not use this grant: enable it in the app registration (public client flows for the device code, a client secret for client credentials).',
  access_denied: 'The sign-in was declined in the browser or by the user.',
  expired_token: 'The device code expired before the sign-in was completed: run the command again and finish the sign-in sooner.',
  unsupported_grant_type: 'The authorization server does not offer this grant.',
};

/** The hint for an OAuth error code and description, or undefined. */
export function oauthHint(code: string | undefined, description: string | undefined): string | undefined {
  const text = `${code ?? ''} ${description ?? ''}`;
  for (const [re, hint] of HINTS) if (re.test(text)) return hint;
  return code !== undefined ? BY_CODE[code] : undefined;
}

/** An OAuthError for a failure of `step`, whatever was thrown. */
export function toOAuthError(step: OAuthStep, error: unknown, what: string): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) {
    const code = error.error;
    const description = error.error_description;
    const hint = oauthHint(code, description);
    return new OAuthError(step, `${what} failed: the authorization server said ${code}${description ? `: ${description}` : ''}`, {
      oauthCode: code,
      ...(description !== undefined ? { description } : {}),
      ...(error instanceof oauth.ResponseBodyError ? { status: error.status } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const first = error.cause[0];
    const code = first?.parameters.error;
    const description = first?.parameters.error_description;
    const hint = oauthHint(code, description);
    return new OAuthError(step, `${what} failed: the authorization server refused the client (HTTP ${error.status}${code ? `, ${code}` : ''})`, {
      status: error.status,
      ...(code !== undefined ? { oauthCode: code } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(hint !== undefined ? { hint } : {}),
    });
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new OAuthError(step, `${what} failed: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OAuthError(step, `${what} failed: ${message}`, { cause: error, hint: 'Could not reach the authorization server: check the network and the issuer URL.' });
}
