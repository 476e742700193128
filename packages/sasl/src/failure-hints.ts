/**
 * Hints for the authentication failures people actually meet, keyed on what the server
 * said: its words, IMAP response code, SMTP reply and enhanced code, and the decoded
 * XOAUTH2/OAUTHBEARER JSON. The first matching rule wins; unknown failures get no hint
 * rather than a wrong one.
 */
import type { SaslProtocol } from './initial-response.js';

export interface FailureFacts {
  protocol: SaslProtocol;
  mechanism: string;
  serverText: string;
  responseCode?: string;
  replyCode?: number;
  enhancedCode?: string;
  oauthError?: Record<string, unknown>;
  /** The token is an app-only one (client credentials grant), not a user's. */
  appOnly?: boolean;
}

const OAUTH = new Set(['XOAUTH2', 'OAUTHBEARER']);

/** The Microsoft 365 scope each protocol's token needs. */
const MICROSOFT_SCOPE: Record<SaslProtocol, string> = {
  imap: 'https://outlook.office.com/IMAP.AccessAsUser.All',
  pop3: 'https://outlook.office.com/POP.AccessAsUser.All',
  smtp: 'https://outlook.office.com/SMTP.Send',
};

/** The application permission each protocol's app-only token needs (Office 365 Exchange Online). */
const MICROSOFT_APP_PERMISSION: Record<SaslProtocol, string> = {
  imap: 'IMAP.AccessAsApp',
  pop3: 'POP.AccessAsApp',
  smtp: 'SMTP.SendAsApp',
};

/**
 * The hint for a server refusing an app-only token (the client credentials grant, scope
 * https://outlook.office365.com/.default): what an Exchange admin must do first.
 */
export function appOnlyTokenHint(protocol: SaslProtocol, mailbox?: string): string {
  const who = mailbox !== undefined && mailbox !== '' ? mailbox : '<mailbox>';
  return `Microsoft refused the app-only token. An app-only token opens a mailbox only when: the app registration has the application permission ${MICROSOFT_APP_PERMISSION[protocol]} (Office 365 Exchange Online) with admin consent; the token was asked for with the scope https://outlook.office365.com/.default; Exchange knows the app as a service principal (New-ServicePrincipal -AppId <application id> -ObjectId <object id of the enterprise application>); and that service principal was given the mailbox (Add-MailboxPermission -Identity ${who} -User <service principal id> -AccessRights FullAccess). user= must be the mailbox address. Changes can take up to an hour to apply.`;
}

/** True when the JSON error challenge says the token expired or is invalid. */
export function oauthErrorSaysTokenRejected(oauthError: Record<string, unknown> | undefined): boolean {
  const status = oauthError?.['status'];
  return status === '401' || status === 401 || status === 'invalid_token';
}

/** Returns a hint a person can act on, or undefined when no rule matches. */
export function failureHint(f: FailureFacts): string | undefined {
  const text = f.serverText;
  const oauth = OAUTH.has(f.mechanism);
  if (f.enhancedCode === '5.7.139' || /SmtpClientAuthentication is disabled/i.test(text)) {
    return 'SMTP AUTH is disabled for this tenant or mailbox: an Exchange admin must enable it (Set-CASMailbox -SmtpClientAuthenticationDisabled $false, or the tenant-wide setting), or send through Microsoft Graph instead.';
  }
  if (f.responseCode === 'PRIVACYREQUIRED' || /plaintext auth\w*( is)? dis(abled|allowed)|privacy required|must issue a STARTTLS|(TLS|encryption) required/i.test(text) || f.enhancedCode === '5.7.11' || f.replyCode === 538) {
    return 'The server refuses to authenticate over an unencrypted connection: connect with security "tls" or "starttls".';
  }
  if (f.appOnly === true && oauth) return appOnlyTokenHint(f.protocol);
  const scope = f.oauthError?.['scope'];
  const status = f.oauthError?.['status'];
  if (oauthErrorSaysTokenRejected(f.oauthError)) {
    return `The access token was rejected (status ${String(status)}): it expired or is not valid for this server${typeof scope === 'string' && scope !== '' ? `; it must carry the scope "${scope}"` : ''}. Get a fresh token (a token provider function is asked again automatically).`;
  }
  if (f.oauthError !== undefined && (status === '400' || status === 'invalid_request' || status === '403' || status === 'insufficient_scope')) {
    return `The server says the token lacks what it needs (status ${String(status)})${typeof scope === 'string' && scope !== '' ? `: request the scope "${scope}"` : ''}.`;
  }
  if (/Username and Password not accepted/i.test(text) || (f.enhancedCode === '5.7.8' && /gsmtp|google/i.test(text))) {
    return oauth
      ? 'Gmail refused the token: it needs the scope "https://mail.google.com/", and user= must be the account the token was issued to.'
      : 'Gmail refused the password: use OAuth 2.0 (XOAUTH2) or an app password; plain account passwords are not accepted.';
  }
  if (oauth && (f.enhancedCode === '5.7.3' || /Authentication unsuccessful|AUTHENTICATE failed|unknown user name or bad password/i.test(text))) {
    return `Microsoft refused the token. Check that it was issued for ${MICROSOFT_SCOPE[f.protocol]} (not Graph's Mail.* scopes), that it has not expired, that user= is the mailbox the token's account may open — for a shared mailbox, user= is the shared address and the account needs FullAccess on it — and that ${f.protocol.toUpperCase()} is enabled for the mailbox.`;
  }
  if (!oauth && /unknown user name or bad password/i.test(text)) {
    return `Microsoft refused the password: Exchange Online has turned off basic authentication for ${f.protocol.toUpperCase()}; use OAuth 2.0 (XOAUTH2) with a token issued for ${MICROSOFT_SCOPE[f.protocol]}.`;
  }
  if (oauth) {
    return 'The server refused the token: check that it has not expired, that it carries the scope this server needs, and that the user name matches the account the token was issued to.';
  }
  if (f.responseCode === 'AUTHENTICATIONFAILED' || f.replyCode === 535 || /auth/i.test(text)) {
    return 'The server refused the user name or password. Check them; a server that has moved to OAuth 2.0 needs an access token instead.';
  }
  return undefined;
}
